// The charts of `tailq report`. Every line, band and colour is named in a legend or labelled
// on the chart, time axes show where the measured times lie (report/html_charts.hpp), and
// charts take the page's width ("container").
#include "report/html_report_charts.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "report/html_charts.hpp"
#include "tailq/describe.hpp"

namespace tailq::detail {
namespace {

ordered_json spec(const char* text) { return ordered_json::parse(text); }

constexpr const char* kAllRounds = "all rounds (lowest to highest)";
constexpr const char* kMiddle = "middle 90% of rounds (P5 to P95)";
constexpr const char* kMedian = "median round";
constexpr const char* kMean = "mean round (dashed)";
constexpr const char* kNominal = "nominal quality (every answer on time)";
constexpr const char* kDeadlines = "tail deadlines: percentiles of the times (labelled)";

constexpr const char* kCurveSpec = R"json({
  "width": "container", "height": 280,
  "layer": [
    {"mark": {"type": "area", "clip": true}, "encoding": {
      "y": {"field": "min", "type": "quantitative", "title": "Q@T (%)", "scale": {"zero": false}},
      "y2": {"field": "max"}, "tooltip": [{"field": "ms"}, {"field": "min"}, {"field": "max"}]}},
    {"mark": {"type": "area", "clip": true}, "encoding": {
      "y": {"field": "p5", "type": "quantitative"}, "y2": {"field": "p95"}}},
    {"mark": {"type": "line", "clip": true}, "encoding": {
      "y": {"field": "median", "type": "quantitative"},
      "tooltip": [{"field": "ms"}, {"field": "median"}, {"field": "mean"}, {"field": "min"}]}},
    {"mark": {"type": "line", "strokeDash": [4, 2], "clip": true}, "encoding": {
      "y": {"field": "mean", "type": "quantitative"}}},
    {"data": {"name": "nominal"}, "mark": {"type": "rule"},
     "encoding": {"y": {"field": "nominal", "type": "quantitative"}}},
    {"data": {"name": "markers"}, "mark": {"type": "rule", "strokeDash": [2, 2]},
     "encoding": {"tooltip": [{"field": "label"}, {"field": "ms"}]}},
    {"data": {"name": "markers"}, "mark": {"type": "text", "align": "left", "dx": 3,
                                           "baseline": "top", "color": "#b22222"},
     "encoding": {"y": {"value": 2}, "text": {"field": "label"}}}
  ]})json";

// The deadlines a chart marks: the requested (not swept) ones of `r`.
ordered_json markers(const TailQuality& r) {
  ordered_json rows = ordered_json::array();
  for (const ThresholdQuality& t : r.thresholds) {
    if (!t.from_sweep) rows.push_back({{"label", t.label}, {"ms", t.seconds * 1e3}});
  }
  return rows;
}

// Puts `x` on every layer that has no data of its own or draws per-row marks.
void set_x(ordered_json& s, const ordered_json& x, const char* skip_dataset) {
  for (auto& layer : s["layer"]) {
    if (layer.contains("data") && layer["data"]["name"] == skip_dataset) continue;
    layer["encoding"]["x"] = x;
  }
}

}  // namespace

