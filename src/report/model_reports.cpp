// Reporters of the time-model commands: converge, predict, fit.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "report/json_number.hpp"
#include "report/units.hpp"
#include "tailq/metric.hpp"
#include "tailq/report.hpp"

namespace tailq {
namespace {

using detail::json_number;
using nlohmann::ordered_json;

// Times print as in every other command: the unit that keeps three or four digits.
std::string time_text(double seconds) {
  return std::isfinite(seconds) ? detail::human_seconds(seconds) : "-";
}
std::string pct(double v) { return detail::percent(v); }

ordered_json summary_json(const Summary& s) {
  return {{"min", json_number(s.min)},   {"p1", json_number(s.p1)},
          {"p5", json_number(s.p5)},     {"median", json_number(s.median)},
          {"mean", json_number(s.mean)}, {"std", json_number(s.std)},
          {"max", json_number(s.max)}};
}

ordered_json description_json(const Description& d) {
  return {
      {"count", d.count},
      {"min", json_number(d.min)},
      {"max", json_number(d.max)},
      {"mean", json_number(d.mean)},
      {"median", json_number(d.median)},
      {"std", json_number(d.std)},
      {"skewness", json_number(d.skewness)},
      {"kurtosis", json_number(d.kurtosis)},
      {"q1", json_number(d.q1)},
      {"q3", json_number(d.q3)},
      {"iqr", json_number(d.iqr)},
      {"outliers", {{"iqr", d.outliers_iqr}, {"sigma", d.outliers_sigma}, {"mad", d.outliers_mad}}},
      {"bandwidth", json_number(d.bandwidth.value)},
      {"selector", std::string(to_string(d.bandwidth.selector))}};
}

ordered_json line_json(const std::optional<LinearFit>& fit) {
  if (!fit) return nullptr;
  return {{"slope", fit->slope},
          {"intercept", fit->intercept},
          {"r_squared", json_number(fit->r_squared)},
          {"count", fit->count}};
}

ordered_json thresholds_json(const ModelPrediction& m) {
  ordered_json list = ordered_json::array();
  for (const ThresholdPrediction& p : m.thresholds) {
    ordered_json predicted = summary_json(p.predicted);
    predicted["min_of_holdout"] = {{"median", p.min_of_holdout_median},
                                   {"p5", p.min_of_holdout_p5},
                                   {"p95", p.min_of_holdout_p95}};
    list.push_back({{"label", p.label},
                    {"seconds", p.seconds},
                    {"measured", summary_json(p.measured)},
                    {"predicted", std::move(predicted)},
                    {"error", {{"min", p.error_min}, {"mean", p.error_mean}, {"std", p.error_std}}},
                    {"js_distance", p.js_distance},
                    {"worst_inside_interval", p.worst_inside_interval}});
  }
  return list;
}

// What the numbers of a prediction say, in sentences: which model fits (or that the held-out
// rounds cannot tell), and every deadline where the measured worst round falls outside the
// model's interval for it.
void write_verdict(std::ostream& out, const PredictionReport& r) {
  out << "\n";
  const ModelPrediction& best = r.models[r.best_model];
  const std::string resolution = std::isfinite(r.error_resolution)
                                     ? fmt::format("{} points", pct(r.error_resolution))
                                     : "nothing (one held-out round has no spread)";
  if (r.best_is_clear) {
    out << fmt::format(
        "verdict: model {} fits the held-out rounds best (mean absolute error {} points; the "
        "held-out rounds resolve {})\n",
        to_string(best.model), pct(best.mean_abs_error), resolution);
  } else if (r.models.size() > 1) {
    std::string errors;
    for (const ModelPrediction& m : r.models) {
      errors += fmt::format("{}{} {}", errors.empty() ? "" : ", ", to_string(m.model),
                            pct(m.mean_abs_error));
    }
    out << fmt::format(
        "verdict: neither model fits clearly better: their mean absolute errors ({} points) "
        "differ by less than the held-out rounds resolve ({}); hold out more rounds to decide\n",
        errors, resolution);
  }
  for (const ModelPrediction& m : r.models) {
    for (const ThresholdPrediction& p : m.thresholds) {
      if (p.worst_inside_interval) continue;
      out << fmt::format(
          "warning: at {} ({}) the measured worst held-out round, {}%, lies outside model {}'s "
          "90% interval for the worst of {} rounds, [{}, {}]%: the model is too {} about "
          "this system's bad rounds\n",
          p.label, time_text(p.seconds), pct(p.measured.min), to_string(m.model), r.holdout_rounds,
          pct(p.min_of_holdout_p5), pct(p.min_of_holdout_p95),
          p.measured.min < p.min_of_holdout_p5 ? "optimistic" : "pessimistic");
    }
  }
}

}  // namespace

std::string to_json(const ConvergenceReport& r) {
  ordered_json j;
  j["rounds"] = r.rounds;
  j["fit_every"] = r.settings.fit_every;
  j["window"] = r.settings.window;
  j["tau"] = r.settings.tau;
  j["instances_sampled"] = r.instances_sampled;
  j["schedule"] = r.settings.schedule == ConvergenceSettings::Schedule::paper ? "paper" : "sliding";
  ordered_json series = ordered_json::array();
  auto optional = [](const std::optional<double>& v) {
    return v ? ordered_json(*v) : ordered_json(nullptr);
  };
  for (const auto& p : r.rjsd) {
    ordered_json point = {{"round", p.round},
                          {"round_index", p.round_index},
                          {"inference", p.inference},
                          {"total", p.total},
                          {"inference_bandwidth", p.inference_bandwidth},
                          {"total_bandwidth", p.total_bandwidth}};
    if (r.instances_sampled > 0) {
      point["instances_converged"] = {{"inference", optional(p.inference_instances)},
                                      {"total", optional(p.total_instances)}};
    }
    series.push_back(std::move(point));
  }
  j["rjsd"] = std::move(series);
  j["converged_at_round"] =
      r.converged_at ? ordered_json(r.rjsd[*r.converged_at].round) : ordered_json(nullptr);
  return j.dump(2);
}

void write_table(std::ostream& out, const ConvergenceReport& r) {
  out << fmt::format("{} measured rounds, fit every {}, window {}, tau {}\n", r.rounds,
                     r.settings.fit_every, r.settings.window, r.settings.tau);
  const bool instances = r.instances_sampled > 0;
  out << fmt::format(
      "{:>7} {:>12} {:>12}{}\n", "round", "rJSD inf", "rJSD total",
      instances ? fmt::format(" {:>14} {:>14}", "inst. conv inf", "inst. conv tot") : "");
  for (const auto& p : r.rjsd) {
    out << fmt::format(
        "{:>7} {:>12.5f} {:>12.5f}{}\n", p.round, p.inference, p.total,
        instances ? fmt::format(" {:>13.1f}% {:>13.1f}%", 100 * p.inference_instances.value_or(NAN),
                                100 * p.total_instances.value_or(NAN))
                  : "");
  }
  if (r.converged_at) {
    out << fmt::format("converged after {} measured rounds (rJSD <= {} for inference and total)\n",
                       r.rjsd[*r.converged_at].round, r.settings.tau);
  } else {
    out << fmt::format("not converged: rJSD stayed above {} for inference or total\n",
                       r.settings.tau);
  }
}

std::string to_json(const PredictionReport& r) {
  ordered_json j;
  j["training_rounds"] = r.training_rounds;
  j["holdout_rounds"] = r.holdout_rounds;
  j["simulations"] = r.simulations;
  j["time"] = r.time;
  j["metric"] = r.metric;
  j["model"] = std::string(to_string(r.models[r.best_model].model));
  j["best_is_clear"] = r.best_is_clear;
  j["error_resolution"] = json_number(r.error_resolution);
  j["thresholds"] = thresholds_json(r.models[r.best_model]);
  ordered_json models = ordered_json::array();
  for (const ModelPrediction& m : r.models) {
    models.push_back({{"model", std::string(to_string(m.model))},
                      {"mean_abs_error", m.mean_abs_error},
                      {"thresholds", thresholds_json(m)}});
  }
  j["models"] = std::move(models);
  return j.dump(2);
}

void write_table(std::ostream& out, const PredictionReport& r) {
  out << fmt::format(
      "trained on {} rounds, predicted {} simulated rounds, compared with the {} "
      "held-out rounds ({} time, {})\n",
      r.training_rounds, r.simulations, r.holdout_rounds, r.time, metric_title(r.metric));
  for (std::size_t m = 0; m < r.models.size(); ++m) {
    const ModelPrediction& model = r.models[m];
    out << fmt::format(
        "\nmodel {}{}: mean absolute error {} points\n", to_string(model.model),
        m == r.best_model && r.best_is_clear ? " (fits the held-out rounds best)" : "",
        pct(model.mean_abs_error));
    out << fmt::format("{:<8} {:>11} {:>9} {:>20} {:>9} {:>9} {:>9} {:>9}\n", "deadline", "seconds",
                       "worst%", "pred. worst% [90%]", "mean%", "pred.%", "std%", "pred.%");
    for (const ThresholdPrediction& p : model.thresholds) {
      out << fmt::format("{:<8} {:>11} {:>9} {:>20} {:>9} {:>9} {:>9} {:>9}\n", p.label,
                         time_text(p.seconds), pct(p.measured.min),
                         fmt::format("{} [{}, {}]", pct(p.min_of_holdout_median),
                                     pct(p.min_of_holdout_p5), pct(p.min_of_holdout_p95)),
                         pct(p.measured.mean), pct(p.predicted.mean), pct(p.measured.std),
                         pct(p.predicted.std));
    }
  }
  write_verdict(out, r);
}

std::string to_json(const FitReport& r) {
  ordered_json j;
  j["time"] = r.time;
  j["rounds"] = r.rounds;
  j["pooled_rounds"] = r.pooled_rounds;
  j["pooled"] = description_json(r.pooled);
  ordered_json spreads = ordered_json::object();
  for (const auto& s : r.per_instance) {
    spreads[s.statistic] = {{"min", json_number(s.min)},
                            {"p5", json_number(s.p5)},
                            {"median", json_number(s.median)},
                            {"p95", json_number(s.p95)},
                            {"max", json_number(s.max)}};
  }
  j["per_instance"] = std::move(spreads);
  ordered_json slowest = ordered_json::array();
  for (const auto& s : r.slowest) {
    ordered_json item = description_json(s.stats);
    item["instance"] = s.name;
    item["batch"] = s.batch;
    item["input_size"] = s.input_size ? ordered_json(*s.input_size) : ordered_json(nullptr);
    slowest.push_back(std::move(item));
  }
  j["slowest"] = std::move(slowest);
  j["mean_vs_input_size"] = line_json(r.mean_vs_size);
  j["std_vs_input_size"] = line_json(r.std_vs_size);
  return j.dump(2);
}

void write_table(std::ostream& out, const FitReport& r) {
  const Description& p = r.pooled;
  out << fmt::format("{} time, {} measured rounds ({} pooled)\n", r.time, r.rounds,
                     r.pooled_rounds);
  out << fmt::format(
      "pooled  n {}  mean {}  median {}  std {}  skew {:.3g}  kurt {:.3g}  IQR {}\n"
      "        outliers: {} (1.5 IQR), {} (3 sigma), {} (3 MAD)  bandwidth {} ({})\n\n",
      p.count, time_text(p.mean), time_text(p.median), time_text(p.std), p.skewness, p.kurtosis,
      time_text(p.iqr), p.outliers_iqr, p.outliers_sigma, p.outliers_mad,
      time_text(p.bandwidth.value), to_string(p.bandwidth.selector));
  out << fmt::format("per instance     {:>12} {:>12} {:>12} {:>12} {:>12}\n", "min", "p5", "median",
                     "p95", "max");
  for (const auto& s : r.per_instance) {
    auto value = [&](double v) {
      return s.in_seconds ? time_text(v) : std::isfinite(v) ? fmt::format("{:.4g}", v) : "-";
    };
    out << fmt::format("{:<16} {:>12} {:>12} {:>12} {:>12} {:>12}\n", s.statistic, value(s.min),
                       value(s.p5), value(s.median), value(s.p95), value(s.max));
  }
  out << "\nslowest instances (by mean time)\n";
  for (const auto& s : r.slowest) {
    out << fmt::format("  {:<20} mean {}  std {}  max {}{}\n", s.name, time_text(s.stats.mean),
                       time_text(s.stats.std), time_text(s.stats.max),
                       s.input_size ? fmt::format("  input size {:g}", *s.input_size) : "");
  }
  if (r.mean_vs_size) {
    out << fmt::format("\nmean time = {} + {:.4g} s x input size (R^2 {:.3f}, {} instances)\n",
                       time_text(r.mean_vs_size->intercept), r.mean_vs_size->slope,
                       r.mean_vs_size->r_squared, r.mean_vs_size->count);
  }
  if (r.std_vs_size) {
    out << fmt::format("std of time = {} + {:.4g} s x input size (R^2 {:.3f})\n",
                       time_text(r.std_vs_size->intercept), r.std_vs_size->slope,
                       r.std_vs_size->r_squared);
  }
}

}  // namespace tailq
