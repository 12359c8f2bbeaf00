#include "analyse/pooled_latency.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "analyse/parallel.hpp"
#include "collect/byte_codec.hpp"
#include "tailq/error.hpp"
#include "tailq/stats.hpp"

namespace tailq::detail {
namespace {
using Bins = std::vector<std::vector<double>>;
}  // namespace

PooledTimes::PooledTimes() = default;
PooledTimes::PooledTimes(PooledTimes&&) noexcept = default;
PooledTimes::~PooledTimes() = default;

PooledTimes PooledTimes::scan(const RoundSource& source, unsigned threads,
                              std::uint64_t tally_limit) {
  tally_limit = std::min<std::uint64_t>(tally_limit, UINT32_MAX);
  struct State {
    std::uint64_t count = 0;
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    std::unique_ptr<FineHistogram> histogram = std::make_unique<FineHistogram>();
    // Counted here first, in 32 bits, and moved into `histogram` before 2^32 times.
    std::unique_ptr<BasicFineHistogram<std::uint32_t>> tally =
        std::make_unique<BasicFineHistogram<std::uint32_t>>();
    std::uint64_t in_tally = 0;
    void flush() {
      histogram->merge(*tally);
      tally->clear();
      in_tally = 0;
    }
  };
  // Each round's sum, added in round order at the end: the mean then does not depend on which
  // thread took which round (the threads take rounds as they come).
  std::vector<double> round_sums(source.round_count());
  auto states = for_each_round<State>(
      source, threads, [] { return State{}; },
      [&round_sums, tally_limit](State& s, std::size_t round, std::span<const double> times) {
        // Four independent accumulators, as two lanes of two vectors (one chain of dependent
        // adds would cap the loop at one element per add latency); the sum is then added in the
        // same order as four scalars would be. The histogram is apart.
        using Lanes = double __attribute__((vector_size(16)));
        constexpr double kInf = std::numeric_limits<double>::infinity();
        Lanes sum_a{0, 0}, sum_b{0, 0}, low_a{s.min, s.min}, low_b = low_a, high_a{s.max, s.max},
                                                             high_b = high_a;
        const std::size_t n = times.size();
        std::size_t b = 0;
        for (; b + 4 <= n; b += 4) {
          Lanes a, c;
          std::memcpy(&a, &times[b], sizeof a);
          std::memcpy(&c, &times[b + 2], sizeof c);
          sum_a += a;
          sum_b += c;
          low_a = a < low_a ? a : low_a;
          low_b = c < low_b ? c : low_b;
          high_a = a > high_a ? a : high_a;
          high_b = c > high_b ? c : high_b;
        }
        double sums[4] = {sum_a[0], sum_a[1], sum_b[0], sum_b[1]};
        double lows[4] = {low_a[0], low_a[1], low_b[0], low_b[1]};
        double highs[4] = {high_a[0], high_a[1], high_b[0], high_b[1]};
        for (; b < n; ++b) {
          const double t = times[b];
          sums[0] += t;
          lows[0] = std::min(lows[0], t);
          highs[0] = std::max(highs[0], t);
        }
        const double sum = (sums[0] + sums[1]) + (sums[2] + sums[3]);
        const double lo = std::min(std::min(lows[0], lows[1]), std::min(lows[2], lows[3]));
        const double hi = std::max(std::max(highs[0], highs[1]), std::max(highs[2], highs[3]));
        // Validity from the sum and the minimum (the earlier rounds' minimum is >= 0): a NaN or
        // an infinity makes the sum non-finite, a negative time the minimum negative. A sum that
        // overflows from finite times only takes the exact search, which then finds nothing.
        if (!(std::isfinite(sum) && lo >= 0)) {
          for (b = 0; b < n; ++b) {
            if (!(times[b] >= 0 && times[b] < kInf)) {
              throw StoreError("round " + std::to_string(round) + ", batch " + std::to_string(b) +
                               ": invalid time " + std::to_string(times[b]));
            }
          }
        }
        if (times.size() > tally_limit - s.in_tally) s.flush();
        if (times.size() > tally_limit) {
          for (double t : times) s.histogram->add(key_of(t));
        } else {
          for (double t : times) s.tally->add(key_of(t));
          s.in_tally += times.size();
        }
        round_sums[round] = sum;
        s.min = lo;
        s.max = hi;
        s.count += times.size();
      });
  for (State& s : states) s.flush();
  PooledTimes pooled;
  pooled.histogram_ = std::move(states[0].histogram);
  pooled.round_sums_ = std::move(round_sums);
  pooled.count_ = states[0].count;
  pooled.min_ = states[0].min;
  pooled.max_ = states[0].max;
  for (std::size_t w = 1; w < states.size(); ++w) {
    pooled.histogram_->merge(*states[w].histogram);
    pooled.count_ += states[w].count;
    pooled.min_ = std::min(pooled.min_, states[w].min);
    pooled.max_ = std::max(pooled.max_, states[w].max);
  }
  pooled.finish_mean();
  return pooled;
}

void PooledTimes::finish_mean() {
  long double sum = 0;
  for (double s : round_sums_) sum += s;
  mean_ = count_ ? static_cast<double>(sum / count_) : 0.0;
}

std::string PooledTimes::encode() const {
  ByteWriter out;
  out.put(count_);
  out.put(min_);
  out.put(max_);
  out.put_array(std::span<const double>(round_sums_));
  std::vector<std::uint64_t> keys, counts;
  histogram_->for_each_bin([&](std::uint64_t key, std::uint64_t n) {
    keys.push_back(key);
    counts.push_back(n);
  });
  out.put_array(std::span<const std::uint64_t>(keys));
  out.put_array(std::span<const std::uint64_t>(counts));
  return out.bytes();
}

PooledTimes PooledTimes::merge(std::span<const std::string> shares) {
  PooledTimes pooled;
  pooled.histogram_ = std::make_unique<FineHistogram>();
  pooled.min_ = std::numeric_limits<double>::infinity();
  pooled.max_ = -std::numeric_limits<double>::infinity();
  std::vector<double> sums;
  std::vector<std::uint64_t> keys, counts;
  for (const std::string& share : shares) {
    ByteReader in(share);
    pooled.count_ += in.get<std::uint64_t>();
    pooled.min_ = std::min(pooled.min_, in.get<double>());
    pooled.max_ = std::max(pooled.max_, in.get<double>());
    in.get_array(sums);
    pooled.round_sums_.insert(pooled.round_sums_.end(), sums.begin(), sums.end());
    in.get_array(keys);
    in.get_array(counts);
    if (keys.size() != counts.size()) throw std::runtime_error("a rank's histogram is malformed");
    for (std::size_t k = 0; k < keys.size(); ++k) pooled.histogram_->add(keys[k], counts[k]);
  }
  pooled.finish_mean();
  return pooled;
}

RankPlan PooledTimes::plan(std::span<const std::uint64_t> ranks) const {
  RankPlan plan;
  plan.ranks.assign(ranks.begin(), ranks.end());
  std::vector<std::uint64_t> sorted(ranks.begin(), ranks.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  const auto located = histogram_->locate(sorted);
  for (const auto& [key, below] : located) plan.keys.push_back(key);
  plan.keys.erase(std::unique(plan.keys.begin(), plan.keys.end()), plan.keys.end());
  for (std::uint64_t rank : ranks) {
    const auto at = std::lower_bound(sorted.begin(), sorted.end(), rank) - sorted.begin();
    const auto [key, below] = located[static_cast<std::size_t>(at)];
    plan.bin_of_rank.push_back(static_cast<std::size_t>(
        std::lower_bound(plan.keys.begin(), plan.keys.end(), key) - plan.keys.begin()));
    plan.below.push_back(below);
  }
  return plan;
}

std::vector<double> RankPlan::resolve(std::vector<std::vector<double>>& bins) const {
  for (auto& bin : bins) std::sort(bin.begin(), bin.end());
  std::vector<double> out;
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    const auto& bin = bins[bin_of_rank[i]];
    const std::uint64_t within = ranks[i] - below[i];
    if (within >= bin.size()) {
      throw StoreError("the times changed while they were being read");
    }
    out.push_back(bin[within]);
  }
  return out;
}

std::vector<double> PooledTimes::values_at_ranks(const RoundSource& source,
                                                 std::span<const std::uint64_t> ranks,
                                                 unsigned threads) const {
  const RankPlan wanted = plan(ranks);
  Bins bins = times_in_bins(source, wanted, threads);
  return wanted.resolve(bins);
}

std::vector<std::vector<double>> PooledTimes::times_in_bins(const RoundSource& source,
                                                            const RankPlan& wanted,
                                                            unsigned threads) {
  const BinMatcher matcher(wanted.keys);
  auto states = for_each_round<Bins>(
      source, threads, [&] { return Bins(wanted.keys.size()); },
      [&](Bins& bins, std::size_t, std::span<const double> times) {
        for (double t : times) {
          if (const long k = matcher.match(t); k >= 0)
            bins[static_cast<std::size_t>(k)].push_back(t);
        }
      });
  Bins bins = std::move(states[0]);
  for (std::size_t w = 1; w < states.size(); ++w) {
    for (std::size_t k = 0; k < bins.size(); ++k) {
      bins[k].insert(bins[k].end(), states[w][k].begin(), states[w][k].end());
    }
  }
  return bins;
}

std::vector<double> PooledTimes::percentiles(const RoundSource& source, std::span<const double> q,
                                             unsigned threads) const {
  std::vector<std::uint64_t> ranks;
  for (double p : q) ranks.push_back(inverted_cdf_index(count_, p));
  return values_at_ranks(source, ranks, threads);
}

std::pair<double, double> PooledTimes::range_within(const RoundSource& source, double lo, double hi,
                                                    unsigned threads) const {
  using Range = std::pair<double, double>;
  const double kInf = std::numeric_limits<double>::infinity();
  auto states = for_each_round<Range>(
      source, threads,
      [&] {
        return Range{kInf, -kInf};
      },
      [&](Range& range, std::size_t, std::span<const double> times) {
        for (double t : times) {
          if (t >= lo && t < range.first) range.first = t;
          if (t <= hi && t > range.second) range.second = t;
        }
      });
  Range out{kInf, -kInf};
  for (const Range& r : states) {
    out.first = std::min(out.first, r.first);
    out.second = std::max(out.second, r.second);
  }
  return out;
}

}  // namespace tailq::detail
