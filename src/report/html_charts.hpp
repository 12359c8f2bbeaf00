// Pieces shared by the charts of every HTML page: a time axis that shows where the measured
// times lie, and legends that name every line, band and colour (a chart a user trusts at first
// sight explains each mark on it).
#pragma once

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace tailq::detail {

using nlohmann::ordered_json;

// An axis over [min, top] seconds with a little margin, drawn in ms; logarithmic when the times
// span a decade or more (a linear axis would squeeze the bulk of them against its left edge).
struct TimeAxis {
  bool log = false;
  double lo_ms = 0, hi_ms = 1;
};

inline TimeAxis time_axis(double min_s, double top_s) {
  TimeAxis a;
  const double lo = min_s * 1e3, hi = std::max(top_s * 1e3, lo * (1 + 1e-9) + 1e-12);
  a.log = lo > 0 && hi / lo >= 10;
  if (a.log) {
    a.lo_ms = lo / 1.05;
    a.hi_ms = hi * 1.05;
  } else {
    const double margin = 0.03 * (hi - lo);
    a.lo_ms = std::max(0.0, lo - margin);
    a.hi_ms = hi + margin;
  }
  return a;
}

inline ordered_json time_scale(const TimeAxis& a) {
  return {{"type", a.log ? "log" : "linear"},
          {"domain", ordered_json::array({a.lo_ms, a.hi_ms})},
          {"nice", false},
          {"zero", false}};
}

// One shared colour scale over named marks: layers set "color": {"datum": name}, and the legend
// lists every name with its colour.
inline ordered_json named_colors(const std::vector<std::pair<std::string, std::string>>& named) {
  ordered_json domain = ordered_json::array(), range = ordered_json::array();
  for (const auto& [name, color] : named) {
    domain.push_back(name);
    range.push_back(color);
  }
  return {{"domain", std::move(domain)}, {"range", std::move(range)}};
}

inline ordered_json legend_below(int columns) {
  return {{"orient", "bottom"},
          {"columns", columns},
          {"labelLimit", 600},
          {"titleLimit", 800},
          {"title", nullptr}};
}

// The chart entry a page renders: id, title, a Vega-Lite spec whose data go in by name.
inline ordered_json make_chart(const char* id, const std::string& title, ordered_json spec,
                               ordered_json datasets) {
  spec["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json";
  spec["datasets"] = std::move(datasets);
  if (spec.contains("layer")) {
    for (auto& layer : spec["layer"]) {
      if (!layer.contains("data")) layer["data"] = {{"name", "values"}};
    }
  } else if (!spec.contains("data")) {
    spec["data"] = {{"name", "values"}};
  }
  return {{"id", id}, {"title", title}, {"spec", std::move(spec)}};
}

}  // namespace tailq::detail