ordered_json curve_chart(const char* id, const std::string& title, const TailQuality& r) {
  ordered_json rows = ordered_json::array();
  for (const ThresholdQuality& t : r.thresholds) {
    if (!t.from_sweep) continue;
    rows.push_back({{"ms", t.seconds * 1e3},
                    {"min", 100 * t.quality.min},
                    {"p5", 100 * t.quality.p5},
                    {"median", 100 * t.quality.median},
                    {"mean", 100 * t.quality.mean},
                    {"p95", 100 * t.quality.p95},
                    {"max", 100 * t.quality.max}});
  }
  const TimeAxis axis = time_axis(r.latency.min, r.latency.p99_9);
  ordered_json s = spec(kCurveSpec);
  set_x(s,
        {{"field", "ms"},
         {"type", "quantitative"},
         {"scale", time_scale(axis)},
         {"title", axis.log ? "deadline T (ms, log scale)" : "deadline T (ms)"}},
        "nominal");
  const char* names[] = {kAllRounds, kMiddle, kMedian, kMean, kNominal, kDeadlines};
  for (std::size_t i = 0; i < std::size(names); ++i) {
    s["layer"][i]["encoding"]["color"] = {{"datum", names[i]}, {"type", "nominal"}};
  }
  s["layer"][0]["encoding"]["color"]["scale"] = named_colors({{kAllRounds, "#c6dbef"},
                                                              {kMiddle, "#6baed6"},
                                                              {kMedian, "#08306b"},
                                                              {kMean, "#e6550d"},
                                                              {kNominal, "#2ca02c"},
                                                              {kDeadlines, "#b22222"}});
  s["layer"][0]["encoding"]["color"]["legend"] = legend_below(2);
  s["usermeta"] = {
      {"time_axis", "x"},
      {"measured_ms", ordered_json::array({r.latency.min * 1e3, r.latency.p99_9 * 1e3})}};
  const std::string note = fmt::format(
      "{} The axis runs from the fastest time to P99.9; above it, up to the slowest time "
      "({:.4g} ms), every curve rises to the nominal quality.",
      title, r.latency.max * 1e3);
  return make_chart(id, note, std::move(s),
                    {{"values", rows},
                     {"nominal", ordered_json::array({{{"nominal", 100 * r.nominal_quality}}})},
                     {"markers", markers(r)}});
}

ordered_json per_round_chart(const TailQuality& total) {
  ordered_json rows = ordered_json::array();
  for (const ThresholdQuality& t : total.thresholds) {
    if (t.from_sweep) continue;
    const std::string name = fmt::format("{} = {:.4g} ms", t.label, t.seconds * 1e3);
    for (double q : t.per_round) rows.push_back({{"deadline", name}, {"quality", 100 * q}});
  }
  ordered_json s = spec(R"json({
    "width": "container", "height": 220,
    "mark": {"type": "boxplot", "extent": "min-max"},
    "encoding": {"x": {"field": "deadline", "type": "nominal", "sort": null, "title": null},
                 "y": {"field": "quality", "type": "quantitative", "title": "Q@T per round (%)",
                       "scale": {"zero": false}},
                 "color": {"field": "deadline", "type": "nominal", "sort": null,
                           "title": "deadline (box: middle half of rounds, whiskers: lowest and highest)"}}})json");
  s["encoding"]["color"]["legend"] = legend_below(3);
  s["encoding"]["color"]["legend"].erase("title");
  return make_chart("per-round", "Q@T of each measured round at the tail deadlines (total time)",
                    std::move(s), {{"values", rows}});
}

