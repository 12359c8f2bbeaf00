// predict_trace: fit on all but the last H measured rounds, predict, compare with the H; the
// ranks of a sharded prediction each fit a share of the batches and simulate a share of rounds.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "collect/byte_codec.hpp"
#include "tailq/divergence.hpp"
#include "tailq/error.hpp"
#include "tailq/metric.hpp"
#include "tailq/predict.hpp"
#include "tailq/run_options.hpp"

namespace tailq {
namespace {

using detail::ByteReader;
using detail::ByteWriter;

constexpr std::size_t kHistogramBins = 20;

// JS distance between the histograms of two samples on shared bins over their joint range.
double histogram_distance(std::span<const double> a, std::span<const double> b) {
  const auto [a_lo, a_hi] = std::minmax_element(a.begin(), a.end());
  const auto [b_lo, b_hi] = std::minmax_element(b.begin(), b.end());
  const double lo = std::min(*a_lo, *b_lo), hi = std::max(*a_hi, *b_hi);
  if (!(hi > lo)) return 0.0;  // both constant and equal
  auto histogram = [&](std::span<const double> v) {
    std::vector<double> counts(kHistogramBins, 0.0);
    for (double x : v) {
      const auto bin = static_cast<std::size_t>((x - lo) / (hi - lo) * kHistogramBins);
      counts[std::min(bin, kHistogramBins - 1)] += 1;
    }
    return counts;
  };
  return js_distance(histogram(a), histogram(b));
}

std::vector<double> read_rounds(const TraceReader& trace, TimeKind kind,
                                std::span<const std::int64_t> rounds) {
  const std::size_t batches = trace.batch_count();
  std::vector<double> out(rounds.size() * batches);
  for (std::size_t r = 0; r < rounds.size(); ++r) {
    trace.read_times(rounds[r], kind, std::span(out).subspan(r * batches, batches));
  }
  return out;
}

// The default holdout: 30 rounds as in the paper, but never more than a third of the trace, so
// that a short trace still trains on most of its rounds.
std::size_t automatic_holdout(std::size_t measured) {
  return std::min<std::size_t>(30, measured / 3);
}

// Standard error of the held-out rounds' mean quality, averaged over the deadlines: errors of
// two models that differ by less than this are differences the held-out rounds cannot resolve.
// Infinite when one held-out round gives no spread to judge by.
double held_out_resolution(const TailQuality& held_out, std::size_t rounds) {
  if (held_out.thresholds.empty()) return 0;
  double sum = 0;
  for (const ThresholdQuality& t : held_out.thresholds) {
    sum += t.quality.std / std::sqrt(static_cast<double>(rounds));
  }
  const double mean = sum / static_cast<double>(held_out.thresholds.size());
  return std::isfinite(mean) ? mean : std::numeric_limits<double>::infinity();
}

// One model's prediction against the held-out rounds, from its simulated rounds' per-round Q@T
// (per deadline, in round order).
ModelPrediction compare_with_held_out(TimeModelKind kind, const TailQuality& held_out,
                                      const std::vector<std::vector<double>>& simulated,
                                      std::size_t holdout) {
  ModelPrediction out;
  out.model = kind;
  double error_sum = 0;
  for (std::size_t t = 0; t < simulated.size(); ++t) {
    const ThresholdQuality& m = held_out.thresholds[t];
    const std::vector<double>& per_round = simulated[t];
    ThresholdPrediction& p = out.thresholds.emplace_back();
    p.label = m.label;
    p.seconds = m.seconds;
    p.measured = m.quality;
    p.predicted = summarize(per_round);  // as the engine summarises rounds
    // The worst of H simulated rounds, as often as S allows: the like of the measured worst.
    std::vector<double> minima;
    const std::size_t h = std::min(holdout, per_round.size());
    for (std::size_t first = 0; first + h <= per_round.size(); first += h) {
      minima.push_back(*std::min_element(per_round.begin() + first, per_round.begin() + first + h));
    }
    const Summary of_minima = summarize(minima);
    std::vector<double> sorted = minima;
    std::sort(sorted.begin(), sorted.end());
    p.min_of_holdout_median = of_minima.median;
    p.min_of_holdout_p5 = of_minima.p5;
    p.min_of_holdout_p95 = percentile_sorted(sorted, 95);
    p.error_min = std::abs(p.min_of_holdout_median - p.measured.min);
    p.error_mean = std::abs(p.predicted.mean - p.measured.mean);
    // One held-out round has no spread to compare.
    p.error_std = std::isfinite(p.measured.std) ? std::abs(p.predicted.std - p.measured.std) : 0;
    p.js_distance = histogram_distance(per_round, m.per_round);
    p.worst_inside_interval =
        p.measured.min >= p.min_of_holdout_p5 && p.measured.min <= p.min_of_holdout_p95;
    error_sum += p.error_min + p.error_mean + p.error_std;
  }
  out.mean_abs_error =
      simulated.empty() ? 0 : error_sum / (3.0 * static_cast<double>(simulated.size()));
  return out;
}

void choose_best(PredictionReport& report, const TailQuality& held_out) {
  for (std::size_t m = 1; m < report.models.size(); ++m) {
    if (report.models[m].mean_abs_error < report.models[report.best_model].mean_abs_error) {
      report.best_model = m;
    }
  }
  report.error_resolution = held_out_resolution(held_out, report.holdout_rounds);
  report.best_is_clear = true;
  for (std::size_t m = 0; m < report.models.size(); ++m) {
    const double margin =
        report.models[m].mean_abs_error - report.models[report.best_model].mean_abs_error;
    if (m != report.best_model && !(margin > report.error_resolution)) report.best_is_clear = false;
  }
  if (report.models.size() < 2) report.best_is_clear = false;
}

// What rank 0 settles before the simulation: the deadlines, fixed on the training rounds (as
// absolute seconds), and every model's bandwidths, put together from the ranks' shares.
std::string settle(const AnalysisRequest& fixed, const std::vector<std::string>& fits,
                   std::size_t models) {
  ByteWriter out;
  out.put<std::uint64_t>(fixed.thresholds.size());
  for (const ThresholdSpec& t : fixed.thresholds) {
    out.put_string(t.label);
    out.put(t.value);
  }
  std::vector<ByteReader> shares(fits.begin(), fits.end());
  for (std::size_t m = 0; m < models; ++m) {
    std::vector<double> all, part;
    for (ByteReader& share : shares) {
      share.get_array(part);
      all.insert(all.end(), part.begin(), part.end());
    }
    out.put_array<double>(all);
  }
  return out.bytes();
}

// A rank's share [first, last) of the simulated rounds of every model, scored by the engine:
// per model and deadline, the per-round Q@T.
std::string simulate_share(const std::vector<TimeModel>& models,
                           std::pair<std::size_t, std::size_t> share, std::uint64_t seed,
                           std::span<const std::uint32_t> batch_of, const Metric& metric,
                           const AnalysisRequest& fixed) {
  const auto [first, last] = share;
  ByteWriter out;
  for (const TimeModel& model : models) {
    TailQuality s;
    if (last > first) {
      s = analyze(SimulatedRoundSource(model, last - first, seed, first), batch_of, metric, fixed);
    }
    for (std::size_t t = 0; t < fixed.thresholds.size(); ++t) {
      out.put_array<double>(s.thresholds.empty() ? std::span<const double>()
                                                 : std::span(s.thresholds[t].per_round));
    }
  }
  return out.bytes();
}

// The next model's per-round Q@T per deadline, put together from every rank's share in rank
// order, which is round order.
std::vector<std::vector<double>> next_model_rounds(std::vector<ByteReader>& shares,
                                                   std::size_t deadlines) {
  std::vector<std::vector<double>> per_round(deadlines);
  for (ByteReader& share : shares) {
    for (std::vector<double>& rounds : per_round) {
      std::vector<double> part;
      share.get_array(part);
      rounds.insert(rounds.end(), part.begin(), part.end());
    }
  }
  return per_round;
}

std::vector<std::int64_t> checked_measured(const TraceReader& trace,
                                           const PredictionRequest& request, std::size_t& holdout) {
  std::vector<std::int64_t> measured = measured_rounds(trace);
  holdout = request.holdout ? request.holdout : automatic_holdout(measured.size());
  if (holdout == 0 || holdout + 2 > measured.size()) {
    throw OptionError("holdout", std::to_string(holdout) + " held out, but the trace has " +
                                     std::to_string(measured.size()) +
                                     " measured rounds; at least 2 must remain for training, and "
                                     "a prediction needs at least 3 measured rounds");
  }
  if (request.simulations == 0) throw OptionError("simulations", "must be positive");
  if (request.models.empty()) throw InputError("no time model chosen");
  return measured;
}

}  // namespace

PredictionReport predict_trace(const TraceReader& trace, const PredictionRequest& request) {
  Shards alone;
  return predict_trace(trace, request, alone);
}

PredictionReport predict_trace(const TraceReader& trace, const PredictionRequest& request,
                               Shards& shards) {
  std::size_t holdout = 0;
  const std::vector<std::int64_t> measured = checked_measured(trace, request, holdout);
  const std::size_t training = measured.size() - holdout;
  const std::vector<std::int64_t> train(measured.begin(), measured.begin() + training);
  const std::vector<std::int64_t> held(measured.begin() + training, measured.end());
  const auto metric = make_metric(
      request.metric.empty() ? trace.experiment().metric : request.metric, trace.outcomes());
  const auto batch_of = trace.batch_of_instance();
  const std::size_t batches = trace.batch_count();

  // 1. Every rank fits its share of the batches of every model.
  const std::vector<double> training_times = read_rounds(trace, request.time, train);
  std::vector<TimeModel> models;
  const std::vector<std::string> fits = shards.gather([&] {
    const auto [first, last] = shards.share(batches);
    ByteWriter out;
    for (TimeModelKind kind : request.models) {
      models.emplace_back(training_times, batches, kind, request.threads, first, last);
      out.put_array<double>(models.back().bandwidths().subspan(first, last - first));
    }
    return out.bytes();
  });

  // 2. Rank 0 fixes the deadlines on the training rounds, then uses them as absolute seconds
  // everywhere, and measures the held-out rounds.
  TailQuality held_out;
  AnalysisRequest fixed;
  fixed.threads = request.threads;
  const std::string settled = shards.broadcast([&] {
    AnalysisRequest on_training;
    on_training.thresholds = request.thresholds;
    on_training.threads = request.threads;
    const TailQuality fitted =
        analyze(TraceRoundSource(trace, request.time, train), batch_of, *metric, on_training);
    for (const ThresholdQuality& t : fitted.thresholds) {
      fixed.thresholds.push_back({ThresholdSpec::Kind::absolute, t.seconds, t.label});
    }
    held_out = analyze(TraceRoundSource(trace, request.time, held), batch_of, *metric, fixed);
    return settle(fixed, fits, models.size());
  });
  ByteReader in(settled);
  fixed.thresholds.resize(in.get<std::uint64_t>());
  for (ThresholdSpec& t : fixed.thresholds) {
    t.kind = ThresholdSpec::Kind::absolute;
    t.label = in.get_string();
    t.value = in.get<double>();
  }
  for (TimeModel& model : models) {
    std::vector<double> bandwidths;
    in.get_array(bandwidths);
    model.set_bandwidths(std::move(bandwidths));
  }

  // 3. Every rank simulates its share of the rounds of every model, scored by the engine.
  const std::vector<std::string> simulated = shards.gather(
      [&] { return simulate_share(models, shards.share(request.simulations), request.seed,
                                  batch_of, *metric, fixed); });
  if (!shards.lead()) return {};

  // 4. Rank 0 puts the rounds together in order and compares each model with the held out.
  PredictionReport report;
  report.training_rounds = training;
  report.holdout_rounds = holdout;
  report.simulations = request.simulations;
  report.metric = std::string(metric->name());
  report.time = std::string(to_string(request.time));
  std::vector<ByteReader> shares(simulated.begin(), simulated.end());
  for (TimeModelKind kind : request.models) {
    report.models.push_back(compare_with_held_out(
        kind, held_out, next_model_rounds(shares, fixed.thresholds.size()), holdout));
  }
  choose_best(report, held_out);
  return report;
}

}  // namespace tailq
