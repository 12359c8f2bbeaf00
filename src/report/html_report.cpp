// The HTML report: the C++ side gathers aggregated data (curves, histograms, top lists; never
// the raw times) and declarative Vega-Lite specs into one JSON document; the page only hands
// them to vega-embed.
#include "tailq/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/html_load.hpp"
#include "report/html_page.hpp"
#include "report/json_number.hpp"
#include "report/units.hpp"
#include "tailq/analysis.hpp"
#include "tailq/convergence.hpp"
#include "tailq/density.hpp"
#include "tailq/error.hpp"
#include "tailq/fit.hpp"
#include "tailq/load_analysis.hpp"
#include "tailq/predict.hpp"
#include "tailq/report.hpp"
#include "tailq/stats.hpp"

namespace tailq {
namespace {

using detail::html_escape;
using detail::json_number;
using nlohmann::ordered_json;

// What a safety case can quote: the distribution-free bound of `tailq analyze --guarantee`.
std::string guarantee_paragraph(const QualityGuarantee& g) {
  if (g.deadlines.empty()) return "";
  std::string text;
  if (!g.deadlines.front().bound) {
    text = fmt::format(
        "A guarantee that {}% of rounds reach a quality, with {}% confidence, needs at least {} "
        "independent rounds; this trace has {} measured rounds, worth {:.0f} independent ones.",
        detail::percent(g.request.coverage), detail::percent(g.request.confidence), g.rounds_needed,
        g.rounds, g.deadlines.front().effective_rounds);
  } else {
    text = fmt::format("With {}% confidence, at least {}% of rounds reach ",
                       detail::percent(g.request.confidence), detail::percent(g.request.coverage));
    for (const DeadlineGuarantee& d : g.deadlines) {
      text += fmt::format("{}{}% at {}", &d == &g.deadlines.front() ? "" : ", ",
                          d.bound ? detail::percent(*d.bound) : std::string("(no bound)"),
                          html_escape(d.label));
    }
    const std::size_t r = g.deadlines.front().order;
    const char* suffix = (r % 100 >= 11 && r % 100 <= 13) ? "th"
                         : r % 10 == 1                    ? "st"
                         : r % 10 == 2                    ? "nd"
                         : r % 10 == 3                    ? "rd"
                                                          : "th";
    text += fmt::format(
        " (distribution-free: the {} of {} rounds, which count as {:.0f} independent ones).",
        r == 1 ? std::string("worst") : fmt::format("{}{} lowest", r, suffix), g.rounds,
        g.deadlines.front().effective_rounds);
  }
  return "<p>" + text + "</p>\n";
}

std::string interval_cell(const Interval& i) {
  if (!std::isfinite(i.low) || !std::isfinite(i.high)) {
    return fmt::format("{:.2f} <small>(not yet bounded)</small>", 100 * i.value);
  }
  return fmt::format("{:.2f} <small>[{:.2f}, {:.2f}]</small>", 100 * i.value, 100 * i.low,
                     100 * i.high);
}

// The answer: per deadline, a typical and a bad round with their intervals, and the worst
// round seen, named as what it is.
std::string answer_table(const TailQuality& total) {
  std::string html = fmt::format(
      "<table><tr><th>deadline</th><th>ms</th><th>nominal %</th><th>typical round % (mean)</th>"
      "<th>bad round % (P{:g})</th><th>worst of {} rounds %</th><th>drop to worst (points)</th>"
      "</tr>",
      100 * total.precision->goal.bad_round, total.rounds);
  for (std::size_t k = 0; k < total.precision->deadlines.size(); ++k) {
    const DeadlinePrecision& d = total.precision->deadlines[k];
    const ThresholdQuality& t = total.thresholds[k];
    std::string ms = fmt::format("{:.4g}", 1e3 * d.seconds.value);
    if (d.seconds.low != d.seconds.high && std::isfinite(d.seconds.low) &&
        std::isfinite(d.seconds.high)) {
      ms += fmt::format(" <small>[{:.4g}, {:.4g}]</small>", 1e3 * d.seconds.low,
                        1e3 * d.seconds.high);
    }
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{:.2f}</td><td>{}</td><td>{}</td><td>{:.2f}</td>"
        "<td>{:.2f}</td></tr>",
        html_escape(d.label), ms, 100 * total.nominal_quality, interval_cell(d.mean),
        interval_cell(d.bad_round), 100 * t.quality.min,
        100 * (total.nominal_quality - t.quality.min));
  }
  html += "</table>\n<p>";
  for (const std::string& sentence : answer_sentences(*total.precision)) {
    html += html_escape(sentence) + " ";
  }
  html += fmt::format(
      "The worst round is the lowest of the {} measured; it gets lower the longer one measures, "
      "so it is shown, not certified.</p>\n",
      total.rounds);
  return html;
}

// A latency-only trace (no outcomes): per deadline the share of instances late, over rounds;
// the curves below then show the share on time (the on-time metric).
std::string late_section(const TailQuality& total) {
  std::string html =
      "<h2>Latency only: instances late at each deadline (total time)</h2>\n<p>This trace "
      "records no outcomes, so it has no quality; the charts' Q@T is the share of instances "
      "answered on time.</p>\n<table><tr><th>deadline</th><th>ms</th><th>late % (mean)</th>"
      "<th>late % (median round)</th><th>late % (P95 round)</th><th>late % (worst round)</th></tr>";
  for (const ThresholdQuality& t : total.thresholds) {
    if (t.from_sweep) continue;
    html += fmt::format(
        "<tr><td>{}</td><td>{:.4g}</td><td>{:.2f}</td><td>{:.2f}</td><td>{:.2f}</td>"
        "<td>{:.2f}</td></tr>",
        html_escape(t.label), 1e3 * t.seconds, 100 * t.late_fraction_mean,
        100 * (1 - t.quality.median), 100 * (1 - t.quality.p5), 100 * t.late_fraction_max);
  }
  return html + "</table>\n";
}

TailQuality analyse(const TraceReader& trace, TimeKind kind, const HtmlReportOptions& o) {
  TraceAnalysisOptions a;
  a.time = kind;
  a.guarantee = GuaranteeRequest{0.99, 0.95};
  a.precision = PrecisionGoal{};
  a.request.thresholds = parse_thresholds("p90,p99,p99.9");
  a.request.sweep = o.sweep;
  a.request.threads = o.threads;
  return analyze_trace(trace, a);
}

ordered_json curve_rows(const TailQuality& r) {
  ordered_json rows = ordered_json::array();
  for (const ThresholdQuality& t : r.thresholds) {
    if (!t.from_sweep) continue;
    std::vector<double> sorted = t.per_round;
    std::sort(sorted.begin(), sorted.end());
    rows.push_back({{"time", r.time},
                    {"ms", t.seconds * 1e3},
                    {"min", 100 * t.quality.min},
                    {"p5", 100 * t.quality.p5},
                    {"median", 100 * t.quality.median},
                    {"mean", 100 * t.quality.mean},
                    {"p95", 100 * percentile_sorted(sorted, 95)},
                    {"max", 100 * t.quality.max}});
  }
  return rows;
}

// Vega-Lite specs: data go in by name, so a spec stays readable.
ordered_json spec(const char* text) { return ordered_json::parse(text); }

constexpr const char* kCurveSpec = R"json({
  "width": 420, "height": 260,
  "layer": [
    {"mark": {"type": "area", "opacity": 0.25}, "encoding": {
      "x": {"field": "ms", "type": "quantitative", "title": "deadline T (ms)"},
      "y": {"field": "min", "type": "quantitative", "title": "Q@T (%)", "scale": {"zero": false}},
      "y2": {"field": "max"}, "tooltip": [{"field": "ms"}, {"field": "min"}, {"field": "max"}]}},
    {"mark": {"type": "area", "opacity": 0.45}, "encoding": {
      "x": {"field": "ms", "type": "quantitative"}, "y": {"field": "p5", "type": "quantitative"},
      "y2": {"field": "p95"}}},
    {"mark": "line", "encoding": {
      "x": {"field": "ms", "type": "quantitative"}, "y": {"field": "median", "type": "quantitative"},
      "tooltip": [{"field": "ms"}, {"field": "median"}, {"field": "mean"}, {"field": "min"}]}},
    {"mark": {"type": "line", "strokeDash": [4, 2]}, "encoding": {
      "x": {"field": "ms", "type": "quantitative"}, "y": {"field": "mean", "type": "quantitative"}}},
    {"data": {"name": "nominal"}, "mark": {"type": "rule", "color": "green"},
     "encoding": {"y": {"field": "nominal", "type": "quantitative"}}},
    {"data": {"name": "markers"}, "mark": {"type": "rule", "color": "firebrick"},
     "encoding": {"x": {"field": "ms", "type": "quantitative"},
                  "tooltip": [{"field": "label"}, {"field": "ms"}]}}
  ]})json";