ordered_json latency_chart(const TimeProfile& profile, const TailQuality& total) {
  ordered_json bars = ordered_json::array(), density = ordered_json::array();
  for (const TimeProfile::Bin& b : profile.histogram) {
    bars.push_back(
        {{"lo", b.lo * 1e3}, {"hi", b.hi * 1e3}, {"count", b.count}, {"share", 100 * b.share}});
  }
  for (std::size_t i = 0; i < profile.density_at.size(); ++i) {
    density.push_back({{"ms", profile.density_at[i] * 1e3}, {"share", 100 * profile.density[i]}});
  }
  const TimeAxis axis = time_axis(total.latency.min, total.latency.p99_9);
  const ordered_json x = {{"type", "quantitative"},
                          {"scale", time_scale(axis)},
                          {"title", axis.log ? "total time (ms, log scale)" : "total time (ms)"}};
  constexpr const char* kBars = "share of the times in each bar";
  constexpr const char* kDensity = "ISJ kernel density, per bar width";
  ordered_json s = spec(R"json({
    "width": "container", "height": 240,
    "layer": [
      {"data": {"name": "histogram"}, "mark": {"type": "bar", "opacity": 0.7, "clip": true},
       "encoding": {"x2": {"field": "hi"},
                    "y": {"field": "share", "type": "quantitative", "title": "share of times (%)"},
                    "tooltip": [{"field": "lo"}, {"field": "hi"}, {"field": "count"}]}},
      {"data": {"name": "kde"}, "mark": {"type": "line", "clip": true},
       "encoding": {"y": {"field": "share", "type": "quantitative"}}},
      {"data": {"name": "markers"}, "mark": {"type": "rule", "strokeDash": [2, 2]},
       "encoding": {"tooltip": [{"field": "label"}, {"field": "ms"}]}},
      {"data": {"name": "markers"}, "mark": {"type": "text", "align": "left", "dx": 3,
                                             "baseline": "top", "color": "#b22222"},
       "encoding": {"y": {"value": 2}, "text": {"field": "label"}}}]})json");
  ordered_json bin_x = x;
  bin_x["field"] = "lo";
  bin_x["bin"] = {{"binned", true}};
  ordered_json line_x = x;
  line_x["field"] = "ms";
  s["layer"][0]["encoding"]["x"] = bin_x;
  for (std::size_t i = 1; i < 4; ++i) s["layer"][i]["encoding"]["x"] = line_x;
  const char* names[] = {kBars, kDensity, kDeadlines};
  for (std::size_t i = 0; i < 3; ++i) {
    s["layer"][i]["encoding"]["color"] = {{"datum", names[i]}, {"type", "nominal"}};
  }
  s["layer"][0]["encoding"]["color"]["scale"] =
      named_colors({{kBars, "#6baed6"}, {kDensity, "#000000"}, {kDeadlines, "#b22222"}});
  s["layer"][0]["encoding"]["color"]["legend"] = legend_below(3);
  s["usermeta"] = {
      {"time_axis", "x"},
      {"measured_ms", ordered_json::array({total.latency.min * 1e3, total.latency.p99_9 * 1e3})}};
  return make_chart(
      "latency",
      fmt::format("Total time: histogram and ISJ kernel density, fastest time to P99.9 (the "
                  "slowest, {:.4g} ms, lies beyond)",
                  total.latency.max * 1e3),
      std::move(s), {{"histogram", bars}, {"kde", density}, {"markers", markers(total)}});
}

ordered_json drift_chart(const TimeProfile& profile) {
  ordered_json rows = ordered_json::array();
  for (std::size_t i = 0; i < profile.round_medians.size(); ++i) {
    rows.push_back({{"round", i + 1}, {"median_ms", profile.round_medians[i] * 1e3}});
  }
  return make_chart("drift", "Median total time of each measured round (warm-up excluded)",
                    spec(R"json({
    "width": "container", "height": 180, "mark": {"type": "line", "point": false},
    "encoding": {"x": {"field": "round", "type": "quantitative", "title": "measured round"},
                 "y": {"field": "median_ms", "type": "quantitative",
                       "title": "median total time (ms)", "scale": {"zero": false}},
                 "tooltip": [{"field": "round"}, {"field": "median_ms"}]}})json"),
                    {{"values", rows}});
}

