// The node map (docs/multi-node.md): runs of rounds in the experiment's extra JSON for a merged
// trace, or a node per round in the round metadata for an MPI job's trace, whose extra JSON then
// holds the node list alone.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/node_list.hpp"
#include "store/trace_schema.hpp"
#include "tailq/error.hpp"
#include "tailq/merge.hpp"
#include "tailq/trace.hpp"

namespace tailq {
namespace {

using nlohmann::ordered_json;

constexpr const char* kNodesKey = "nodes";

ordered_json object_of(const std::string& text) {
  ordered_json j = ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : ordered_json::object();
}

std::string parse_into(const ordered_json& j, NodeMap& map) {
  if (!j.is_object() || !j.contains("nodes") || !j["nodes"].is_array()) {
    return "needs an array \"nodes\"";
  }
  const bool tagged = j.contains("tagged");
  if (tagged == j.contains("runs")) return "needs an array \"runs\" or \"tagged\": true";
  if (tagged && j["tagged"] != true) return "has \"tagged\" other than true";
  if (!tagged && !j["runs"].is_array()) return "needs an array \"runs\"";
  for (const ordered_json& n : j["nodes"]) {
    if (!n.is_object() || !n.value("host", ordered_json()).is_string() ||
        !n.value("source", ordered_json()).is_string())
      return "has a node without host and source";
    map.nodes.push_back({n["host"].get<std::string>(), n["source"].get<std::string>()});
  }
  map.tagged = tagged;
  if (tagged) {
    if (map.nodes.empty()) return "has no nodes";
    return {};
  }
  for (const ordered_json& r : j["runs"]) {
    if (!r.is_array() || r.size() != 3 ||
        !std::all_of(r.begin(), r.end(), [](const auto& v) { return v.is_number_integer(); }))
      return "has a run that is not [first_round, last_round, node]";
    NodeMap::Run run{r[0].get<std::int64_t>(), r[1].get<std::int64_t>(),
                     static_cast<std::uint32_t>(r[2].get<std::int64_t>())};
    if (run.last_round < run.first_round || r[2].get<std::int64_t>() < 0 ||
        run.node >= map.nodes.size() ||
        (!map.runs.empty() && run.first_round <= map.runs.back().last_round))
      return "has runs out of order, overlapping or naming no node";
    map.runs.push_back(run);
  }
  return {};
}

}  // namespace

std::string TraceNode::label() const { return host.empty() ? source : host + " (" + source + ")"; }

std::uint32_t NodeMap::node_of(std::int64_t round) const {
  const auto it =
      std::upper_bound(runs.begin(), runs.end(), round,
                       [](std::int64_t r, const Run& run) { return r < run.first_round; });
  if (it == runs.begin() || std::prev(it)->last_round < round)
    throw StoreError("round " + std::to_string(round) + " has no node in the trace's node map");
  return std::prev(it)->node;
}

std::optional<NodeMap> read_node_map(const std::string& extra_json, const std::string& where) {
  std::string problem;
  auto map = store::parse_node_map(extra_json, problem);
  if (!problem.empty()) {
    throw StoreError(where + ": the node map (experiment extra \"nodes\") " + problem);
  }
  return map;
}

std::optional<NodeMap> node_map(const TraceReader& trace) {
  auto map = read_node_map(trace.experiment().extra_json, trace.path().string());
  if (!map || !map->tagged) return map;
  // Runs of consecutive rounds with one node; a round without a node is node 0's.
  const auto nodes = trace.round_nodes();
  const auto& rounds = trace.rounds();
  for (std::size_t k = 0; k < rounds.size(); ++k) {
    const std::uint32_t node = nodes.empty() ? 0 : nodes[k];
    if (!map->runs.empty() && map->runs.back().node == node &&
        map->runs.back().last_round + 1 == rounds[k].index) {
      map->runs.back().last_round = rounds[k].index;
    } else {
      map->runs.push_back({rounds[k].index, rounds[k].index, node});
    }
  }
  return map;
}

namespace store {

std::optional<NodeMap> parse_node_map(const std::string& extra_json, std::string& problem) {
  const ordered_json extra = object_of(extra_json);
  const auto it = extra.find(kNodesKey);
  if (it == extra.end()) return std::nullopt;
  NodeMap map;
  problem = parse_into(*it, map);
  if (!problem.empty()) return std::nullopt;
  return map;
}

std::string with_node_map(const std::string& extra_json, const NodeMap& map) {
  ordered_json nodes = ordered_json::array();
  for (const TraceNode& n : map.nodes) nodes.push_back({{"host", n.host}, {"source", n.source}});
  ordered_json entry = {{"nodes", nodes}};
  if (map.tagged) {
    entry["tagged"] = true;
  } else {
    ordered_json runs = ordered_json::array();
    for (const NodeMap::Run& r : map.runs) runs.push_back({r.first_round, r.last_round, r.node});
    entry["runs"] = runs;
  }
  ordered_json extra = object_of(extra_json);
  extra[kNodesKey] = entry;
  return extra.dump();
}

void check_node_tags(const LoadedTrace& trace, Problems& problems) {
  if (trace.tags.nodes.empty()) return;
  std::string problem;
  const auto map = parse_node_map(trace.experiment.extra_json, problem);
  if (!map || !map->tagged) {
    problems.add("rounds name their node, but the experiment has no node list (extra \"nodes\"" +
                 std::string(problem.empty() ? ")" : ": " + problem + ")"));
    return;
  }
  std::size_t block = 0;
  for (std::size_t k = 0; k < trace.tags.nodes.size(); ++k) {
    if (trace.tags.nodes[k] < map->nodes.size()) continue;
    block = trace.block_of(k, block);
    const StoredBlock& b = trace.blocks[block];
    problems.add("round " + std::to_string(b.first + static_cast<std::int64_t>(k - b.position)) +
                 ": node " + std::to_string(trace.tags.nodes[k]) + " is not in the node list (" +
                 std::to_string(map->nodes.size()) + " nodes)");
  }
}

}  // namespace store
}  // namespace tailq
