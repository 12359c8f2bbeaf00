// The node list of a trace that an MPI job writes or continues (docs/multi-node.md).
#include <nlohmann/json.hpp>

#include "collect/session.hpp"
#include "store/node_list.hpp"
#include "store/writer_access.hpp"
#include "tailq/error.hpp"
#include "tailq/merge.hpp"

namespace tailq::detail {
namespace {

std::string system_host(const Experiment& experiment) {
  const auto system = nlohmann::json::parse(experiment.system_json, nullptr, false);
  if (!system.is_object() || !system.contains("hostname") || !system["hostname"].is_string()) {
    return "";
  }
  return system["hostname"].get<std::string>();
}

}  // namespace

std::vector<std::uint32_t> join_nodes(TraceWriter& writer, const TraceReader& trace,
                                      std::span<const std::string> hosts) {
  const std::string path = trace.path().string();
  const Experiment& experiment = trace.experiment();
  std::optional<NodeMap> map = read_node_map(experiment.extra_json, path);
  if (map && !map->tagged) {
    throw InputError(path +
                     ": a merged trace (tailq merge) keeps its nodes as runs of rounds; "
                     "continue the traces it was merged from instead");
  }
  if (store::WriterAccess::version(writer) < 3) {
    throw InputError(path + ": schema version " +
                     std::to_string(store::WriterAccess::version(writer)) +
                     " keeps no node per round; continue it without mpirun");
  }
  const bool had_list = map.has_value();
  if (!map) {
    map.emplace();
    map->tagged = true;
    map->nodes.push_back({system_host(experiment), "rank 0"});
  }
  bool grew = false;
  std::vector<std::uint32_t> nodes;
  for (std::size_t r = 0; r < hosts.size(); ++r) {
    const TraceNode node{hosts[r], "rank " + std::to_string(r)};
    std::size_t at = 0;
    while (at < map->nodes.size() &&
           (map->nodes[at].host != node.host || map->nodes[at].source != node.source)) {
      ++at;
    }
    if (at == map->nodes.size()) {
      map->nodes.push_back(node);
      grew = true;
    }
    nodes.push_back(static_cast<std::uint32_t>(at));
  }
  if (grew || !had_list) {
    store::WriterAccess::set_extra(writer, store::with_node_map(experiment.extra_json, *map));
  }
  return nodes;
}

}  // namespace tailq::detail
