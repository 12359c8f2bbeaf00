// tailq compare of single-stream traces: the analysis, the labels and the terminal table.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "report/compare.hpp"
#include "report/units.hpp"
#include "tailq/analysis.hpp"
#include "tailq/error.hpp"
#include "tailq/load_analysis.hpp"

namespace tailq::detail {
namespace {

using nlohmann::ordered_json;

ordered_json parse_object(const std::string& text) {
  try {
    ordered_json j = ordered_json::parse(text);
    if (j.is_object()) return j;
  } catch (const std::exception&) {
  }
  return ordered_json::object();
}

std::string value_text(const ordered_json& object, const char* key) {
  if (!object.contains(key)) return "";
  const ordered_json& v = object[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// What may tell traces apart, as (how a label names it, value) per trace.
std::vector<std::vector<std::string>> attributes(const std::vector<Experiment>& experiments) {
  std::vector<std::vector<std::string>> rows;
  for (const Experiment& e : experiments) {
    const ordered_json settings = parse_object(e.settings_json);
    const ordered_json system = parse_object(e.system_json);
    auto named = [](const char* name, const std::string& v) {
      return v.empty() ? std::string() : fmt::format("{} {}", name, v);
    };
    rows.push_back({named("batch", value_text(settings, "batch_size")), e.backend, e.model,
                    named("threads", value_text(settings, "threads")),
                    named("workers", value_text(settings, "workers")),
                    value_text(settings, "scenario"),
                    named("host", value_text(system, "hostname"))});
  }
  return rows;
}

}  // namespace

std::vector<std::string> trace_labels(const std::vector<std::filesystem::path>& paths,
                                      const std::vector<Experiment>& experiments) {
  const auto rows = attributes(experiments);
  std::vector<std::string> labels(paths.size());
  for (std::size_t a = 0; a < rows.front().size(); ++a) {
    bool differs = false;
    for (const auto& row : rows) differs = differs || row[a] != rows.front()[a];
    if (!differs) continue;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::string& v = rows[i][a].empty() ? std::string("(none)") : rows[i][a];
      labels[i] += (labels[i].empty() ? "" : ", ") + v;
    }
  }
  std::multiset<std::string> seen(labels.begin(), labels.end());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (seen.count(labels[i]) == 1 && !labels[i].empty()) continue;
    const std::string file = paths[i].filename().string();
    labels[i] = labels[i].empty() ? file : labels[i] + " (" + file + ")";
  }
  // Files of one name in different folders: the path as given tells them apart.
  seen = std::multiset<std::string>(labels.begin(), labels.end());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (seen.count(labels[i]) > 1) labels[i] = paths[i].string();
  }
  return labels;
}

void require_same_instances(const std::filesystem::path& first_path, const TraceReader& first,
                            const std::filesystem::path& path, const TraceReader& trace) {
  const Experiment &a = first.experiment(), &b = trace.experiment();
  const std::string p0 = first_path.string(), p = path.string();
  if (a.dataset.empty() != b.dataset.empty()) {
    const std::string& unnamed = a.dataset.empty() ? p0 : p;
    throw InputError(
        fmt::format("compare: {} names no dataset ({} measured '{}'); if both ran the same inputs, "
                    "re-import it with `tailq import --dataset {}`",
                    unnamed, a.dataset.empty() ? p : p0, a.dataset.empty() ? b.dataset : a.dataset,
                    a.dataset.empty() ? b.dataset : a.dataset));
  }
  if (a.dataset != b.dataset || a.metric != b.metric) {
    throw InputError(fmt::format(
        "compare: {} measured dataset '{}' with metric '{}', {} '{}' with '{}'; only like can be "
        "compared (an imported trace takes its dataset name from `tailq import --dataset NAME`)",
        p, b.dataset, b.metric, p0, a.dataset, a.metric));
  }
  const auto &ia = first.instances(), &ib = trace.instances();
  if (ia.size() != ib.size()) {
    throw InputError(fmt::format(
        "compare: {} has {} instances, {} has {}; traces compare only on the same instances "
        "(measure both on the same inputs)",
        p, ib.size(), p0, ia.size()));
  }
  std::set<std::string> names;
  for (const Instance& i : ia) names.insert(i.name);
  for (const Instance& i : ib) {
    if (!names.contains(i.name)) {
      throw InputError(fmt::format(
          "compare: instance '{}' of {} is not in {}; traces compare only on the same instances "
          "(measure both on the same inputs, named alike)",
          i.name, p, p0));
    }
  }
}

