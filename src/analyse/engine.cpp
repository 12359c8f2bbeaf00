// The engine reads the rounds two or three times and holds no more than one round per worker
// thread (a trace's rounds that fit in memory are read from the store once before, see
// analyse/loaded_rounds.hpp, and then read in place):
//   1. a scan builds the pooled distribution (count, min, max, mean, fine histogram);
//   2. one scoring pass scores every round against every deadline. Percentile deadlines are not
//      known exactly yet, only the histogram bin that holds each: the pass scores a stand-in
//      just below that bin (exact for every time outside the bin), keeps the statistics there
//      and collects the few times inside the planned bins (the bin's top is a deadline too, so
//      a time's deadline slot tells whether it lies in a planned bin, scoring.hpp). The
//      collected times give the exact percentiles (numpy's inverted_cdf), and adding the in-bin
//      batches that meet them turns the stand-in statistics into the exact quality.
// Metrics that are not additive, and sweeps between the outlier fences (which need exact
// quartiles first), take a plain third pass instead: select the percentiles, then score.
#include "tailq/engine.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
#include <string>

#include "analyse/engine_scanned.hpp"
#include "analyse/pooled_latency.hpp"
#include "analyse/round_passes.hpp"
#include "analyse/scoring.hpp"
#include "tailq/error.hpp"

namespace tailq {
namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
// Stand-in statistics kept for the fused pass: rounds x stand-ins x statistics doubles.
constexpr std::size_t kMaxPendingBytes = std::size_t{256} << 20;

void summarise(ThresholdQuality& t, std::vector<double> per_round, std::vector<double> late) {
  t.per_round = std::move(per_round);
  t.per_round_late_fraction = std::move(late);
  t.quality = summarize(t.per_round);
  t.late_fraction_mean =
      std::accumulate(t.per_round_late_fraction.begin(), t.per_round_late_fraction.end(), 0.0) /
      static_cast<double>(t.per_round_late_fraction.size());
  t.late_fraction_max =
      *std::max_element(t.per_round_late_fraction.begin(), t.per_round_late_fraction.end());
}

// Copies column column_of[t] of the grid into threshold t, for every threshold that has one
// (kNone: skipped). The grid is stored by round, so the columns are copied a block of rounds at
// a time: a column copied alone strides through the whole grid, a cache miss per round, which
// dominated the analysis of a million small rounds.
void take_columns(std::vector<ThresholdQuality>& thresholds, std::span<const std::size_t> column_of,
                  const detail::ScoreGrid& grid, std::size_t rounds) {
  constexpr std::size_t kBlock = 256;
  std::vector<std::vector<double>> quality(thresholds.size()), late(thresholds.size());
  for (std::size_t t = 0; t < thresholds.size(); ++t) {
    if (column_of[t] == kNone) continue;
    quality[t].resize(rounds);
    late[t].resize(rounds);
  }
  for (std::size_t r0 = 0; r0 < rounds; r0 += kBlock) {
    const std::size_t r1 = std::min(rounds, r0 + kBlock);
    for (std::size_t t = 0; t < thresholds.size(); ++t) {
      if (column_of[t] == kNone) continue;
      for (std::size_t r = r0; r < r1; ++r) {
        quality[t][r] = grid.quality_at(r, column_of[t]);
        late[t][r] = grid.late_at(r, column_of[t]);
      }
    }
  }
  for (std::size_t t = 0; t < thresholds.size(); ++t) {
    if (column_of[t] != kNone) summarise(thresholds[t], std::move(quality[t]), std::move(late[t]));
  }
}

std::size_t slot_of(const std::vector<double>& sorted, double value) {
  return static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), value) -
                                  sorted.begin());
}

std::vector<double> sorted_unique(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

void check_inputs(const detail::RoundPasses& rounds,
                  std::span<const std::uint32_t> batch_of_instance) {
  if (rounds.round_count() == 0) throw InputError("no measured rounds to analyse");
  if (batch_of_instance.empty()) throw InputError("no instances to analyse");
  for (std::uint32_t b : batch_of_instance) {
    if (b >= rounds.batch_count()) {
      throw InputError("instance batch " + std::to_string(b) + " outside the " +
                       std::to_string(rounds.batch_count()) + " batches of a round");
    }
  }
}

}  // namespace

