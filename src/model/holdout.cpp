// predict_trace: fit on all but the last H measured rounds, predict, compare with the H.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "tailq/divergence.hpp"
#include "tailq/error.hpp"
#include "tailq/metric.hpp"
#include "tailq/predict.hpp"
#include "tailq/run_options.hpp"

namespace tailq {
namespace {

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

}  // namespace

PredictionReport predict_trace(const TraceReader& trace, const PredictionRequest& request) {
  const std::vector<std::int64_t> measured = measured_rounds(trace);
  const std::size_t holdout =
      request.holdout ? request.holdout : automatic_holdout(measured.size());
  if (holdout == 0 || holdout + 2 > measured.size()) {
    throw OptionError("holdout", std::to_string(holdout) + " held out, but the trace has " +
                                     std::to_string(measured.size()) +
                                     " measured rounds; at least 2 must remain for training, and "
                                     "a prediction needs at least 3 measured rounds");
  }
  if (request.simulations == 0) throw OptionError("simulations", "must be positive");
  if (request.models.empty()) throw InputError("no time model chosen");
  const std::size_t training = measured.size() - holdout;
  const std::vector<std::int64_t> train(measured.begin(), measured.begin() + training);
  const std::vector<std::int64_t> held(measured.begin() + training, measured.end());
  const auto metric = make_metric(
      request.metric.empty() ? trace.experiment().metric : request.metric, trace.outcomes());
  const auto batch_of = trace.batch_of_instance();

  // Deadlines are fixed on the training rounds, then used as absolute seconds everywhere.
  AnalysisRequest on_training;
  on_training.thresholds = request.thresholds;
  on_training.threads = request.threads;
  const TailQuality fitted =
      analyze(TraceRoundSource(trace, request.time, train), batch_of, *metric, on_training);
  AnalysisRequest fixed;
  fixed.threads = request.threads;
  for (const ThresholdQuality& t : fitted.thresholds) {
    fixed.thresholds.push_back({ThresholdSpec::Kind::absolute, t.seconds, t.label});
  }
  const TailQuality held_out =
      analyze(TraceRoundSource(trace, request.time, held), batch_of, *metric, fixed);

  PredictionReport report;
  report.training_rounds = training;
  report.holdout_rounds = holdout;
  report.simulations = request.simulations;
  report.metric = std::string(metric->name());
  report.time = std::string(to_string(request.time));
  const std::vector<double> training_times = read_rounds(trace, request.time, train);
  for (TimeModelKind kind : request.models) {
    const TimeModel model(training_times, trace.batch_count(), kind, request.threads);
    const TailQuality simulated = analyze(
        SimulatedRoundSource(model, request.simulations, request.seed), batch_of, *metric, fixed);
    ModelPrediction& out = report.models.emplace_back();
    out.model = kind;
    double error_sum = 0;
    for (std::size_t t = 0; t < fixed.thresholds.size(); ++t) {
      const ThresholdQuality& m = held_out.thresholds[t];
      const ThresholdQuality& s = simulated.thresholds[t];
      ThresholdPrediction& p = out.thresholds.emplace_back();
      p.label = m.label;
      p.seconds = m.seconds;
      p.measured = m.quality;
      p.predicted = s.quality;
      // The worst of H simulated rounds, as often as S allows: the like of the measured worst.
      std::vector<double> minima;
      const std::size_t h = std::min(holdout, s.per_round.size());
      for (std::size_t first = 0; first + h <= s.per_round.size(); first += h) {
        minima.push_back(
            *std::min_element(s.per_round.begin() + first, s.per_round.begin() + first + h));
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
      p.js_distance = histogram_distance(s.per_round, m.per_round);
      p.worst_inside_interval =
          p.measured.min >= p.min_of_holdout_p5 && p.measured.min <= p.min_of_holdout_p95;
      error_sum += p.error_min + p.error_mean + p.error_std;
    }
    out.mean_abs_error = fixed.thresholds.empty()
                             ? 0
                             : error_sum / (3.0 * static_cast<double>(fixed.thresholds.size()));
  }
  for (std::size_t m = 1; m < report.models.size(); ++m) {
    if (report.models[m].mean_abs_error < report.models[report.best_model].mean_abs_error) {
      report.best_model = m;
    }
  }
  report.error_resolution = held_out_resolution(held_out, holdout);
  report.best_is_clear = true;
  for (std::size_t m = 0; m < report.models.size(); ++m) {
    const double margin =
        report.models[m].mean_abs_error - report.models[report.best_model].mean_abs_error;
    if (m != report.best_model && !(margin > report.error_resolution)) report.best_is_clear = false;
  }
  if (report.models.size() < 2) report.best_is_clear = false;
  return report;
}

}  // namespace tailq
