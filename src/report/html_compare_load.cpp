// tailq compare of load-scenario traces: worst-case Q@T and latency against offered load, one
// line per trace, and each trace's quality-preserving capacity. Every trace is held to the same
// deadlines: percentiles are resolved on the first trace's lowest load (the baseline's
// requirement) and then applied to all as absolute deadlines.
#include <fmt/format.h>

#include <sstream>

#include "report/compare.hpp"
#include "report/html_load.hpp"
#include "report/html_page.hpp"
#include "report/units.hpp"
#include "tailq/load_analysis.hpp"

namespace tailq::detail {
namespace {

struct ComparedLoad {
  std::string name;
  LoadAnalysis analysis;
};

std::vector<ComparedLoad> analyse_loads(const std::vector<std::filesystem::path>& paths,
                                        const HtmlReportOptions& o) {
  std::vector<ComparedLoad> out;
  LoadAnalysisOptions options;
  options.thresholds = parse_thresholds(o.thresholds);
  options.max_drop = o.max_drop;
  options.threads = o.threads;
  const TraceReader first(paths.front());
  std::vector<Experiment> experiments;
  for (const auto& path : paths) {
    const TraceReader trace(path);
    if (!is_load_trace(trace)) {
      throw InputError("compare: " + path.string() + " was not measured under load but " +
                       paths[0].string() + " was; compare load traces with load traces");
    }
    require_same_instances(paths[0], first, path, trace);
    experiments.push_back(trace.experiment());
    out.push_back({"", analyze_load(trace, options)});
    if (out.size() == 1) {
      // The baseline's deadlines, in seconds, for everyone (labels kept as written).
      for (std::size_t d = 0; d < options.thresholds.size(); ++d) {
        options.thresholds[d].kind = ThresholdSpec::Kind::absolute;
        options.thresholds[d].value = out.front().analysis.capacity[d].seconds;
      }
    }
  }
  const std::vector<std::string> labels = trace_labels(paths, experiments);
  for (std::size_t i = 0; i < labels.size(); ++i) out[i].name = labels[i];
  return out;
}

ordered_json capacity_json(const LoadCapacity& c) {
  return {{"label", c.label},
          {"seconds", c.seconds},
          {"capacity_qps", c.capacity_qps ? ordered_json(*c.capacity_qps) : ordered_json()}};
}

ordered_json summary(const std::vector<ComparedLoad>& all) {
  ordered_json deadlines = ordered_json::array(), traces = ordered_json::array();
  for (const LoadCapacity& c : all.front().analysis.capacity) {
    deadlines.push_back({{"label", c.label}, {"seconds", c.seconds}});
  }
  for (const ComparedLoad& c : all) {
    const LoadAnalysis& a = c.analysis;
    ordered_json capacity = ordered_json::array(), levels = ordered_json::array();
    for (const LoadCapacity& cap : a.capacity) capacity.push_back(capacity_json(cap));
    for (const LoadLevel& l : a.levels) {
      ordered_json worst = ordered_json::array(), median = ordered_json::array();
      for (const ThresholdQuality& t : l.quality.thresholds) {
        worst.push_back(t.quality.min);
        median.push_back(t.quality.median);
      }
      levels.push_back(
          {{"offered_qps", l.offered_qps ? ordered_json(*l.offered_qps) : ordered_json()},
           {"achieved_qps", l.achieved_qps},
           {"rounds", l.rounds},
           {"latency_p99", l.quality.latency.p99},
           {"worst", std::move(worst)},
           {"median", std::move(median)}});
    }
    traces.push_back({{"name", c.name},
                      {"scenario", a.scenario},
                      {"nominal_quality", a.nominal_quality},
                      {"capacity", std::move(capacity)},
                      {"levels", std::move(levels)}});
  }
  return {{"kind", "load"},
          {"metric", all.front().analysis.metric},
          {"time", all.front().analysis.time},
          {"max_drop", all.front().analysis.max_drop},
          {"deadlines", std::move(deadlines)},
          {"traces", std::move(traces)}};
}

constexpr const char* kWorstSpec = R"json({
  "width": 300, "height": 240,
  "mark": {"type": "line", "point": true},
  "encoding": {
    "x": {"field": "load", "type": "quantitative", "title": "offered load (instances/s)"},
    "y": {"field": "quality", "type": "quantitative", "title": "worst-round Q@T (%)"},
    "color": {"field": "trace", "type": "nominal", "legend": {"orient": "bottom", "columns": 1, "labelLimit": 800}},
    "column": {"field": "deadline", "type": "nominal", "title": null},
    "tooltip": [{"field": "trace"}, {"field": "deadline"}, {"field": "load"},
                {"field": "quality", "format": ".2f"}]},
  "data": {"name": "values"}})json";

constexpr const char* kLatencySpec = R"json({
  "width": "container", "height": 240,
  "mark": {"type": "line", "point": true},
  "encoding": {
    "x": {"field": "load", "type": "quantitative", "title": "offered load (instances/s)"},
    "y": {"field": "ms", "type": "quantitative", "title": "P99 total latency (ms)",
          "scale": {"type": "log"}},
    "color": {"field": "trace", "type": "nominal", "legend": {"orient": "bottom", "columns": 1, "labelLimit": 800}},
    "tooltip": [{"field": "trace"}, {"field": "load"}, {"field": "ms", "format": ".4g"}]},
  "data": {"name": "values"}})json";

