#include "analyse/pooled_latency.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <string>

#include "analyse/parallel.hpp"
#include "tailq/error.hpp"
#include "tailq/stats.hpp"

namespace tailq::detail {
namespace {

constexpr int kKeyShift = 36;  // keep sign, 11 exponent bits and 16 mantissa bits
constexpr int kBlockBits = 16;
constexpr std::size_t kBlockSize = std::size_t{1} << kBlockBits;
constexpr std::size_t kBlocks = 2048;  // one per exponent of a non-negative double

inline std::uint64_t key_of(double t) { return std::bit_cast<std::uint64_t>(t + 0.0) >> kKeyShift; }

}  // namespace

class PooledTimes::Histogram {
 public:
  Histogram() : blocks_(kBlocks) {}
  void add(std::uint64_t key) {
    auto& block = blocks_[key >> kBlockBits];
    if (!block) block = std::make_unique<std::uint64_t[]>(kBlockSize);
    ++block[key & (kBlockSize - 1)];
  }
  void merge(const Histogram& other) {
    for (std::size_t b = 0; b < kBlocks; ++b) {
      if (!other.blocks_[b]) continue;
      auto& block = blocks_[b];
      if (!block) block = std::make_unique<std::uint64_t[]>(kBlockSize);
      for (std::size_t i = 0; i < kBlockSize; ++i) block[i] += other.blocks_[b][i];
    }
  }
  // For each sorted rank, the key of its bin and the number of values in lower bins.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> locate(
      std::span<const std::uint64_t> sorted_ranks) const {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    std::uint64_t below = 0;
    std::size_t next = 0;
    for (std::size_t b = 0; b < kBlocks && next < sorted_ranks.size(); ++b) {
      if (!blocks_[b]) continue;
      for (std::size_t i = 0; i < kBlockSize && next < sorted_ranks.size(); ++i) {
        const std::uint64_t in_bin = blocks_[b][i];
        while (next < sorted_ranks.size() && sorted_ranks[next] < below + in_bin) {
          out.emplace_back((b << kBlockBits) | i, below);
          ++next;
        }
        below += in_bin;
      }
    }
    return out;
  }

 private:
  std::vector<std::unique_ptr<std::uint64_t[]>> blocks_;
};

PooledTimes::PooledTimes() = default;
PooledTimes::PooledTimes(PooledTimes&&) noexcept = default;
PooledTimes::~PooledTimes() = default;

PooledTimes PooledTimes::scan(const RoundSource& source, unsigned threads) {
  struct State {
    std::uint64_t count = 0;
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    long double sum = 0;
    std::unique_ptr<Histogram> histogram = std::make_unique<Histogram>();
  };
  auto states = for_each_round<State>(
      source, threads, [] { return State{}; },
      [](State& s, std::size_t round, std::span<const double> times) {
        double sum = 0, lo = s.min, hi = s.max;
        for (std::size_t b = 0; b < times.size(); ++b) {
          const double t = times[b];
          if (!(t >= 0 && t < std::numeric_limits<double>::infinity())) {
            throw StoreError("round " + std::to_string(round) + ", batch " + std::to_string(b) +
                             ": invalid time " + std::to_string(t));
          }
          sum += t;
          lo = std::min(lo, t);
          hi = std::max(hi, t);
          s.histogram->add(key_of(t));
        }
        s.sum += sum;
        s.min = lo;
        s.max = hi;
        s.count += times.size();
      });
  PooledTimes pooled;
  pooled.histogram_ = std::move(states[0].histogram);
  long double sum = states[0].sum;
  pooled.count_ = states[0].count;
  pooled.min_ = states[0].min;
  pooled.max_ = states[0].max;
  for (std::size_t w = 1; w < states.size(); ++w) {
    pooled.histogram_->merge(*states[w].histogram);
    sum += states[w].sum;
    pooled.count_ += states[w].count;
    pooled.min_ = std::min(pooled.min_, states[w].min);
    pooled.max_ = std::max(pooled.max_, states[w].max);
  }
  pooled.mean_ = pooled.count_ ? static_cast<double>(sum / pooled.count_) : 0.0;
  return pooled;
}

std::vector<double> PooledTimes::values_at_ranks(const RoundSource& source,
                                                 std::span<const std::uint64_t> ranks,
                                                 unsigned threads) const {
  std::vector<std::uint64_t> sorted(ranks.begin(), ranks.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  const auto located = histogram_->locate(sorted);
  std::vector<std::uint64_t> keys;
  for (const auto& [key, below] : located) keys.push_back(key);
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());

  // Few bins are wanted: compare each time's key with all of them at once (no search, no
  // table that misses the cache); a hit is rare and only then takes a branch.
  constexpr std::size_t kLanes = 8;
  using Bins = std::vector<std::vector<double>>;
  auto states = for_each_round<Bins>(
      source, threads, [&] { return Bins(keys.size()); },
      [&](Bins& bins, std::size_t, std::span<const double> times) {
        for (std::size_t first = 0; first < keys.size(); first += kLanes) {
          std::uint64_t lane[kLanes];
          const std::size_t used = std::min(kLanes, keys.size() - first);
          for (std::size_t k = 0; k < kLanes; ++k) {
            lane[k] = k < used ? keys[first + k] : UINT64_MAX;  // no time has this key
          }
          for (double t : times) {
            const std::uint64_t key = key_of(t);
            bool hit = false;
            for (std::size_t k = 0; k < kLanes; ++k) hit |= key == lane[k];
            if (!hit) continue;
            for (std::size_t k = 0; k < used; ++k) {
              if (key == lane[k]) bins[first + k].push_back(t);
            }
          }
        }
      });
  Bins bins = std::move(states[0]);
  for (std::size_t w = 1; w < states.size(); ++w) {
    for (std::size_t k = 0; k < keys.size(); ++k) {
      bins[k].insert(bins[k].end(), states[w][k].begin(), states[w][k].end());
    }
  }
  for (auto& bin : bins) std::sort(bin.begin(), bin.end());

  std::vector<double> out;
  for (std::uint64_t rank : ranks) {
    const auto pos = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), rank) -
                                              sorted.begin());
    const auto [key, below] = located[pos];
    const auto bin =
        static_cast<std::size_t>(std::lower_bound(keys.begin(), keys.end(), key) - keys.begin());
    out.push_back(bins[bin][rank - below]);
  }
  return out;
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