ordered_json convergence_chart(const ConvergenceReport& convergence) {
  ordered_json rows = ordered_json::array();
  for (const auto& p : convergence.rjsd) {
    rows.push_back({{"round", p.round}, {"time", "rJSD, inference time"}, {"rjsd", p.inference}});
    rows.push_back({{"round", p.round}, {"time", "rJSD, total time"}, {"rjsd", p.total}});
  }
  ordered_json s = spec(R"json({
    "width": "container", "height": 220,
    "layer": [
      {"mark": "line",
       "params": [{"name": "kind", "select": {"type": "point", "fields": ["time"]},
                   "bind": "legend"}],
       "encoding": {
        "x": {"field": "round", "type": "quantitative", "title": "measured round"},
        "y": {"field": "rjsd", "type": "quantitative", "title": "rJSD", "scale": {"type": "log"}},
        "color": {"field": "time", "type": "nominal"},
        "opacity": {"condition": {"param": "kind", "value": 1}, "value": 0.15},
        "tooltip": [{"field": "round"}, {"field": "time"}, {"field": "rjsd"}]}},
      {"data": {"name": "tau"}, "mark": {"type": "rule", "strokeDash": [4, 2]},
       "encoding": {"y": {"field": "tau", "type": "quantitative"},
                    "color": {"datum": "tau: the stop rule's threshold (dashed)"}}}]})json");
  s["layer"][0]["encoding"]["color"]["legend"] = legend_below(3);
  return make_chart(
      "convergence", "Convergence: rJSD of the time distribution, per measured round", std::move(s),
      {{"values", rows}, {"tau", ordered_json::array({{{"tau", convergence.settings.tau}}})}});
}

ordered_json size_chart(const TraceReader& trace, const TimeProfile& profile, const LinearFit& f) {
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
                        {"mean_ms", profile.batch_means[instances[i].batch] * 1e3}});
    }
  }
  ordered_json line = ordered_json::array(
      {{{"size", size_lo}, {"mean_ms", (f.intercept + f.slope * size_lo) * 1e3}},
       {{"size", size_hi}, {"mean_ms", (f.intercept + f.slope * size_hi) * 1e3}}});
  ordered_json s = spec(R"json({
    "width": "container", "height": 240,
    "layer": [
      {"mark": {"type": "point", "opacity": 0.4}, "encoding": {
        "x": {"field": "size", "type": "quantitative", "title": "input size"},
        "y": {"field": "mean_ms", "type": "quantitative", "title": "mean total time (ms)"},
        "color": {"datum": "an instance: its mean time over rounds"},
        "tooltip": [{"field": "instance"}, {"field": "size"}, {"field": "mean_ms"}]}},
      {"data": {"name": "fit"}, "mark": {"type": "line"},
       "encoding": {"x": {"field": "size", "type": "quantitative"},
                    "y": {"field": "mean_ms", "type": "quantitative"},
                    "color": {"datum": "least-squares line"}}}]})json");
  s["layer"][0]["encoding"]["color"]["scale"] = named_colors(
      {{"an instance: its mean time over rounds", "#4c78a8"}, {"least-squares line", "#b22222"}});
  s["layer"][0]["encoding"]["color"]["legend"] = legend_below(2);
  return make_chart("size", "Mean total time against input size", std::move(s),
                    {{"values", points}, {"fit", line}});
}

ordered_json prediction_chart(const PredictionReport& prediction) {
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
  ordered_json s = spec(R"json({
    "width": "container", "height": 240,
    "encoding": {"y": {"field": "what", "type": "nominal", "title": null, "sort": null},
                 "color": {"field": "deadline", "type": "nominal", "sort": null,
                           "title": "deadline (dot: median, line: 90% interval)"}},
    "layer": [
      {"mark": {"type": "rule"}, "encoding": {
        "x": {"field": "lo", "type": "quantitative", "title": "worst Q@T (%)",
              "scale": {"zero": false}},
        "x2": {"field": "hi"}}},
      {"mark": {"type": "point", "filled": true, "size": 60}, "encoding": {
        "x": {"field": "quality", "type": "quantitative"},
        "tooltip": [{"field": "what"}, {"field": "quality"}, {"field": "lo"}, {"field": "hi"}]}}
    ]})json");
  s["encoding"]["color"]["legend"] = {
      {"orient", "bottom"}, {"labelLimit", 600}, {"titleLimit", 800}};
  return make_chart(
      "prediction",
      "Worst Q@T of the held-out rounds: measured, and predicted (median, 90% interval)",
      std::move(s), {{"values", rows}});
}

}  // namespace tailq::detail
