// tailq compare: the quality-time curves and tail Q@T of several traces, overlaid.
#include <fmt/format.h>

#include "report/compare.hpp"
#include "report/html_charts.hpp"
#include "report/html_load.hpp"
#include "report/html_page.hpp"
#include "report/units.hpp"
#include "tailq/analysis.hpp"
#include "tailq/html_report.hpp"
#include "tailq/load_analysis.hpp"

namespace tailq {
namespace {

using detail::html_escape;
using nlohmann::ordered_json;

constexpr const char* kOverlaySpec = R"json({
  "width": "container", "height": 300,
  "layer": [
    {"mark": {"type": "line", "clip": true},
     "params": [{"name": "pick", "select": {"type": "point", "fields": ["trace"]},
                 "bind": "legend"}],
     "encoding": {
       "y": {"field": "quality", "type": "quantitative", "title": "Q@T (%)",
             "scale": {"zero": false}},
       "color": {"field": "trace", "type": "nominal", "sort": null},
       "tooltip": [{"field": "trace"}, {"field": "ms"}, {"field": "quality"}]}},
    {"data": {"name": "markers"}, "mark": {"type": "rule", "strokeDash": [2, 2],
                                           "color": "#b22222"},
     "encoding": {"tooltip": [{"field": "label"}, {"field": "ms"}]}},
    {"data": {"name": "markers"}, "mark": {"type": "text", "align": "left", "dx": 3,
                                           "baseline": "top", "color": "#b22222"},
     "encoding": {"y": {"value": 2}, "text": {"field": "label"}}}]})json";

bool first_is_load_trace(const std::vector<std::filesystem::path>& paths) {
  if (paths.size() < 2) throw InputError("compare: give at least two traces");
  return is_load_trace(TraceReader(paths.front()));
}

}  // namespace

std::string comparison_json(const std::vector<std::filesystem::path>& traces,
                            const HtmlReportOptions& options) {
  if (first_is_load_trace(traces)) return detail::load_comparison_json(traces, options);
  return detail::comparison_summary(detail::compare_traces(traces, options)).dump(2);
}