Comparison compare_traces(const std::vector<std::filesystem::path>& paths,
                          const HtmlReportOptions& o) {
  if (paths.size() < 2) throw InputError("compare: give at least two traces");
  Comparison c;
  c.common_deadlines = !o.own_deadlines;
  std::vector<Experiment> experiments;
  TraceAnalysisOptions a;
  a.request.thresholds = parse_thresholds(o.thresholds);
  a.request.sweep = o.sweep;
  a.request.sweep_top = 99.9;  // as in `tailq report`: the curves end at P99.9
  a.request.sweep_geometric = true;
  a.request.threads = o.threads;
  const TraceReader first(paths.front());
  for (const auto& path : paths) {
    const TraceReader trace(path);
    if (is_load_trace(trace)) {
      throw InputError("compare: " + path.string() + " was measured under load but " +
                       paths[0].string() + " was not; compare load traces with load traces");
    }
    require_same_instances(paths.front(), first, path, trace);
    experiments.push_back(trace.experiment());
    c.traces.push_back({path, "", analyze_trace(trace, a)});
    if (c.traces.size() == 1 && c.common_deadlines) {
      // The first trace's deadlines, in seconds, for everyone (labels kept as written).
      for (std::size_t d = 0; d < a.request.thresholds.size(); ++d) {
        a.request.thresholds[d].kind = ThresholdSpec::Kind::absolute;
        a.request.thresholds[d].value = c.traces.front().result.thresholds[d].seconds;
      }
    }
  }
  const std::vector<std::string> labels = trace_labels(paths, experiments);
  for (std::size_t i = 0; i < labels.size(); ++i) c.traces[i].label = labels[i];
  return c;
}

ordered_json comparison_summary(const Comparison& c) {
  ordered_json traces = ordered_json::array();
  for (const ComparedTrace& t : c.traces) {
    ordered_json thresholds = ordered_json::array();
    for (const ThresholdQuality& q : t.result.thresholds) {
      if (q.from_sweep) continue;
      thresholds.push_back({{"label", q.label},
                            {"seconds", q.seconds},
                            {"worst", q.quality.min},
                            {"median", q.quality.median},
                            {"mean", q.quality.mean}});
    }
    traces.push_back({{"name", t.label},
                      {"file", t.path.string()},
                      {"rounds", t.result.rounds},
                      {"instances", t.result.instances},
                      {"nominal_quality", t.result.nominal_quality},
                      {"latency_p50", t.result.latency.p50},
                      {"latency_p99", t.result.latency.p99},
                      {"thresholds", std::move(thresholds)}});
  }
  return {{"metric", c.traces.front().result.metric},
          {"time", "total"},
          {"deadlines", c.common_deadlines ? "first trace" : "each trace"},
          {"traces", std::move(traces)}};
}

std::string comparison_text(const Comparison& c) {
  const TailQuality& base = c.traces.front().result;
  std::string out = fmt::format("compare: {}, total time; ", metric_title(base.metric));
  if (c.common_deadlines) {
    out += fmt::format("every trace at the deadlines of {} (the first):", c.traces.front().label);
    for (const ThresholdQuality& t : base.thresholds) {
      if (!t.from_sweep) {
        out += fmt::format("{} {} = {}", out.back() == ':' ? "" : ",", t.label,
                           human_seconds(t.seconds));
      }
    }
    out += "\n";
  } else {
    out += "each trace at its own percentile deadlines (--own-deadlines)\n";
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  auto row = [&](std::string name, auto cell) {
    std::vector<std::string> cells;
    for (const ComparedTrace& t : c.traces) cells.push_back(cell(t.result));
    rows.emplace_back(std::move(name), std::move(cells));
  };
  row("rounds", [](const TailQuality& r) { return std::to_string(r.rounds); });
  row("nominal %", [](const TailQuality& r) { return percent(r.nominal_quality); });
  row("P50 time", [](const TailQuality& r) { return human_seconds(r.latency.p50); });
  row("P99 time", [](const TailQuality& r) { return human_seconds(r.latency.p99); });
  for (std::size_t k = 0; k < base.thresholds.size(); ++k) {
    if (base.thresholds[k].from_sweep) continue;
    const std::string at = "@" + base.thresholds[k].label;
    row("median % " + at,
        [k](const TailQuality& r) { return percent(r.thresholds[k].quality.median); });
    row("worst % " + at,
        [k](const TailQuality& r) { return percent(r.thresholds[k].quality.min); });
    if (!c.common_deadlines) {
      row("  deadline " + at,
          [k](const TailQuality& r) { return human_seconds(r.thresholds[k].seconds); });
    }
  }
  std::size_t first = 0;
  for (const auto& [name, cells] : rows) first = std::max(first, name.size());
  std::vector<std::size_t> width;
  for (const ComparedTrace& t : c.traces) width.push_back(std::max<std::size_t>(9, t.label.size()));
  out += fmt::format("{:<{}}", "", first);
  for (std::size_t i = 0; i < c.traces.size(); ++i) {
    out += fmt::format("  {:>{}}", c.traces[i].label, width[i]);
  }
  out += "\n";
  for (const auto& [name, cells] : rows) {
    out += fmt::format("{:<{}}", name, first);
    for (std::size_t i = 0; i < cells.size(); ++i)
      out += fmt::format("  {:>{}}", cells[i], width[i]);
    out += "\n";
  }
  return out;
}

}  // namespace tailq::detail
