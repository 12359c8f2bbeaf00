#include "analyse/scoring.hpp"

#include <algorithm>

#include "analyse/deadline_index.hpp"
#include "analyse/parallel.hpp"

namespace tailq::detail {

BatchDeltas::BatchDeltas(const AdditiveMetric& metric, std::span<const std::uint32_t> batch_of,
                         std::size_t batch_count)
    : statistics(metric.statistic_count()), instances(batch_of.size()) {
  late_sums.assign(statistics, 0.0);
  batch_size.assign(batch_count, 0);
  for (std::uint32_t b : batch_of) ++batch_size[b];
  // Instances grouped by batch (counting sort), so each batch's delta is merged in one go.
  std::vector<std::size_t> start(batch_count + 1, 0);
  for (std::size_t b = 0; b < batch_count; ++b) start[b + 1] = start[b] + batch_size[b];
  std::vector<std::size_t> by_batch(batch_of.size());
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < batch_of.size(); ++i) by_batch[fill[batch_of[i]]++] = i;
  }
  std::vector<double> scratch(statistics, 0.0);
  std::vector<std::uint32_t> touched;
  std::vector<Statistic> on, late;
  offset.push_back(0);
  for (std::size_t b = 0; b < batch_count; ++b) {
    for (std::size_t k = start[b]; k < start[b + 1]; ++k) {
      on.clear();
      late.clear();
      metric.statistics(by_batch[k], true, on);
      metric.statistics(by_batch[k], false, late);
      for (const Statistic& s : on) {
        touched.push_back(s.index);
        scratch[s.index] += s.value;
      }
      for (const Statistic& s : late) {
        touched.push_back(s.index);
        scratch[s.index] -= s.value;
        late_sums[s.index] += s.value;
      }
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (std::uint32_t index : touched) {
      if (scratch[index] != 0) entries.push_back({index, scratch[index]});
      scratch[index] = 0;
    }
    touched.clear();
    offset.push_back(entries.size());
  }
  if (statistics == 1) {
    single.resize(batch_count);
    for (std::size_t b = 0; b < batch_count; ++b) {
      double delta = 0;
      add(b, std::span(&delta, 1));
      single[b] = Pair{delta, static_cast<double>(batch_size[b])};
    }
  }
}

