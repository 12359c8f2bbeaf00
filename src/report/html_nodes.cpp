#include "report/html_nodes.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "report/html_charts.hpp"
#include "report/html_page.hpp"
#include "report/node_words.hpp"
#include "report/units.hpp"

namespace tailq::detail {
namespace {

constexpr const char* kBox = "a node's rounds (box: middle half, whiskers: lowest and highest)";
constexpr const char* kRound = "one round";
constexpr const char* kNodeMean = "the node's mean";
constexpr const char* kPooled = "mean of all rounds (dashed)";

std::string node_name(std::size_t n) { return "node " + std::to_string(n); }

// The deadline the chart shows: P99 when requested, else the first.
std::size_t main_deadline(const NodeBreakdown& b) {
  for (std::size_t k = 0; k < b.deadlines.size(); ++k) {
    if (b.deadlines[k].label == "p99") return k;
  }
  return 0;
}

}  // namespace

bool shows_nodes(const TailQuality& total) {
  return total.nodes && total.nodes->nodes.size() > 1 && !total.nodes->deadlines.empty();
}

std::string nodes_section(const TailQuality& total) {
  if (!shows_nodes(total)) return {};
  const NodeBreakdown& b = *total.nodes;
  std::string html = fmt::format(
      "<section id=\"by-node\">\n<h2>By node: Q@T of each machine (total time)</h2>\n<p>This "
      "trace joins rounds measured on {} nodes (tailq merge). Per deadline, each node's mean Q@T "
      "over its rounds, how far the node means spread (standard deviation between nodes) against "
      "how far rounds spread around their own node's mean (within a node), and a one-way ANOVA "
      "F test of equal node means.</p>\n<table id=\"nodes-table\"><tr><th>node</th><th>measured "
      "on</th><th>rounds</th>",
      b.nodes.size());
  for (const NodeBreakdown::Deadline& d : b.deadlines) {
    html += fmt::format("<th>{} ({}) mean %</th>", html_escape(d.label), human_seconds(d.seconds));
  }
  html += "</tr>";
  for (std::size_t n = 0; n < b.nodes.size(); ++n) {
    html += fmt::format("<tr><td style=\"white-space:nowrap\">{}</td><td>{}</td><td>{}</td>",
                        node_name(n), html_escape(b.nodes[n].label), b.nodes[n].rounds);
    for (const NodeBreakdown::Deadline& d : b.deadlines) {
      html += fmt::format("<td>{}</td>", percent(d.mean[n]));
    }
    html += "</tr>";
  }
  auto summary_row = [&](const char* name, auto cell) {
    html += fmt::format("<tr><td colspan=\"3\">{}</td>", name);
    for (const NodeBreakdown::Deadline& d : b.deadlines) html += "<td>" + cell(d) + "</td>";
    html += "</tr>";
  };
  summary_row("SD between node means (points)",
              [](const NodeBreakdown::Deadline& d) { return percent(d.between_sd); });
  summary_row("SD of rounds within a node (points)",
              [](const NodeBreakdown::Deadline& d) { return percent(d.within_sd); });
  summary_row("F (degrees of freedom)", [](const NodeBreakdown::Deadline& d) {
    return fmt::format("{} ({}, {})", f_text(d.f_test.f), d.f_test.df_between, d.f_test.df_within);
  });
  summary_row("p-value",
              [](const NodeBreakdown::Deadline& d) { return html_escape(p_text(d.f_test.p)); });
  html += "</table>\n<ul class=\"verdict\">";
  for (const NodeBreakdown::Deadline& d : b.deadlines) {
    html += "<li>" + html_escape(node_verdict(d)) + "</li>";
  }
  html += fmt::format(
      "</ul>\n<p><small>A rough guide, not a certificate: \"differ\" means p below {:g}, and the "
      "test counts every round as independent, so rounds that drift together make it find "
      "differences too readily.</small></p>\n<div id=\"{}\"></div>\n</section>\n",
      kNodesDifferP, kNodesChartHost);
  return html;
}

ordered_json nodes_chart(const TailQuality& total) {
  const NodeBreakdown& b = *total.nodes;
  const std::size_t k = main_deadline(b);
  const NodeBreakdown::Deadline& d = b.deadlines[k];
  // Requested deadlines come first among the thresholds, in the breakdown's order.
  const ThresholdQuality& t = total.thresholds[k];
  ordered_json rounds = ordered_json::array(), means = ordered_json::array(),
               order = ordered_json::array();
  for (std::size_t r = 0; r < t.per_round.size(); ++r) {
    const std::uint32_t n = b.node_of_round[r];
    rounds.push_back(
        {{"node", node_name(n)}, {"label", b.nodes[n].label}, {"quality", 100 * t.per_round[r]}});
  }
  for (std::size_t n = 0; n < b.nodes.size(); ++n) {
    order.push_back(node_name(n));
    if (b.nodes[n].rounds) {
      means.push_back(
          {{"node", node_name(n)}, {"label", b.nodes[n].label}, {"mean", 100 * d.mean[n]}});
    }
  }
  // Boxes and ticks about half a node's share of the width (the page's is about 1,300 px).
  const double mark_px = std::clamp(600.0 / static_cast<double>(b.nodes.size()), 4.0, 48.0);
  ordered_json s = ordered_json::parse(R"json({
    "width": "container", "height": 260,
    "layer": [
      {"mark": {"type": "boxplot", "extent": "min-max", "opacity": 0.6,
                "median": {"color": "#08306b"}},
       "encoding": {"y": {"field": "quality", "type": "quantitative",
                          "title": "Q@T per round (%)", "scale": {"zero": false}}}},
      {"mark": {"type": "tick", "opacity": 0.5, "thickness": 1.5},
       "encoding": {"y": {"field": "quality", "type": "quantitative"},
                    "tooltip": [{"field": "label", "title": "node"},
                                {"field": "quality", "title": "Q@T %"}]}},
      {"data": {"name": "means"}, "mark": {"type": "point", "filled": true, "size": 90,
                                           "shape": "diamond"},
       "encoding": {"y": {"field": "mean", "type": "quantitative"},
                    "tooltip": [{"field": "label", "title": "node"},
                                {"field": "mean", "title": "mean Q@T %"}]}},
      {"data": {"name": "pooled"}, "mark": {"type": "rule", "strokeDash": [4, 2]},
       "encoding": {"y": {"field": "mean", "type": "quantitative"},
                    "tooltip": [{"field": "mean", "title": "mean of all rounds %"}]}}]})json");
  s["layer"][0]["mark"]["size"] = mark_px;
  s["layer"][1]["mark"]["size"] = mark_px;
  const ordered_json x = {{"field", "node"},
                          {"type", "nominal"},
                          {"sort", order},
                          {"title", nullptr},
                          {"axis", {{"labelAngle", 0}}}};
  const char* names[] = {kBox, kRound, kNodeMean, kPooled};
  for (std::size_t i = 0; i < std::size(names); ++i) {
    if (i < 3) s["layer"][i]["encoding"]["x"] = x;
    s["layer"][i]["encoding"]["color"] = {{"datum", names[i]}, {"type", "nominal"}};
  }
  s["layer"][0]["encoding"]["color"]["scale"] = named_colors(
      {{kBox, "#9ecae1"}, {kRound, "#08306b"}, {kNodeMean, "#e6550d"}, {kPooled, "#2ca02c"}});
  s["layer"][0]["encoding"]["color"]["legend"] = legend_below(2);
  ordered_json chart =
      make_chart("nodes",
                 fmt::format("Q@T of each round by node at the {} deadline ({}, total time)",
                             d.label, human_seconds(d.seconds)),
                 std::move(s),
                 {{"values", rounds},
                  {"means", means},
                  {"pooled", ordered_json::array({{{"mean", 100 * t.quality.mean}}})}});
  chart["host"] = kNodesChartHost;
  return chart;
}

}  // namespace tailq::detail
