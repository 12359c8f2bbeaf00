// The HTML report of a load-scenario trace: quality against offered load comes first (worst
// and median Q@T per deadline, the quality-preserving capacity), then latency and queueing
// against load. Pooled views of a single-stream report would mix loads, so they are left out.
#include "report/html_load.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "report/html_page.hpp"
#include "report/units.hpp"
#include "tailq/html_report.hpp"
#include "tailq/load_analysis.hpp"

namespace tailq {

namespace {

using detail::html_escape;
using nlohmann::ordered_json;

constexpr const char* kQualitySpec = R"json({
  "width": "container", "height": 280,
  "layer": [
    {"mark": {"type": "line", "point": true},
     "encoding": {
       "x": {"field": "load", "type": "quantitative", "title": "offered load (instances/s)"},
       "y": {"field": "quality", "type": "quantitative", "title": "Q@T (%)",
             "scale": {"zero": false}},
       "color": {"field": "deadline", "type": "nominal", "sort": null, "title": null,
                 "legend": {"orient": "bottom", "labelLimit": 600}},
       "strokeDash": {"field": "statistic", "type": "nominal", "title": "over rounds",
                      "scale": {"domain": ["median", "worst"], "range": [[1, 0], [5, 3]]},
                      "legend": {"labelExpr":
                        "datum.label + (datum.label == 'median' ? ' (solid line)' : ' (dashed line)')"}},
       "tooltip": [{"field": "deadline"}, {"field": "statistic"}, {"field": "load"},
                   {"field": "quality", "format": ".2f"}]}},
    {"data": {"name": "nominal"}, "mark": {"type": "rule", "strokeDash": [2, 2]},
     "encoding": {"y": {"field": "nominal", "type": "quantitative"},
                  "color": {"datum": "nominal quality (every answer on time)"}}}]})json";

constexpr const char* kLatencySpec = R"json({
  "width": "container", "height": 240,
  "mark": {"type": "line", "point": true},
  "encoding": {
    "x": {"field": "load", "type": "quantitative", "title": "offered load (instances/s)"},
    "y": {"field": "ms", "type": "quantitative", "title": "ms", "scale": {"type": "log"}},
    "color": {"field": "what", "type": "nominal", "sort": null, "title": null},
    "tooltip": [{"field": "what"}, {"field": "load"}, {"field": "ms", "format": ".4g"}]}})json";

ordered_json chart(const char* id, const char* title, const char* spec_text,
                   ordered_json datasets) {
  ordered_json s = ordered_json::parse(spec_text);
  s["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json";
  s["datasets"] = std::move(datasets);
  if (s.contains("layer")) {
    for (auto& layer : s["layer"]) {
      if (!layer.contains("data")) layer["data"] = {{"name", "values"}};
    }
  } else {
    s["data"] = {{"name", "values"}};
  }
  return {{"id", id}, {"title", title}, {"spec", std::move(s)}};
}

std::string load_text(const LoadLevel& l) {
  return l.offered_qps ? fmt::format("{:g}", *l.offered_qps) : std::string("all at once");
}

}  // namespace