ordered_json chart(const char* id, const char* title, const char* spec, ordered_json rows) {
  ordered_json s = ordered_json::parse(spec);
  s["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json";
  s["datasets"] = {{"values", std::move(rows)}};
  return {{"id", id}, {"title", title}, {"spec", std::move(s)}};
}

}  // namespace

std::string load_comparison_text(const std::vector<std::filesystem::path>& traces,
                                 const HtmlReportOptions& options) {
  const std::vector<ComparedLoad> all = analyse_loads(traces, options);
  const LoadAnalysis& base = all.front().analysis;
  std::string out = fmt::format(
      "compare under load: {}; every trace at the deadlines of {} (the "
      "first, at its lowest load):",
      base.metric, all.front().name);
  for (const LoadCapacity& c : base.capacity) {
    out += fmt::format(" {} = {}", c.label, human_seconds(c.seconds));
  }
  out += fmt::format(
      "\ncapacity: highest load whose worst round stays within {} points of "
      "nominal\n",
      percent(base.max_drop));
  std::size_t name = 5;
  for (const ComparedLoad& c : all) name = std::max(name, c.name.size());
  out += fmt::format("{:<{}}  {:>9}", "trace", name, "nominal %");
  for (const LoadCapacity& c : base.capacity)
    out += fmt::format("  {:>14}", "capacity @" + c.label);
  out += "\n";
  for (const ComparedLoad& c : all) {
    out += fmt::format("{:<{}}  {:>9}", c.name, name, percent(c.analysis.nominal_quality));
    for (const LoadCapacity& cap : c.analysis.capacity) {
      out += fmt::format("  {:>14}", cap.capacity_qps ? fmt::format("{:g}/s", *cap.capacity_qps)
                                                      : std::string("below lowest"));
    }
    out += "\n";
  }
  return out;
}

std::string load_comparison_json(const std::vector<std::filesystem::path>& traces,
                                 const HtmlReportOptions& options) {
  return summary(analyse_loads(traces, options)).dump(2);
}

void write_load_comparison(const std::vector<std::filesystem::path>& traces,
                           const std::filesystem::path& output, const HtmlReportOptions& o) {
  const std::filesystem::path web = o.web_modules.empty() ? default_web_modules() : o.web_modules;
  const std::string libraries = inline_chart_libraries(web);
  const std::vector<ComparedLoad> all = analyse_loads(traces, o);
  ordered_json worst = ordered_json::array(), latency = ordered_json::array();
  for (const ComparedLoad& c : all) {
    for (const LoadLevel& l : c.analysis.levels) {
      if (!l.offered_qps) continue;
      for (const ThresholdQuality& t : l.quality.thresholds) {
        worst.push_back({{"trace", c.name},
                         {"deadline", t.label + " = " + human_seconds(t.seconds)},
                         {"load", *l.offered_qps},
                         {"quality", 100 * t.quality.min}});
      }
      latency.push_back({{"trace", c.name},
                         {"load", *l.offered_qps},
                         {"ms", std::max(l.quality.latency.p99 * 1e3, 1e-3)}});
    }
  }
  ordered_json quality_chart =
      chart("compare-load-quality", "Worst-round Q@T against offered load (total time)", kWorstSpec,
            std::move(worst));
  ordered_json panels = ordered_json::array();  // in the order the deadlines were given
  for (const LoadCapacity& c : all.front().analysis.capacity) {
    panels.push_back(c.label + " = " + human_seconds(c.seconds));
  }
  quality_chart["spec"]["encoding"]["column"]["sort"] = std::move(panels);
  const ordered_json charts =
      ordered_json::array({std::move(quality_chart),
                           chart("compare-load-latency", "P99 total latency against offered load",
                                 kLatencySpec, std::move(latency))});
  const LoadAnalysis& base = all.front().analysis;
  std::ostringstream html;
  html << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
       << "<title>tailq comparison under load</title>\n"
       << kPageStyle << "</head><body>\n<h1>Tail quality under load: " << html_escape(base.metric)
       << ", compared</h1>\n<p>Deadlines for every trace: ";
  for (const LoadCapacity& c : base.capacity) {
    html << (&c == &base.capacity.front() ? "" : ", ") << html_escape(c.label) << " = "
         << human_seconds(c.seconds);
  }
  html << " (percentiles of the first trace's total time at its lowest load). Capacity: the "
          "highest load up to which the worst round stays within "
       << percent(base.max_drop) << " points of nominal.</p>\n<table><tr><th>trace</th>"
       << "<th>scenario</th><th>loads</th><th>nominal %</th>";
  for (const LoadCapacity& c : base.capacity) {
    html << "<th>capacity @" << html_escape(c.label) << "</th>";
  }
  html << "</tr>";
  for (const ComparedLoad& c : all) {
    html << "<tr><td>" << html_escape(c.name) << "</td><td>" << html_escape(c.analysis.scenario)
         << "</td><td>" << c.analysis.levels.size() << "</td><td>"
         << percent(c.analysis.nominal_quality) << "</td>";
    for (const LoadCapacity& cap : c.analysis.capacity) {
      html << "<td>"
           << (cap.capacity_qps ? fmt::format("{:g}/s", *cap.capacity_qps)
                                : std::string("below the lowest load"))
           << "</td>";
    }
    html << "</tr>";
  }
  html << "</table>\n<div id=\"charts\"></div>\n<script type=\"application/json\" "
          "id=\"tailq-charts\">"
       << script_safe_json(charts) << "</script>\n"
       << libraries << kRenderCharts << "</body></html>\n";
  write_text_atomically(output, html.str());
}

}  // namespace tailq::detail