namespace {

// The overlay of one statistic's curve, with the common deadlines marked and labelled.
ordered_json overlay_chart(const char* id, const std::string& title, const detail::Comparison& c,
                           bool worst) {
  ordered_json rows = ordered_json::array(), marks = ordered_json::array();
  double lo = c.traces.front().result.latency.min, hi = c.traces.front().result.latency.p99_9;
  for (const detail::ComparedTrace& t : c.traces) {
    lo = std::min(lo, t.result.latency.min);
    hi = std::max(hi, t.result.latency.p99_9);
    for (const ThresholdQuality& q : t.result.thresholds) {
      if (!q.from_sweep) continue;
      rows.push_back({{"trace", t.label},
                      {"ms", q.seconds * 1e3},
                      {"quality", 100 * (worst ? q.quality.min : q.quality.median)}});
    }
  }
  for (const ThresholdQuality& q : c.traces.front().result.thresholds) {
    if (!q.from_sweep) marks.push_back({{"label", q.label}, {"ms", q.seconds * 1e3}});
  }
  const detail::TimeAxis axis = detail::time_axis(lo, hi);
  ordered_json s = ordered_json::parse(kOverlaySpec);
  ordered_json x = {{"field", "ms"},
                    {"type", "quantitative"},
                    {"scale", detail::time_scale(axis)},
                    {"title", axis.log ? "deadline T (ms, log scale)" : "deadline T (ms)"}};
  ordered_json& line = s["layer"][0];
  line["encoding"]["x"] = x;
  line["encoding"]["opacity"] = {{"condition", {{"param", "pick"}, {"value", 1}}}, {"value", 0.15}};
  line["encoding"]["color"]["legend"] = detail::legend_below(1);
  s["layer"][1]["encoding"]["x"] = x;
  s["layer"][2]["encoding"]["x"] = x;
  s["usermeta"] = {{"time_axis", "x"}, {"measured_ms", ordered_json::array({lo * 1e3, hi * 1e3})}};
  return detail::make_chart(id, title, std::move(s), {{"values", rows}, {"markers", marks}});
}

std::string deadline_note(const detail::Comparison& c) {
  if (!c.common_deadlines) {
    return "<p>Each trace is scored at its own percentile deadlines (--own-deadlines).</p>\n";
  }
  std::string note = "<p>Every trace is scored at the deadlines of <b>" +
                     html_escape(c.traces.front().label) + "</b> (the first):";
  for (const ThresholdQuality& t : c.traces.front().result.thresholds) {
    if (!t.from_sweep)
      note += " " + html_escape(t.label) + " = " + detail::human_seconds(t.seconds);
  }
  return note + " (dotted lines on the charts).</p>\n";
}

std::string comparison_table_html(const detail::Comparison& c) {
  std::string html = "<table><tr><th>trace</th><th>file</th><th>rounds</th><th>nominal %</th>";
  for (const ThresholdQuality& t : c.traces.front().result.thresholds) {
    if (!t.from_sweep) {
      html += "<th>median % at " + html_escape(t.label) + "</th><th>worst % at " +
              html_escape(t.label) + "</th>";
    }
  }
  html += "</tr>";
  for (const detail::ComparedTrace& t : c.traces) {
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.2f}</td>",
                        html_escape(t.label), html_escape(t.path.filename().string()),
                        t.result.rounds, 100 * t.result.nominal_quality);
    for (const ThresholdQuality& q : t.result.thresholds) {
      if (!q.from_sweep) {
        html += fmt::format("<td>{:.2f}</td><td>{:.2f}</td>", 100 * q.quality.median,
                            100 * q.quality.min);
      }
    }
    html += "</tr>";
  }
  return html + "</table>\n";
}

void write_page(const detail::Comparison& c, const std::filesystem::path& output,
                const HtmlReportOptions& o) {
  const std::filesystem::path web = o.web_modules.empty() ? default_web_modules() : o.web_modules;
  const std::string libraries = detail::inline_chart_libraries(web);
  const ordered_json charts = ordered_json::array(
      {overlay_chart("median", "Median Q@T over rounds (total time); click a legend entry to pick",
                     c, false),
       overlay_chart("worst", "Worst-round Q@T (total time)", c, true)});
  const std::string html =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<title>tailq comparison</title>\n" +
      std::string(detail::kPageStyle) + "</head><body>\n<h1>Tail quality: " +
      html_escape(metric_title(c.traces.front().result.metric)) + ", compared</h1>\n" +
      deadline_note(c) + comparison_table_html(c) +
      "<div id=\"charts\"></div>\n<script type=\"application/json\" "
      "id=\"tailq-charts\">" +
      detail::script_safe_json(charts) + "</script>\n" + libraries + detail::kRenderCharts +
      "</body></html>\n";
  detail::write_text_atomically(output, html);
}

}  // namespace

void write_html_comparison(const std::vector<std::filesystem::path>& traces,
                           const std::filesystem::path& output, const HtmlReportOptions& o) {
  if (first_is_load_trace(traces)) return detail::write_load_comparison(traces, output, o);
  write_page(detail::compare_traces(traces, o), output, o);
}

std::string compare_traces(const std::vector<std::filesystem::path>& traces,
                           const HtmlReportOptions& o, bool json,
                           const std::filesystem::path& html) {
  if (first_is_load_trace(traces)) {
    if (!html.empty()) detail::write_load_comparison(traces, html, o);
    return json ? detail::load_comparison_json(traces, o) : detail::load_comparison_text(traces, o);
  }
  const detail::Comparison c = detail::compare_traces(traces, o);
  if (!html.empty()) write_page(c, html, o);
  return json ? detail::comparison_summary(c).dump(2) : detail::comparison_text(c);
}

}  // namespace tailq