void detail::write_load_report(const TraceReader& trace, const std::filesystem::path& output,
                               const HtmlReportOptions& o) {
  const std::filesystem::path web = o.web_modules.empty() ? default_web_modules() : o.web_modules;
  const std::string libraries = detail::inline_chart_libraries(web);
  LoadAnalysisOptions options;
  options.thresholds = parse_thresholds("p90,p99,p99.9");
  options.threads = o.threads;
  const LoadAnalysis a = analyze_load(trace, options);
  const Experiment& e = trace.experiment();

  ordered_json quality = ordered_json::array(), latency = ordered_json::array();
  for (const LoadLevel& l : a.levels) {
    if (!l.offered_qps) continue;
    for (const ThresholdQuality& t : l.quality.thresholds) {
      quality.push_back({{"load", *l.offered_qps},
                         {"deadline", t.label},
                         {"statistic", "worst"},
                         {"quality", 100 * t.quality.min}});
      quality.push_back({{"load", *l.offered_qps},
                         {"deadline", t.label},
                         {"statistic", "median"},
                         {"quality", 100 * t.quality.median}});
    }
    const std::pair<const char*, double> series[] = {
        {"P50 total", l.quality.latency.p50}, {"P99 total", l.quality.latency.p99},
        {"P99 service", l.service.p99},       {"mean queue wait", l.queue_wait.mean},
        {"P99 queue wait", l.queue_wait.p99},
    };
    for (const auto& [what, seconds] : series) {
      // A log axis has no zero: an empty queue shows as one microsecond.
      latency.push_back(
          {{"load", *l.offered_qps}, {"what", what}, {"ms", std::max(seconds * 1e3, 1e-3)}});
    }
  }
  ordered_json charts = ordered_json::array();
  if (!quality.empty()) {
    charts.push_back(
        chart("load-quality", "Q@T against offered load: worst and median round (total time)",
              kQualitySpec,
              {{"values", quality},
               {"nominal", ordered_json::array({{{"nominal", 100 * a.nominal_quality}}})}}));
    charts.push_back(chart("load-latency", "Latency and queueing against offered load",
                           kLatencySpec, {{"values", latency}}));
  }

  std::ostringstream html;
  html << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
       << "<title>tailq report: " << html_escape(e.model) << " under load</title>\n"
       << detail::kPageStyle << "</head><body>\n";
  html << "<h1>Tail quality under load: " << html_escape(e.model) << "</h1>\n<table>"
       << "<tr><td>dataset</td><td>" << html_escape(e.dataset) << "</td></tr>"
       << "<tr><td>backend</td><td>" << html_escape(e.backend) << "</td></tr>"
       << "<tr><td>scenario</td><td>" << html_escape(a.scenario) << "</td></tr>"
       << "<tr><td>metric</td><td>" << html_escape(a.metric) << ", nominal "
       << detail::percent(a.nominal_quality) << "%</td></tr></table>\n";
  html << "<h2>Quality under load</h2>\n<p>Deadlines: ";
  for (const LoadCapacity& c : a.capacity) {
    html << html_escape(c.label) << " = " << detail::human_seconds(c.seconds) << " ";
  }
  html << "(percentiles of the total time at the lowest load). Latency runs from each query's "
          "scheduled arrival.</p>\n<table><tr><th>load/s</th><th>served/s</th><th>rounds</th>"
          "<th>P99 total</th><th>mean wait</th>";
  for (const LoadCapacity& c : a.capacity) {
    html << "<th>worst % @" << html_escape(c.label) << "</th>";
  }
  html << "</tr>";
  for (const LoadLevel& l : a.levels) {
    html << "<tr><td>" << load_text(l) << "</td><td>" << fmt::format("{:.1f}", l.achieved_qps)
         << "</td><td>" << l.rounds << "</td><td>" << detail::human_seconds(l.quality.latency.p99)
         << "</td><td>" << detail::human_seconds(l.queue_wait.mean) << "</td>";
    for (const ThresholdQuality& t : l.quality.thresholds) {
      html << "<td>" << detail::percent(t.quality.min) << "</td>";
    }
    html << "</tr>";
  }
  html << "</table>\n<p>Quality-preserving capacity (worst round within "
       << detail::percent(a.max_drop) << " points of nominal at every load up to it): ";
  for (const LoadCapacity& c : a.capacity) {
    html << html_escape(c.label) << ": "
         << (c.capacity_qps ? fmt::format("{:g}/s", *c.capacity_qps) : "below the lowest load")
         << (&c == &a.capacity.back() ? "." : "; ");
  }
  html << "</p>\n<div id=\"charts\"></div>\n";
  html << "<script type=\"application/json\" id=\"tailq-charts\">"
       << detail::script_safe_json(charts) << "</script>\n";
  html << libraries << detail::kRenderCharts << "</body></html>\n";
  detail::write_text_atomically(output, html.str());
}

}  // namespace tailq
