// tailq compare: the quality-time curves and tail Q@T of several traces, overlaid.
#include <fmt/format.h>

#include "report/html_load.hpp"
#include "report/html_page.hpp"
#include "tailq/analysis.hpp"
#include "tailq/html_report.hpp"
#include "tailq/load_analysis.hpp"

namespace tailq {
namespace {

using detail::html_escape;
using nlohmann::ordered_json;

struct Compared {
  std::string name;  // file name, model and backend
  TailQuality result;
};

std::vector<Compared> analyse_all(const std::vector<std::filesystem::path>& paths,
                                  const HtmlReportOptions& o) {
  if (paths.size() < 2) throw InputError("compare: give at least two traces");
  std::vector<Compared> out;
  Experiment first;
  for (const auto& path : paths) {
    const TraceReader trace(path);
    if (is_load_trace(trace)) {
      throw InputError("compare: " + path.string() + " was measured under load but " +
                       paths[0].string() + " was not; compare load traces with load traces");
    }
    const Experiment& e = trace.experiment();
    if (out.empty()) first = e;
    detail::require_comparable(paths[0], first, path, e);
    TraceAnalysisOptions a;
    a.request.thresholds = parse_thresholds(o.thresholds);
    a.request.sweep = o.sweep;
    a.request.threads = o.threads;
    out.push_back({path.filename().string() + " (" + e.model + ", " + e.backend + ")",
                   analyze_trace(trace, a)});
  }
  return out;
}

ordered_json summary(const std::vector<Compared>& all) {
  ordered_json traces = ordered_json::array();
  for (const Compared& c : all) {
    ordered_json thresholds = ordered_json::array();
    for (const ThresholdQuality& t : c.result.thresholds) {
      if (t.from_sweep) continue;
      thresholds.push_back({{"label", t.label},
                            {"seconds", t.seconds},
                            {"worst", t.quality.min},
                            {"median", t.quality.median},
                            {"mean", t.quality.mean}});
    }
    traces.push_back({{"name", c.name},
                      {"rounds", c.result.rounds},
                      {"nominal_quality", c.result.nominal_quality},
                      {"latency_p99", c.result.latency.p99},
                      {"thresholds", std::move(thresholds)}});
  }
  return {{"metric", all.front().result.metric}, {"time", "total"}, {"traces", traces}};
}

constexpr const char* kOverlaySpec = R"json({
  "width": 460, "height": 280,
  "mark": {"type": "line"},
  "encoding": {
    "x": {"field": "ms", "type": "quantitative", "title": "deadline T (ms)"},
    "y": {"field": "quality", "type": "quantitative", "title": "Q@T (%)"},
    "color": {"field": "trace", "type": "nominal", "legend": {"orient": "bottom", "columns": 1}},
    "tooltip": [{"field": "trace"}, {"field": "ms"}, {"field": "quality"}]},
  "params": [{"name": "pick", "select": {"type": "point", "fields": ["trace"]}, "bind": "legend"}],
  "data": {"name": "values"}})json";

bool first_is_load_trace(const std::vector<std::filesystem::path>& paths) {
  if (paths.size() < 2) throw InputError("compare: give at least two traces");
  return is_load_trace(TraceReader(paths.front()));
}

}  // namespace

void detail::require_comparable(const std::filesystem::path& first_path, const Experiment& first,
                                const std::filesystem::path& path, const Experiment& e) {
  if (e.dataset != first.dataset || e.metric != first.metric) {
    throw InputError("compare: " + path.string() + " measured dataset '" + e.dataset +
                     "' with metric '" + e.metric + "', " + first_path.string() + " '" +
                     first.dataset + "' with '" + first.metric + "'; only like can be compared");
  }
}

std::string comparison_json(const std::vector<std::filesystem::path>& traces,
                            const HtmlReportOptions& options) {
  if (first_is_load_trace(traces)) return detail::load_comparison_json(traces, options);
  return summary(analyse_all(traces, options)).dump(2);
}

void write_html_comparison(const std::vector<std::filesystem::path>& traces,
                           const std::filesystem::path& output, const HtmlReportOptions& o) {
  if (first_is_load_trace(traces)) {
    detail::write_load_comparison(traces, output, o);
    return;
  }
  const std::filesystem::path web = o.web_modules.empty() ? default_web_modules() : o.web_modules;
  const std::string libraries = detail::inline_chart_libraries(web);
  const std::vector<Compared> all = analyse_all(traces, o);
  ordered_json median = ordered_json::array(), worst = ordered_json::array();
  for (const Compared& c : all) {
    for (const ThresholdQuality& t : c.result.thresholds) {
      if (!t.from_sweep) continue;
      median.push_back(
          {{"trace", c.name}, {"ms", t.seconds * 1e3}, {"quality", 100 * t.quality.median}});
      worst.push_back(
          {{"trace", c.name}, {"ms", t.seconds * 1e3}, {"quality", 100 * t.quality.min}});
    }
  }
  ordered_json charts = ordered_json::array();
  for (const auto& [id, title, rows] :
       {std::tuple{"median", "Median Q@T over rounds (total time); click a legend entry to pick",
                   &median},
        std::tuple{"worst", "Worst-case Q@T over rounds (total time)", &worst}}) {
    ordered_json s = ordered_json::parse(kOverlaySpec);
    s["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json";
    s["datasets"] = {{"values", *rows}};
    s["encoding"]["opacity"] = {{"condition", {{"param", "pick"}, {"value", 1}}}, {"value", 0.15}};
    charts.push_back({{"id", id}, {"title", title}, {"spec", std::move(s)}});
  }
  std::string html =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<title>tailq comparison</title>\n" +
      std::string(detail::kPageStyle) +
      "</head><body>\n<h1>Tail quality: " + html_escape(all.front().result.metric) +
      ", compared</h1>\n<table><tr><th>trace</th><th>rounds</th><th>nominal %</th>";
  for (const ThresholdQuality& t : all.front().result.thresholds) {
    if (!t.from_sweep) html += "<th>worst % at " + html_escape(t.label) + "</th>";
  }
  html += "</tr>";
  for (const Compared& c : all) {
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{:.2f}</td>", html_escape(c.name),
                        c.result.rounds, 100 * c.result.nominal_quality);
    for (const ThresholdQuality& t : c.result.thresholds) {
      if (!t.from_sweep) {
        html += fmt::format("<td>{:.2f} ({:.4g} ms)</td>", 100 * t.quality.min, t.seconds * 1e3);
      }
    }
    html += "</tr>";
  }
  html +=
      "</table>\n<div id=\"charts\"></div>\n<script type=\"application/json\" "
      "id=\"tailq-charts\">" +
      detail::script_safe_json(charts) + "</script>\n" + libraries + detail::kRenderCharts +
      "</body></html>\n";
  detail::write_text_atomically(output, html);
}

}  // namespace tailq