constexpr const char* kPerRoundSpec = R"json({
  "width": 420, "height": 200,
  "mark": {"type": "boxplot", "extent": "min-max"},
  "encoding": {"x": {"field": "deadline", "type": "nominal", "sort": null},
               "y": {"field": "quality", "type": "quantitative", "title": "Q@T per round (%)",
                     "scale": {"zero": false}},
               "color": {"field": "deadline", "type": "nominal", "legend": null}}})json";

constexpr const char* kHistogramSpec = R"json({
  "width": 420, "height": 220,
  "layer": [
    {"data": {"name": "histogram"}, "mark": {"type": "bar", "opacity": 0.6},
     "encoding": {"x": {"field": "lo", "type": "quantitative", "bin": {"binned": true},
                        "title": "total time (ms)"},
                  "x2": {"field": "hi"},
                  "y": {"field": "density", "type": "quantitative", "title": "density"},
                  "tooltip": [{"field": "lo"}, {"field": "hi"}, {"field": "count"}]}},
    {"data": {"name": "kde"}, "mark": {"type": "line", "color": "black"},
     "encoding": {"x": {"field": "ms", "type": "quantitative"},
                  "y": {"field": "density", "type": "quantitative"}}}
  ]})json";

constexpr const char* kDriftSpec = R"json({
  "width": 420, "height": 180, "mark": {"type": "line", "point": false},
  "encoding": {"x": {"field": "round", "type": "quantitative", "title": "round"},
               "y": {"field": "median_ms", "type": "quantitative", "title": "median time (ms)",
                     "scale": {"zero": false}},
               "tooltip": [{"field": "round"}, {"field": "median_ms"}]}})json";

