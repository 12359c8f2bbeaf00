// The "By node" part of `tailq report` for a merged trace (docs/multi-node.md): each node's mean
// Q@T at the requested deadlines beside the spreads and the F test of the analysis, and a chart
// of the rounds of each node. Everything shown comes from the analysis' NodeBreakdown.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tailq/engine.hpp"

namespace tailq::detail {

// The element the section's chart is drawn into (html_page.hpp renders a chart entry with
// "host" there instead of into the page's chart list).
inline constexpr const char* kNodesChartHost = "nodes-chart";

// Whether the page has the section: an analysis by two or more nodes.
bool shows_nodes(const TailQuality& total);

// The section's HTML (heading, table, verdicts, the chart's place); empty unless shows_nodes.
std::string nodes_section(const TailQuality& total);

// Per node, the per-round Q@T at the main deadline (P99, else the first requested) as a box
// and a tick per round, the node's mean, and the mean of all rounds as a reference line. Only
// where shows_nodes.
nlohmann::ordered_json nodes_chart(const TailQuality& total);

}  // namespace tailq::detail
