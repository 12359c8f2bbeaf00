// Intervals for the tail quality at each deadline and the precision stop rule
// (tailq/precision.hpp, docs/precision.md).
#include "tailq/precision.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "analyse/engine_scanned.hpp"
#include "analyse/loaded_rounds.hpp"
#include "tailq/analysis.hpp"
#include "tailq/error.hpp"

namespace tailq {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::size_t kFewestRounds = 12;  // what long_run_variance needs
constexpr double kLookGrowth = 1.1;

const Interval kOpen{0, -kInf, kInf};

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

double share_at_or_below(const std::vector<double>& v, double value) {
  return static_cast<double>(
             std::count_if(v.begin(), v.end(), [&](double x) { return x <= value; })) /
         static_cast<double>(v.size());
}

// Intervals at a percentile deadline, which is itself estimated. The estimate T^ sits where the
// pooled share of instances on time reaches p; were it off, every round's Q@T would move with
// its share on time. To first order the error of the mean is then the mean of
// Q_r(T^) - kappa F_r(T^), and the error of the share of rounds at or below the bad round's
// value v the mean of 1{Q_r(T^) <= v} - lambda F_r(T^) (the delta method, docs/precision.md),
// with the slopes kappa = d mean / d share on time and lambda = d share below v / d share on
// time taken across the deadline's interval [lo, hi]. A slow machine moves Q@T and the deadline
// together, which largely cancels: at an accurate model's P99 the mean stays close to nominal
// minus 1% whatever the rounds.
void at_estimated_deadline(const ThresholdQuality& at, const ThresholdQuality& lo,
                           const ThresholdQuality& hi, double level, const PrecisionGoal& goal,
                           std::span<const std::uint32_t> node_of_round, DeadlinePrecision& d) {
  const double span = mean_of(lo.per_round_late_fraction) - mean_of(hi.per_round_late_fraction);
  std::vector<double> on_time(at.per_round.size());
  for (std::size_t r = 0; r < on_time.size(); ++r) on_time[r] = 1 - at.per_round_late_fraction[r];
  const double kappa = span > 0 ? (mean_of(hi.per_round) - mean_of(lo.per_round)) / span : 0;
  const DeadlineShift for_mean{on_time, kappa};
  const MeanInterval mean =
      node_of_round.empty() ? mean_interval(at.per_round, level, 0, &for_mean)
                            : mean_interval_by_node(at.per_round, node_of_round, level, &for_mean);
  const double half = mean.interval.high - mean.interval.value;
  d.mean = {at.quality.mean, at.quality.mean - half, at.quality.mean + half};
  const double v = d.bad_round.value;  // the estimate at T^, from the plain interval
  const double lambda =
      span > 0 ? (share_at_or_below(hi.per_round, v) - share_at_or_below(lo.per_round, v)) / span
               : 0;
  const DeadlineShift for_bad{on_time, lambda};
  d.bad_round = quantile_interval(at.per_round, goal.bad_round, level,
                                  batch_size_for(at.per_round.size(), d.lag1), &for_bad)
                    .interval;
}

// No interval of a mean is narrower than what one unseen kind of event could move it: an event
// that did not happen in n rounds may still have a rate up to 3 / n (the rule of three, 95%),
// and one instance changes Q@T by about 1 / instances. Without this floor a deadline at which
// every round scored the same would claim a zero-width interval.
Interval with_unseen_events(Interval i, std::size_t rounds, std::size_t instances, double level) {
  const double n = static_cast<double>(rounds);
  const double rate = std::min(0.5, 3 / n);
  const double step = 1 / static_cast<double>(std::max<std::size_t>(instances, 1));
  const double z = boost::math::quantile(boost::math::normal(), 0.5 + level / 2);
  const double floor = z * step * std::sqrt(rate * (1 - rate) / n);
  i.low = std::min(i.low, i.value - floor);
  i.high = std::max(i.high, i.value + floor);
  return i;
}

const ThresholdQuality* find_label(const TailQuality& q, const std::string& label) {
  for (const ThresholdQuality& t : q.thresholds) {
    if (!t.from_sweep && t.label == label) return &t;
  }
  return nullptr;
}

}  // namespace

