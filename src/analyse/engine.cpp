#include "tailq/engine.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "analyse/deadline_index.hpp"
#include "analyse/parallel.hpp"
#include "analyse/pooled_latency.hpp"
#include "tailq/error.hpp"

namespace tailq {
namespace {

// Per-batch change of the metric's statistics when the batch turns from late to on time, in
// compressed rows: batch b owns entries [offset[b], offset[b + 1]). With `late_sums`, the
// statistics of a round in which everything is late, a round with on-time set O has statistics
// late_sums + sum over b in O of delta(b).
struct BatchDeltas {
  std::vector<std::size_t> offset;
  std::vector<Statistic> entries;
  std::vector<double> late_sums;
  std::vector<std::uint64_t> batch_size;
};

BatchDeltas batch_deltas(const AdditiveMetric& metric, std::span<const std::uint32_t> batch_of,
                         std::size_t batch_count) {
  const std::size_t stats = metric.statistic_count();
  BatchDeltas d;
  d.late_sums.assign(stats, 0.0);
  d.batch_size.assign(batch_count, 0);
  for (std::uint32_t b : batch_of) ++d.batch_size[b];
  // Instances grouped by batch (counting sort), so each batch's delta is merged in one go.
  std::vector<std::size_t> start(batch_count + 1, 0);
  for (std::size_t b = 0; b < batch_count; ++b) start[b + 1] = start[b] + d.batch_size[b];
  std::vector<std::size_t> by_batch(batch_of.size());
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < batch_of.size(); ++i) by_batch[fill[batch_of[i]]++] = i;
  }
  std::vector<double> scratch(stats, 0.0);
  std::vector<std::uint32_t> touched;
  std::vector<Statistic> on, late;
  d.offset.push_back(0);
  for (std::size_t b = 0; b < batch_count; ++b) {
    for (std::size_t k = start[b]; k < start[b + 1]; ++k) {
      on.clear();
      late.clear();
      metric.statistics(by_batch[k], true, on);
      metric.statistics(by_batch[k], false, late);
      for (const Statistic& s : on) {
        if (scratch[s.index] == 0) touched.push_back(s.index);
        scratch[s.index] += s.value;
      }
      for (const Statistic& s : late) {
        if (scratch[s.index] == 0) touched.push_back(s.index);
        scratch[s.index] -= s.value;
        d.late_sums[s.index] += s.value;
      }
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (std::uint32_t index : touched) {
      if (scratch[index] != 0) d.entries.push_back({index, scratch[index]});
      scratch[index] = 0;
    }
    touched.clear();
    d.offset.push_back(d.entries.size());
  }
  return d;
}

// Scores every deadline of every round; quality and late fraction land in [round][deadline].
struct RoundScores {
  std::vector<double> quality;
  std::vector<double> late_fraction;
};

RoundScores score_rounds(const RoundSource& rounds, std::span<const std::uint32_t> batch_of,
                         const Metric& metric, std::span<const double> deadlines,
                         unsigned threads) {
  const std::size_t g_count = deadlines.size();
  const std::size_t r_count = rounds.round_count();
  const double n = static_cast<double>(batch_of.size());
  RoundScores out{std::vector<double>(r_count * g_count), std::vector<double>(r_count * g_count)};
  const detail::DeadlineIndex index(deadlines);

  if (const auto* additive = dynamic_cast<const AdditiveMetric*>(&metric)) {
    const BatchDeltas d = batch_deltas(*additive, batch_of, rounds.batch_count());
    const std::size_t stats = additive->statistic_count();
    std::vector<double> single_delta;
    if (stats == 1) {
      single_delta.assign(rounds.batch_count(), 0.0);
      for (std::size_t b = 0; b < single_delta.size(); ++b) {
        for (std::size_t e = d.offset[b]; e < d.offset[b + 1]; ++e) {
          single_delta[b] += d.entries[e].value;
        }
      }
    }
    struct State {
      std::vector<double> bucket;  // [deadline slot][statistic]; slot g_count = late everywhere
      std::vector<std::uint64_t> on_time;
      std::vector<double> sums;
    };
    detail::for_each_round<State>(
        rounds, threads,
        [&] {
          return State{std::vector<double>((g_count + 1) * stats),
                       std::vector<std::uint64_t>(g_count + 1), std::vector<double>(stats)};
        },
        [&](State& s, std::size_t r, std::span<const double> times) {
          std::fill(s.bucket.begin(), s.bucket.end(), 0.0);
          std::fill(s.on_time.begin(), s.on_time.end(), 0);
          // A batch is on time for every deadline from slot g on.
          if (stats == 1) {  // accuracy, top-k, score: one dense delta per batch, no branches
            for (std::size_t b = 0; b < times.size(); ++b) {
              const std::size_t g = index.first_not_below(times[b]);
              s.on_time[g] += d.batch_size[b];
              s.bucket[g] += single_delta[b];
            }
          } else {
            for (std::size_t b = 0; b < times.size(); ++b) {
              const std::size_t g = index.first_not_below(times[b]);
              s.on_time[g] += d.batch_size[b];
              double* slot = &s.bucket[g * stats];
              for (std::size_t e = d.offset[b]; e < d.offset[b + 1]; ++e) {
                slot[d.entries[e].index] += d.entries[e].value;
              }
            }
          }
          std::copy(d.late_sums.begin(), d.late_sums.end(), s.sums.begin());
          std::uint64_t on_time = 0;
          for (std::size_t g = 0; g < g_count; ++g) {
            const double* slot = &s.bucket[g * stats];
            for (std::size_t k = 0; k < stats; ++k) s.sums[k] += slot[k];
            on_time += s.on_time[g];
            out.quality[r * g_count + g] = additive->finalize(s.sums);
            out.late_fraction[r * g_count + g] = static_cast<double>(batch_of.size() - on_time) / n;
          }
        });
    return out;
  }

  // A metric that is not additive is asked once per round and deadline.
  detail::for_each_round<std::vector<std::uint8_t>>(
      rounds, threads, [&] { return std::vector<std::uint8_t>(batch_of.size()); },
      [&](std::vector<std::uint8_t>& mask, std::size_t r, std::span<const double> times) {
        for (std::size_t g = 0; g < g_count; ++g) {
          std::size_t late = 0;
          for (std::size_t i = 0; i < batch_of.size(); ++i) {
            mask[i] = times[batch_of[i]] <= deadlines[g];
            late += !mask[i];
          }
          out.quality[r * g_count + g] = metric.quality(mask);
          out.late_fraction[r * g_count + g] = static_cast<double>(late) / n;
        }
      });
  return out;
}

}  // namespace