ScoreGrid score_additive(const RoundSource& rounds, const AdditiveMetric& metric,
                         const BatchDeltas& d, std::span<const double> deadlines, unsigned threads,
                         PendingPercentiles* pending) {
  const std::size_t g_count = deadlines.size();
  const std::size_t stats = d.statistics;
  const double n = static_cast<double>(d.instances);
  // [deadline] the planned bin whose stand-in it is, or -1.
  std::vector<long> stand_in_at(g_count, -1);
  // [slot] the planned bin whose times fall in it, or -1: the slots after a bin's stand-in up to
  // its top (a sweep deadline inside the bin splits it over several slots).
  std::vector<long> bin_at(g_count + 1, -1);
  std::vector<std::uint8_t> fence(g_count, 0);
  std::size_t bins = 0;
  if (pending) {
    bins = pending->stand_in_slot.size();
    for (std::size_t k = 0; k < bins; ++k) {
      stand_in_at[pending->stand_in_slot[k]] = static_cast<long>(k);
      fence[pending->stand_in_slot[k]] = fence[pending->top_slot[k]] = 1;
      for (std::size_t g = pending->stand_in_slot[k] + 1; g <= pending->top_slot[k]; ++g) {
        bin_at[g] = static_cast<long>(k);
      }
    }
    for (std::size_t g : pending->read_back) fence[g] = 0;
    pending->sums.assign(rounds.round_count() * bins * stats, 0.0);
    pending->on_time.assign(rounds.round_count() * bins, 0);
  }
  ScoreGrid out;
  for (std::size_t g = 0; g < g_count; ++g) {
    out.column_of.push_back(fence[g] ? ScoreGrid::kNoColumn : out.columns++);
  }
  out.quality.resize(rounds.round_count() * out.columns);
  out.late_fraction.resize(rounds.round_count() * out.columns);
  if (g_count == 0) return out;  // latency only: nothing to score
  const DeadlineIndex index(deadlines);

  // Times of one round crowd into a few deadline slots, so adding into one slot per batch
  // would chain every add on the one before it (through memory). Batches take turns over
  // kWays copies of the slots instead, summed once per round.
  constexpr std::size_t kWays = 8;
  const std::size_t slots = g_count + 1;  // slot g_count: late for every deadline
  using Pair = BatchDeltas::Pair;
  struct State {
    std::vector<std::uint32_t> slot;     // [batch] first deadline slot the batch meets
    std::vector<Pair> pairs;             // [way][slot] {delta sum, instances}: one statistic
    std::vector<double> bucket;          // [way][slot][statistic]: several statistics
    std::vector<std::uint64_t> on_time;  // [way][slot]: several statistics
    std::vector<double> sums;
    std::vector<PendingPercentiles::Hit> hits;
  };
  const bool single = stats == 1;
  auto states = for_each_round<State>(
      rounds, threads,
      [&] {
        State s;
        s.slot.resize(rounds.batch_count());
        if (single) {
          s.pairs.resize(kWays * slots);
        } else {
          s.bucket.resize(kWays * slots * stats);
          s.on_time.resize(kWays * slots);
        }
        s.sums.resize(stats);
        return s;
      },
      [&](State& s, std::size_t r, std::span<const double> times) {
        // Tight loops rather than one: each keeps its few pointers in registers (the stores of
        // one loop cannot alias the inputs of another).
        const std::size_t batches = times.size();
        std::uint32_t* const slot = s.slot.data();
        for (std::size_t b = 0; b < batches; ++b) {
          slot[b] = static_cast<std::uint32_t>(index.first_not_below(times[b]));
        }
        // A batch is on time for every deadline from its slot on.
        if (single) {  // accuracy, top-k, score
          std::fill(s.pairs.begin(), s.pairs.end(), Pair{0, 0});
          Pair* const pairs = s.pairs.data();
          const Pair* const add = d.single.data();
          for (std::size_t b = 0; b < batches; ++b) pairs[(b % kWays) * slots + slot[b]] += add[b];
        } else {
          std::fill(s.bucket.begin(), s.bucket.end(), 0.0);
          std::fill(s.on_time.begin(), s.on_time.end(), 0);
          std::uint64_t* const on = s.on_time.data();
          const std::uint64_t* const size = d.batch_size.data();
          for (std::size_t b = 0; b < batches; ++b) on[(b % kWays) * slots + slot[b]] += size[b];
          for (std::size_t b = 0; b < batches; ++b) {
            d.add(b, std::span(&s.bucket[((b % kWays) * slots + slot[b]) * stats], stats));
          }
        }
        if (pending) {
          const long* const bin_of_slot = bin_at.data();
          for (std::size_t b = 0; b < batches; ++b) {
            if (const long bin = bin_of_slot[slot[b]]; bin >= 0) [[unlikely]] {
              s.hits.push_back(
                  {static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(bin), b, times[b]});
            }
          }
        }
        std::copy(d.late_sums.begin(), d.late_sums.end(), s.sums.begin());
        std::uint64_t on_time = 0;
        for (std::size_t g = 0; g < g_count; ++g) {
          for (std::size_t way = 0; way < kWays; ++way) {
            if (single) {
              const Pair p = s.pairs[way * slots + g];
              s.sums[0] += p[0];
              on_time += static_cast<std::uint64_t>(p[1]);
              continue;
            }
            const double* at_slot = &s.bucket[(way * slots + g) * stats];
            for (std::size_t k = 0; k < stats; ++k) s.sums[k] += at_slot[k];
            on_time += s.on_time[way * slots + g];
          }
          if (const std::size_t c = out.column_of[g]; c != ScoreGrid::kNoColumn) {
            out.quality[r * out.columns + c] = metric.finalize(s.sums);
            out.late_fraction[r * out.columns + c] = static_cast<double>(d.instances - on_time) / n;
          }
          if (const long p = stand_in_at[g]; p >= 0) {
            const std::size_t at = r * bins + static_cast<std::size_t>(p);
            std::copy(s.sums.begin(), s.sums.end(), pending->sums.begin() + at * stats);
            pending->on_time[at] = on_time;
          }
        }
      });
  if (pending) {
    for (auto& s : states) pending->hits.insert(pending->hits.end(), s.hits.begin(), s.hits.end());
  }
  return out;
}

ScoreGrid score_generic(const RoundSource& rounds, std::span<const std::uint32_t> batch_of,
                        const Metric& metric, std::span<const double> deadlines, unsigned threads) {
  const std::size_t g_count = deadlines.size();
  const double n = static_cast<double>(batch_of.size());
  ScoreGrid out;
  out.columns = g_count;
  for (std::size_t g = 0; g < g_count; ++g) out.column_of.push_back(g);
  out.quality.resize(rounds.round_count() * g_count);
  out.late_fraction.resize(rounds.round_count() * g_count);
  struct State {
    std::vector<std::uint8_t> mask;
    std::vector<std::pair<std::size_t, double>> quality_of_late;  // this round's evaluations
  };
  for_each_round<State>(
      rounds, threads,
      [&] {
        return State{std::vector<std::uint8_t>(batch_of.size()), {}};
      },
      [&](State& s, std::size_t r, std::span<const double> times) {
        s.quality_of_late.clear();
        for (std::size_t g = 0; g < g_count; ++g) {
          std::size_t late = 0;
          for (std::size_t i = 0; i < batch_of.size(); ++i)
            late += !(times[batch_of[i]] <= deadlines[g]);
          out.late_fraction[r * g_count + g] = static_cast<double>(late) / n;
          // Within a round the on-time sets of two deadlines are nested, so equally many late
          // instances means the same set: a metric that costs (COCO AP) is evaluated once.
          const auto seen = std::find_if(s.quality_of_late.begin(), s.quality_of_late.end(),
                                         [&](const auto& e) { return e.first == late; });
          if (seen != s.quality_of_late.end()) {
            out.quality[r * g_count + g] = seen->second;
            continue;
          }
          for (std::size_t i = 0; i < batch_of.size(); ++i)
            s.mask[i] = times[batch_of[i]] <= deadlines[g];
          const double quality = metric.quality(s.mask);
          s.quality_of_late.emplace_back(late, quality);
          out.quality[r * g_count + g] = quality;
        }
      });
  return out;
}

}  // namespace tailq::detail