void check(const PrecisionGoal& goal) {
  if (!(goal.epsilon > 0) || !std::isfinite(goal.epsilon)) {
    throw InputError("precision: epsilon must be a positive quality difference, got " +
                     std::to_string(goal.epsilon));
  }
  if (!(goal.confidence > 0 && goal.confidence < 1)) {
    throw InputError("precision: confidence must lie strictly between 0 and 1, got " +
                     std::to_string(goal.confidence));
  }
  if (!(goal.bad_round > 0 && goal.bad_round < 1)) {
    throw InputError("precision: the bad round's quantile must lie strictly between 0 and 1, got " +
                     std::to_string(goal.bad_round));
  }
}

bool is_look(std::size_t rounds) {
  for (std::size_t look = kFirstLook; look <= rounds;
       look = std::max(look + 1, static_cast<std::size_t>(
                                     std::ceil(kLookGrowth * static_cast<double>(look))))) {
    if (look == rounds) return true;
  }
  return false;
}

PrecisionEstimate estimate_precision(const TraceReader& trace, const TraceAnalysisOptions& options,
                                     const TailQuality& measured, const PrecisionGoal& goal) {
  const auto metric = make_metric(
      options.metric.empty() ? trace.experiment().metric : options.metric, trace.outcomes());
  const std::vector<std::int64_t> selected = selected_rounds(trace, options);
  const auto rounds =
      detail::rounds_to_analyse(trace, options.time, selected, options.request.threads);
  const detail::RoundPasses passes(*rounds, options.request.threads);
  return detail::estimate_precision(passes, passes.scan(), trace.batch_of_instance(), *metric,
                                    detail::node_of_rounds(trace, selected), options, measured,
                                    goal);
}

PrecisionEstimate detail::estimate_precision(
    const RoundPasses& rounds, const detail::PooledTimes& pooled,
    std::span<const std::uint32_t> batch_of_instance, const Metric& metric,
    std::span<const std::uint32_t> node_of_round, const TraceAnalysisOptions& options,
    const TailQuality& measured, const PrecisionGoal& goal) {
  check(goal);
  // Rounds from several nodes: nodes are the level the mean is averaged over.
  auto mean_of_rounds = [&](std::span<const double> x, double level,
                            const DeadlineShift* shift = nullptr) {
    return node_of_round.empty() ? mean_interval(x, level, 0, shift)
                                 : mean_interval_by_node(x, node_of_round, level, shift);
  };
  PrecisionEstimate e;
  e.goal = goal;
  e.rounds = measured.rounds;
  // The requested deadlines come first in measured.thresholds, in the order of the request.
  const std::vector<ThresholdSpec>& specs = options.request.thresholds;
  auto is_percentile = [&](std::size_t k) {
    return k < specs.size() && specs[k].kind == ThresholdSpec::Kind::percentile;
  };
  std::size_t intervals = 0;
  for (std::size_t k = 0; k < measured.thresholds.size(); ++k) {
    if (!measured.thresholds[k].from_sweep) intervals += is_percentile(k) ? 3 : 2;
  }
  if (intervals == 0) return e;
  e.interval_confidence = 1 - (1 - goal.confidence) / static_cast<double>(intervals);
  const double level = e.interval_confidence;
  const std::size_t n = measured.rounds;

  // A percentile deadline's interval: the pooled share of times on time is the mean of the
  // per-round shares, whose long-run variance gives the uncertainty of the level; the deadlines
  // at the level's ends come from one more pass over the same rounds.
  struct Bracket {
    std::size_t deadline;
    double low_level, high_level;
  };
  std::vector<Bracket> brackets;
  std::vector<ThresholdSpec> ends;
  for (std::size_t k = 0; k < measured.thresholds.size(); ++k) {
    const ThresholdQuality& t = measured.thresholds[k];
    if (t.from_sweep || !is_percentile(k) || n < kFewestRounds) continue;
    std::vector<double> on_time(n);
    for (std::size_t r = 0; r < n; ++r) on_time[r] = 1 - t.per_round_late_fraction[r];
    const MeanInterval share = mean_of_rounds(on_time, level);
    const double p = specs[k].value / 100;
    const double half = share.interval.value - share.interval.low;
    brackets.push_back({k, std::clamp(p - half, 0.0, 1.0), std::clamp(p + half, 0.0, 1.0)});
    ends.push_back({ThresholdSpec::Kind::percentile, 100 * brackets.back().low_level,
                    "lo" + std::to_string(k)});
    ends.push_back({ThresholdSpec::Kind::percentile, 100 * brackets.back().high_level,
                    "hi" + std::to_string(k)});
  }
  std::optional<TailQuality> at_ends;
  if (!ends.empty()) {
    AnalysisRequest again = options.request;
    again.thresholds = ends;
    again.sweep = 0;
    at_ends = detail::analyze_scanned(rounds, pooled, batch_of_instance, metric, again,
                                      detail::LatencyPercentiles::skipped);
  }

  auto intervals_at = [&](const ThresholdQuality& t, DeadlinePrecision& d) {
    const MeanInterval mean = mean_of_rounds(t.per_round, level);
    // The quantile's indicator is as dependent as the rounds it comes from: it takes the batch
    // size chosen for the series itself (a rare indicator's own lag-1 says little).
    const QuantileInterval bad =
        quantile_interval(t.per_round, goal.bad_round, level, mean.variance.batch_size);
    d.mean = mean.interval;
    d.bad_round = bad.interval;
    d.effective_rounds = mean.effective_rounds;
    d.lag1 = mean.variance.lag1;
  };
  e.met = true;
  for (std::size_t k = 0; k < measured.thresholds.size(); ++k) {
    const ThresholdQuality& t = measured.thresholds[k];
    if (t.from_sweep) continue;
    DeadlinePrecision& d = e.deadlines.emplace_back();
    d.label = t.label;
    d.seconds = {t.seconds, t.seconds, t.seconds};
    if (n < kFewestRounds) {
      d.mean = d.bad_round = kOpen;
      d.mean.value = t.quality.mean;
      d.bad_round.value = t.quality.p5;
      if (is_percentile(k)) d.seconds = {t.seconds, -kInf, kInf};
      e.met = false;
      continue;
    }
    intervals_at(t, d);
    const auto bracket = std::find_if(brackets.begin(), brackets.end(),
                                      [&](const Bracket& b) { return b.deadline == k; });
    if (bracket != brackets.end()) {
      const ThresholdQuality* lo = find_label(*at_ends, "lo" + std::to_string(k));
      const ThresholdQuality* hi = find_label(*at_ends, "hi" + std::to_string(k));
      d.seconds = {t.seconds, std::min(lo->seconds, t.seconds), std::max(hi->seconds, t.seconds)};
      at_estimated_deadline(t, *lo, *hi, level, goal, node_of_round, d);
    }
    d.mean = with_unseen_events(d.mean, n, measured.instances, level);
    // Qualities on a lattice (k / n instances) meet epsilon exactly; rounding must not fail it.
    const double goal_width = goal.epsilon * (1 + 1e-9);
    d.precise = d.mean.half_width() <= goal_width && d.bad_round.half_width() <= goal_width;
    e.met = e.met && d.precise;
  }
  return e;
}