TailQuality analyze(const RoundSource& rounds, std::span<const std::uint32_t> batch_of_instance,
                    const Metric& metric, const AnalysisRequest& request) {
  const detail::RoundPasses passes(rounds, request.threads);
  check_inputs(passes, batch_of_instance);
  return detail::analyze_scanned(passes, passes.scan(), batch_of_instance, metric, request);
}

TailQuality detail::analyze_scanned(const detail::RoundPasses& rounds,
                                    const detail::PooledTimes& pooled,
                                    std::span<const std::uint32_t> batch_of_instance,
                                    const Metric& metric, const AnalysisRequest& request,
                                    LatencyPercentiles latency) {
  check_inputs(rounds, batch_of_instance);
  const std::size_t r_count = rounds.round_count();

  // Every percentile needed: the latency summary, the percentile deadlines, and the quartiles
  // for trimming. q_of[t] is threshold t's index in q.
  const bool summary = latency == LatencyPercentiles::computed;
  std::vector<double> q;
  if (summary) q = {50, 90, 95, 99, 99.9};
  std::vector<std::size_t> q_of(request.thresholds.size(), kNone);
  for (std::size_t t = 0; t < request.thresholds.size(); ++t) {
    if (request.thresholds[t].kind == ThresholdSpec::Kind::percentile) {
      q_of[t] = q.size();
      q.push_back(request.thresholds[t].value);
    }
  }
  const bool sweep_to_percentile = request.sweep > 0 && request.sweep_top < 100;
  const std::size_t top_of = q.size();
  if (sweep_to_percentile) q.push_back(request.sweep_top);
  if (request.sweep_trim_outliers) {
    q.push_back(25);
    q.push_back(75);
  }
  std::vector<std::uint64_t> ranks;
  for (double p : q) ranks.push_back(inverted_cdf_index(pooled.count(), p));

  TailQuality result;
  result.rounds = r_count;
  result.instances = batch_of_instance.size();
  result.metric = std::string(metric.name());
  std::vector<std::uint8_t> all_on_time(batch_of_instance.size(), 1);
  result.nominal_quality = metric.quality(all_on_time);
  for (const ThresholdSpec& spec : request.thresholds) {
    result.thresholds.emplace_back().label = spec.label;
  }

  const auto* additive = dynamic_cast<const AdditiveMetric*>(&metric);
  std::optional<detail::BatchDeltas> deltas;
  if (additive) deltas.emplace(*additive, batch_of_instance, rounds.batch_count());
  const std::size_t stats = additive ? additive->statistic_count() : 0;
  const bool any_deadline = request.sweep > 0 || !request.thresholds.empty();
  const bool fused = additive && any_deadline && !request.sweep_trim_outliers &&
                     !sweep_to_percentile &&
                     r_count * q.size() * stats * sizeof(double) <= kMaxPendingBytes;

  std::vector<double> at;  // values at `ranks`
  double sweep_lo = pooled.min(), sweep_hi = pooled.max();
  if (!fused) {
    at = rounds.values_at_ranks(pooled, ranks);
    if (sweep_to_percentile) sweep_hi = at[top_of];
    if (request.sweep_trim_outliers) {
      const double q1 = at[at.size() - 2], q3 = at[at.size() - 1];
      std::tie(sweep_lo, sweep_hi) =
          rounds.range_within(pooled, q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1));
    }
  }
  // Deadlines known now: absolute ones, the sweep, and (without fusion) the percentiles.
  std::vector<double> known;
  for (std::size_t t = 0; t < request.thresholds.size(); ++t) {
    if (q_of[t] == kNone) {
      result.thresholds[t].seconds = request.thresholds[t].value;
    } else if (!fused) {
      result.thresholds[t].seconds = at[q_of[t]];
    } else {
      continue;
    }
    known.push_back(result.thresholds[t].seconds);
  }
  if (request.sweep > 0) {
    const bool geometric = request.sweep_geometric && sweep_lo > 0 && sweep_hi > sweep_lo;
    std::vector<double> sweep =
        geometric ? linspace(std::log(sweep_lo), std::log(sweep_hi), request.sweep)
                  : linspace(sweep_lo, sweep_hi, request.sweep);
    if (geometric) {
      for (double& s : sweep) s = std::exp(s);
      sweep.front() = sweep_lo;  // exact ends: the pooled min and the top percentile
      sweep.back() = sweep_hi;
    }
    for (double s : sweep) {
      ThresholdQuality& item = result.thresholds.emplace_back();
      item.label = "sweep";
      item.seconds = s;
      item.from_sweep = true;
      known.push_back(s);
    }
  }

  if (!fused) {
    const std::vector<double> deadlines = sorted_unique(known);
    const detail::ScoreGrid grid = additive
                                       ? rounds.score_additive(*additive, *deltas, deadlines)
                                       : rounds.score_generic(batch_of_instance, metric, deadlines);
    std::vector<std::size_t> column_of;
    for (const ThresholdQuality& t : result.thresholds) {
      column_of.push_back(slot_of(deadlines, t.seconds));
    }
    take_columns(result.thresholds, column_of, grid, r_count);
  } else {
    // Every planned bin is fenced by two more deadlines (scoring.hpp): its stand-in, which
    // every time below the bin meets and no time in or above it does, and its top.
    const detail::RankPlan plan = pooled.plan(ranks);
    std::vector<double> all = known;
    for (std::uint64_t key : plan.keys) {
      all.push_back(detail::PendingPercentiles::stand_in(key));
      all.push_back(detail::PendingPercentiles::top(key));
    }
    const std::vector<double> deadlines = sorted_unique(all);
    detail::PendingPercentiles pending;
    for (std::uint64_t key : plan.keys) {
      pending.stand_in_slot.push_back(
          slot_of(deadlines, detail::PendingPercentiles::stand_in(key)));
      pending.top_slot.push_back(slot_of(deadlines, detail::PendingPercentiles::top(key)));
    }
    for (double s : known) pending.read_back.push_back(slot_of(deadlines, s));
    const detail::ScoreGrid grid = rounds.score_additive(*additive, *deltas, deadlines, &pending);

    std::vector<std::vector<double>> bins(plan.keys.size());
    for (const auto& hit : pending.hits) bins[hit.bin].push_back(hit.t);
    at = plan.resolve(bins);

    // By round, then batch: the in-bin deltas below are then added in one order whatever
    // thread found them (a metric with fractional scores sums them to the same last bit).
    std::sort(pending.hits.begin(), pending.hits.end(), [](const auto& a, const auto& b) {
      return a.round != b.round ? a.round < b.round : a.batch < b.batch;
    });
    std::vector<std::size_t> first_hit(r_count + 1, 0);
    for (const auto& hit : pending.hits) ++first_hit[hit.round + 1];
    std::partial_sum(first_hit.begin(), first_hit.end(), first_hit.begin());

    // Deadlines known before the pass read their columns; percentile ones are resolved below.
    auto is_percentile = [&](std::size_t t) { return t < q_of.size() && q_of[t] != kNone; };
    std::vector<std::size_t> column_of;
    for (std::size_t t = 0; t < result.thresholds.size(); ++t) {
      column_of.push_back(is_percentile(t) ? kNone
                                           : slot_of(deadlines, result.thresholds[t].seconds));
    }
    take_columns(result.thresholds, column_of, grid, r_count);

    const std::size_t bins_planned = plan.keys.size();
    const double n = static_cast<double>(batch_of_instance.size());
    std::vector<double> sums(stats);
    for (std::size_t t = 0; t < result.thresholds.size(); ++t) {
      if (!is_percentile(t)) continue;
      ThresholdQuality& item = result.thresholds[t];
      item.seconds = at[q_of[t]];
      const std::size_t bin = plan.bin_of_rank[q_of[t]];
      std::vector<double> quality(r_count), late(r_count);
      for (std::size_t r = 0; r < r_count; ++r) {
        const std::size_t base = r * bins_planned + bin;
        std::copy_n(pending.sums.begin() + static_cast<std::ptrdiff_t>(base * stats), stats,
                    sums.begin());
        std::uint64_t on_time = pending.on_time[base];
        for (std::size_t h = first_hit[r]; h < first_hit[r + 1]; ++h) {
          const auto& hit = pending.hits[h];
          if (hit.bin != bin || hit.t > item.seconds) continue;
          deltas->add(hit.batch, sums);
          on_time += deltas->batch_size[hit.batch];
        }
        quality[r] = additive->finalize(sums);
        late[r] = static_cast<double>(batch_of_instance.size() - on_time) / n;
      }
      summarise(item, std::move(quality), std::move(late));
    }
  }
  result.latency = {pooled.count(), pooled.min(), pooled.mean(), 0, 0, 0, 0, 0, pooled.max()};
  if (summary) {
    result.latency.p50 = at[0];
    result.latency.p90 = at[1];
    result.latency.p95 = at[2];
    result.latency.p99 = at[3];
    result.latency.p99_9 = at[4];
  }
  return result;
}

}  // namespace tailq