TailQuality analyze(const RoundSource& rounds, std::span<const std::uint32_t> batch_of_instance,
                    const Metric& metric, const AnalysisRequest& request) {
  if (rounds.round_count() == 0) throw InputError("no measured rounds to analyse");
  if (batch_of_instance.empty()) throw InputError("no instances to analyse");
  for (std::uint32_t b : batch_of_instance) {
    if (b >= rounds.batch_count()) {
      throw InputError("instance batch " + std::to_string(b) + " outside the " +
                       std::to_string(rounds.batch_count()) + " batches of a round");
    }
  }
  const unsigned threads = request.threads;
  const auto pooled = detail::PooledTimes::scan(rounds, threads);

  // Every percentile needed, selected in one pass: the latency summary, the requested
  // percentile deadlines and, for trimming, the quartiles.
  std::vector<double> q = {50, 90, 95, 99, 99.9};
  for (const ThresholdSpec& spec : request.thresholds) {
    if (spec.kind == ThresholdSpec::Kind::percentile) q.push_back(spec.value);
  }
  if (request.sweep_trim_outliers) {
    q.push_back(25);
    q.push_back(75);
  }
  const std::vector<double> at = pooled.percentiles(rounds, q, threads);

  TailQuality result;
  result.rounds = rounds.round_count();
  result.instances = batch_of_instance.size();
  result.metric = std::string(metric.name());
  result.latency = {pooled.count(), pooled.min(), pooled.mean(), at[0],       at[1],
                    at[2],          at[3],        at[4],         pooled.max()};

  std::vector<double> seconds;
  std::size_t next_percentile = 5;
  for (const ThresholdSpec& spec : request.thresholds) {
    const bool is_percentile = spec.kind == ThresholdSpec::Kind::percentile;
    seconds.push_back(is_percentile ? at[next_percentile++] : spec.value);
    ThresholdQuality& t = result.thresholds.emplace_back();
    t.label = spec.label;
    t.seconds = seconds.back();
  }
  if (request.sweep > 0) {
    double lo = pooled.min(), hi = pooled.max();
    if (request.sweep_trim_outliers) {
      const double q1 = at[at.size() - 2], q3 = at[at.size() - 1];
      std::tie(lo, hi) =
          pooled.range_within(rounds, q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1), threads);
    }
    for (double t : linspace(lo, hi, request.sweep)) {
      seconds.push_back(t);
      ThresholdQuality& item = result.thresholds.emplace_back();
      item.label = "sweep";
      item.seconds = t;
      item.from_sweep = true;
    }
  }

  // Score on the sorted distinct deadlines; each requested deadline maps to one of them.
  std::vector<double> deadlines = seconds;
  std::sort(deadlines.begin(), deadlines.end());
  deadlines.erase(std::unique(deadlines.begin(), deadlines.end()), deadlines.end());
  const RoundScores scores = score_rounds(rounds, batch_of_instance, metric, deadlines, threads);

  std::vector<std::uint8_t> all_on_time(batch_of_instance.size(), 1);
  result.nominal_quality = metric.quality(all_on_time);
  for (std::size_t t = 0; t < seconds.size(); ++t) {
    ThresholdQuality& out = result.thresholds[t];
    const auto g = static_cast<std::size_t>(
        std::lower_bound(deadlines.begin(), deadlines.end(), seconds[t]) - deadlines.begin());
    for (std::size_t r = 0; r < result.rounds; ++r) {
      out.per_round.push_back(scores.quality[r * deadlines.size() + g]);
      out.per_round_late_fraction.push_back(scores.late_fraction[r * deadlines.size() + g]);
    }
    out.quality = summarize(out.per_round);
    out.late_fraction_mean = std::accumulate(out.per_round_late_fraction.begin(),
                                             out.per_round_late_fraction.end(), 0.0) /
                             static_cast<double>(result.rounds);
    out.late_fraction_max =
        *std::max_element(out.per_round_late_fraction.begin(), out.per_round_late_fraction.end());
  }
  return result;
}

}  // namespace tailq