constexpr const char* kConvergenceSpec = R"json({
  "width": 420, "height": 200,
  "layer": [
    {"mark": "line",
     "params": [{"name": "kind", "select": {"type": "point", "fields": ["time"]},
                 "bind": "legend"}],
     "encoding": {
      "x": {"field": "round", "type": "quantitative", "title": "measured rounds"},
      "y": {"field": "rjsd", "type": "quantitative", "title": "rJSD", "scale": {"type": "log"}},
      "color": {"field": "time", "type": "nominal"},
      "opacity": {"condition": {"param": "kind", "value": 1}, "value": 0.15},
      "tooltip": [{"field": "round"}, {"field": "time"}, {"field": "rjsd"}]}},
    {"data": {"name": "tau"}, "mark": {"type": "rule", "strokeDash": [4, 2]},
     "encoding": {"y": {"field": "tau", "type": "quantitative"}}}
  ]})json";

constexpr const char* kSizeSpec = R"json({
  "width": 420, "height": 220,
  "layer": [
    {"mark": {"type": "point", "opacity": 0.4}, "encoding": {
      "x": {"field": "size", "type": "quantitative", "title": "input size"},
      "y": {"field": "mean_ms", "type": "quantitative", "title": "mean time (ms)"},
      "tooltip": [{"field": "instance"}, {"field": "size"}, {"field": "mean_ms"}]}},
    {"data": {"name": "fit"}, "mark": {"type": "line", "color": "firebrick"},
     "encoding": {"x": {"field": "size", "type": "quantitative"},
                  "y": {"field": "mean_ms", "type": "quantitative"}}}
  ]})json";

constexpr const char* kPredictionSpec = R"json({
  "width": 420, "height": 220,
  "encoding": {"y": {"field": "what", "type": "nominal", "title": null, "sort": null}},
  "layer": [
    {"mark": {"type": "rule"}, "encoding": {
      "x": {"field": "lo", "type": "quantitative", "title": "worst Q@T (%)",
            "scale": {"zero": false}},
      "x2": {"field": "hi"}}},
    {"mark": {"type": "point", "filled": true, "size": 60}, "encoding": {
      "x": {"field": "quality", "type": "quantitative"},
      "color": {"field": "deadline", "type": "nominal"},
      "tooltip": [{"field": "what"}, {"field": "quality"}, {"field": "lo"}, {"field": "hi"}]}}
  ]})json";

}  // namespace

