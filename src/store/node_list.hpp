// The node map in an experiment's extra JSON (docs/multi-node.md), for the merge, the readers'
// checks and an MPI job's writer. Private to the library.
#pragma once

#include <optional>
#include <string>

#include "tailq/merge.hpp"

namespace tailq::store {

struct LoadedTrace;
class Problems;

// The node map of `extra_json`, or nullopt without one; a malformed one sets `problem` (what is
// wrong, without the file's name) and returns nullopt.
std::optional<NodeMap> parse_node_map(const std::string& extra_json, std::string& problem);

// `extra_json` with its "nodes" entry replaced by `map`: its runs, or "tagged": true.
std::string with_node_map(const std::string& extra_json, const NodeMap& map);

// Rounds that carry a node need a tagged node list that has that node.
void check_node_tags(const LoadedTrace& trace, Problems& problems);

}  // namespace tailq::store