PrecisionReplay replay_precision(const TraceReader& trace, const TraceAnalysisOptions& options) {
  Shards alone;
  return replay_precision(trace, options, alone);
}

PrecisionReplay replay_precision(const TraceReader& trace, const TraceAnalysisOptions& options,
                                 Shards& shards) {
  if (!options.precision) throw InputError("replay_precision: no precision goal given");
  TraceAnalysisOptions at = options;
  at.request.sweep = 0;
  at.guarantee.reset();
  std::vector<std::int64_t> rounds = selected_rounds(trace, options);
  const std::vector<std::int64_t> measured = measured_rounds(trace);
  PrecisionReplay replay;
  replay.rounds = rounds.size();
  for (std::size_t n = kFewestRounds; n <= rounds.size(); ++n) {
    if (!is_look(n) && n != rounds.size()) continue;
    // Up to and including the n-th selected round, as a position among the measured rounds.
    at.last_round =
        std::lower_bound(measured.begin(), measured.end(), rounds[n - 1]) - measured.begin() + 1;
    const TailQuality q = analyze_trace(trace, at, shards);
    PrecisionReplay::Look look{n, 0, 0};
    for (const DeadlinePrecision& d : q.precision->deadlines) {
      look.mean_half_width = std::max(look.mean_half_width, d.mean.half_width());
      look.bad_round_half_width = std::max(look.bad_round_half_width, d.bad_round.half_width());
    }
    replay.looks.push_back(look);
    replay.estimate = *q.precision;
    if (q.precision->met) {
      replay.stopped_at = n;
      break;
    }
  }
  return replay;
}

}  // namespace tailq