std::filesystem::path default_web_modules() {
  if (const char* env = std::getenv("TAILQ_WEB_MODULES")) return env;
  return TAILQ_WEB_MODULES;
}

void write_html_report(const TraceReader& trace, const std::filesystem::path& output,
                       const HtmlReportOptions& o) {
  if (is_load_trace(trace)) return detail::write_load_report(trace, output, o);
  const std::filesystem::path web = o.web_modules.empty() ? default_web_modules() : o.web_modules;
  const std::string libraries = detail::inline_chart_libraries(web);

  const TailQuality total = analyse(trace, TimeKind::total, o);
  const TailQuality inference = analyse(trace, TimeKind::inference, o);
  const Experiment& e = trace.experiment();
  const auto rounds = measured_rounds(trace);

  ordered_json charts = ordered_json::array();
  auto chart = [&](const char* id, const char* title, ordered_json s, ordered_json datasets) {
    s["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json";
    s["datasets"] = std::move(datasets);
    if (!s.contains("data") && !s.contains("layer")) s["data"] = {{"name", "values"}};
    if (s.contains("layer")) {
      for (auto& layer : s["layer"]) {
        if (!layer.contains("data")) layer["data"] = {{"name", "values"}};
      }
    }
    charts.push_back({{"id", id}, {"title", title}, {"spec", std::move(s)}});
  };

  // The quality-time curves, with the nominal quality and the tail-latency percentiles.
  for (const TailQuality* r : {&total, &inference}) {
    ordered_json markers = ordered_json::array();
    for (const ThresholdQuality& t : r->thresholds) {
      if (!t.from_sweep) markers.push_back({{"label", t.label}, {"ms", t.seconds * 1e3}});
    }
    chart(r == &total ? "curve-total" : "curve-inference",
          r == &total ? "Quality-time curve, total time" : "Quality-time curve, inference time",
          spec(kCurveSpec),
          {{"values", curve_rows(*r)},
           {"nominal", ordered_json::array({{{"nominal", 100 * r->nominal_quality}}})},
           {"markers", markers}});
  }
  // Per-round Q@T at the tail deadlines.
  ordered_json per_round = ordered_json::array();
  for (const ThresholdQuality& t : total.thresholds) {
    if (t.from_sweep) continue;
    for (double q : t.per_round) per_round.push_back({{"deadline", t.label}, {"quality", 100 * q}});
  }
  chart("per-round", "Q@T over rounds at the tail deadlines (total time)", spec(kPerRoundSpec),
        {{"values", per_round}});

  // Latency: a histogram of (a sample of) the pooled times up to P99.9 with the ISJ KDE, and
  // the per-round median against round index.
  std::vector<double> sample, times(trace.batch_count()), medians;
  const std::size_t step = std::max<std::size_t>(1, rounds.size() * times.size() / (1 << 20));
  ordered_json drift = ordered_json::array();
  std::vector<double> batch_sum(trace.batch_count(), 0.0);
  for (std::size_t i = 0; i < rounds.size(); ++i) {
    trace.read_times(rounds[i], TimeKind::total, times);
    if (i % step == 0) sample.insert(sample.end(), times.begin(), times.end());
    for (std::size_t b = 0; b < times.size(); ++b) batch_sum[b] += times[b];
    std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2),
                     times.end());
    drift.push_back({{"round", rounds[i]}, {"median_ms", times[times.size() / 2] * 1e3}});
  }
  const double lo = total.latency.min, hi = std::max(total.latency.p99_9, lo * (1 + 1e-9));
  constexpr std::size_t kBins = 60;
  std::vector<double> counts(kBins, 0.0);
  std::size_t inside = 0;
  for (double t : sample) {
    if (t > hi) continue;
    const auto b = static_cast<std::size_t>((t - lo) / (hi - lo) * kBins);
    counts[std::min(b, kBins - 1)] += 1;
    ++inside;
  }
  ordered_json histogram = ordered_json::array();
  const double width_ms = (hi - lo) * 1e3 / kBins;
  for (std::size_t b = 0; b < kBins; ++b) {
    histogram.push_back({{"lo", lo * 1e3 + static_cast<double>(b) * width_ms},
                         {"hi", lo * 1e3 + static_cast<double>(b + 1) * width_ms},
                         {"count", counts[b]},
                         {"density", counts[b] / (static_cast<double>(sample.size()) * width_ms)}});
  }
  const Kde kde(sample, isj_bandwidth(sample));
  ordered_json kde_rows = ordered_json::array();
  for (std::size_t i = 0; i <= 200; ++i) {
    const double t = lo + (hi - lo) * static_cast<double>(i) / 200;
    kde_rows.push_back({{"ms", t * 1e3}, {"density", kde.pdf(t) / 1e3}});
  }
  chart("latency", "Total time: histogram (to P99.9) and ISJ kernel density", spec(kHistogramSpec),
        {{"histogram", histogram}, {"kde", kde_rows}});
  chart("drift", "Median total time per round", spec(kDriftSpec), {{"values", drift}});

  // Convergence of the time distribution.
  const ConvergenceReport convergence = replay_convergence(trace, ConvergenceSettings{});
  ordered_json rjsd = ordered_json::array();
  for (const auto& p : convergence.rjsd) {
    rjsd.push_back({{"round", p.round}, {"time", "inference"}, {"rjsd", p.inference}});
    rjsd.push_back({{"round", p.round}, {"time", "total"}, {"rjsd", p.total}});
  }
  if (!rjsd.empty()) {
    chart("convergence", "Convergence: rJSD of the time distribution (tau dashed)",
          spec(kConvergenceSpec),
          {{"values", rjsd}, {"tau", ordered_json::array({{{"tau", convergence.settings.tau}}})}});
  }

  // Instances: the slowest, and time against input size.
  FitRequest fit_request;
  fit_request.pooled_budget = std::size_t{1} << 22;
  fit_request.threads = o.threads;
  const FitReport fit = describe_trace(trace, fit_request);
  ordered_json slowest = ordered_json::array();
  for (const auto& s : fit.slowest) {
    slowest.push_back({{"instance", s.name},
                       {"mean_ms", s.stats.mean * 1e3},
                       {"std_ms", json_number(s.stats.std * 1e3)},
                       {"max_ms", s.stats.max * 1e3}});
  }
  if (fit.mean_vs_size) {
    // At most 2,000 instances as points: enough to see the trend, small enough to stay light.
    ordered_json points = ordered_json::array();
    double size_lo = 1e300, size_hi = -1e300;
    const auto& instances = trace.instances();
    const std::size_t every = std::max<std::size_t>(1, instances.size() / 2000);
    for (std::size_t i = 0; i < instances.size(); ++i) {
      if (!instances[i].input_size) continue;
      const double size = *instances[i].input_size;
      size_lo = std::min(size_lo, size);
      size_hi = std::max(size_hi, size);
      if (i % every == 0) {
        points.push_back({{"instance", instances[i].name},
                          {"size", size},
                          {"mean_ms", batch_sum[instances[i].batch] /
                                          static_cast<double>(rounds.size()) * 1e3}});
      }
    }
    const LinearFit& f = *fit.mean_vs_size;
    ordered_json line = ordered_json::array(
        {{{"size", size_lo}, {"mean_ms", (f.intercept + f.slope * size_lo) * 1e3}},
         {{"size", size_hi}, {"mean_ms", (f.intercept + f.slope * size_hi) * 1e3}}});
    chart("size", "Mean total time against input size (line: least squares)", spec(kSizeSpec),
          {{"values", points}, {"fit", line}});
  }

  // Prediction against measurement, when there are rounds enough to hold some out: the measured
  // worst of the held-out rounds against the predicted worst of as many simulated rounds.
  if (rounds.size() >= 40) {
    PredictionRequest request;
    request.thresholds = parse_thresholds("p90,p99,p99.9");
    request.holdout = std::min<std::size_t>(30, rounds.size() / 4);
    request.simulations = 300;
    request.threads = o.threads;
    const PredictionReport prediction = predict_trace(trace, request);
    ordered_json rows = ordered_json::array();
    for (const ModelPrediction& m : prediction.models) {
      for (const ThresholdPrediction& p : m.thresholds) {
        const std::string model(to_string(m.model));
        rows.push_back({{"deadline", p.label},
                        {"what", p.label + ": measured worst"},
                        {"quality", 100 * p.measured.min},
                        {"lo", 100 * p.measured.min},
                        {"hi", 100 * p.measured.min}});
        rows.push_back({{"deadline", p.label},
                        {"what", p.label + ": predicted worst, " + model},
                        {"quality", 100 * p.min_of_holdout_median},
                        {"lo", 100 * p.min_of_holdout_p5},
                        {"hi", 100 * p.min_of_holdout_p95}});
      }
    }
    chart("prediction",
          "Worst Q@T of the held-out rounds: measured, and predicted (median, 90% interval)",
          spec(kPredictionSpec), {{"values", rows}});
  }

  ordered_json settings = ordered_json::object();
  try {
    settings = ordered_json::parse(e.settings_json);
  } catch (const std::exception&) {
  }
  ordered_json system = ordered_json::object();
  try {
    system = ordered_json::parse(e.system_json);
  } catch (const std::exception&) {
  }
  std::size_t warmup = 0;
  for (const RoundInfo& r : trace.rounds()) warmup += r.warmup;
  std::vector<std::string> warnings = total.warnings;
  if (system.contains("warnings") && system["warnings"].is_array()) {
    for (const auto& w : system["warnings"]) {
      if (w.is_string()) warnings.push_back(w.get<std::string>());
    }
  }

  // The page: static text is escaped here; data and specs travel as JSON.
  std::ostringstream html;
  html << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
       << "<title>tailq report: " << html_escape(e.model) << " on " << html_escape(e.dataset)
       << "</title>\n"
       << detail::kPageStyle << "</head><body>\n";
  html << "<h1>Tail quality: " << html_escape(e.model) << "</h1>\n<table>"
       << "<tr><td>dataset</td><td>" << html_escape(e.dataset) << "</td></tr>"
       << "<tr><td>backend</td><td>" << html_escape(e.backend) << "</td></tr>"
       << "<tr><td>metric</td><td>" << html_escape(total.metric) << "</td></tr>"
       << "<tr><td>instances</td><td>" << total.instances << "</td></tr>"
       << "<tr><td>rounds</td><td>" << rounds.size() << " measured, " << warmup
       << " warm-up</td></tr>";
  for (const char* key : {"batch_size", "threads"}) {
    if (settings.contains(key)) {
      html << "<tr><td>" << key << "</td><td>" << html_escape(settings[key].dump()) << "</td></tr>";
    }
  }
  for (const char* key : {"cpu_model", "kernel", "governor"}) {
    if (system.contains(key) && system[key].is_string()) {
      html << "<tr><td>" << key << "</td><td>" << html_escape(system[key].get<std::string>())
           << "</td></tr>";
    }
  }
  html << "</table>\n";
  if (!warnings.empty()) {
    html << "<div id=\"warnings\" style=\"border:2px solid #a40;padding:0 .8em;margin:1em 0\">";
    for (const std::string& w : warnings) {
      html << "<p class=\"warn\">warning: " << html_escape(w) << "</p>\n";
    }
    html << "</div>\n";
  }
  if (total.metric == kOnTimeMetric) {
    html << late_section(total);
  } else {
    html << "<h2>The answer: quality when every answer has a deadline (total time)</h2>\n"
         << answer_table(total);
    if (total.guarantee) html << guarantee_paragraph(*total.guarantee);
  }
  html << "<div id=\"charts\"></div>\n";
  html << "<h2>Slowest instances</h2>\n<table><tr><th>instance</th><th>mean ms</th><th>std ms"
          "</th><th>max ms</th></tr>";
  for (const auto& s : slowest) {
    auto ms = [](const ordered_json& v) {
      return v.is_number() ? fmt::format("{:.4g}", v.get<double>()) : std::string("-");
    };
    html << "<tr><td>" << html_escape(s["instance"].get<std::string>()) << "</td><td>"
         << ms(s["mean_ms"]) << "</td><td>" << ms(s["std_ms"]) << "</td><td>" << ms(s["max_ms"])
         << "</td></tr>";
  }
  html << "</table>\n";
  html << "<script type=\"application/json\" id=\"tailq-charts\">"
       << detail::script_safe_json(charts) << "</script>\n";
  html << libraries << detail::kRenderCharts << "</body></html>\n";
  detail::write_text_atomically(output, html.str());
}

}  // namespace tailq
