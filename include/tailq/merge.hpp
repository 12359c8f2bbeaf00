// Many machines without a cluster job: traces of one set-up, measured separately (on several
// machines, or on one machine at several times), become one trace whose rounds remember where
// they were measured, so that an analysis can tell the spread between machines from the spread
// within one (docs/multi-node.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tailq {

// Where a group of rounds was measured.
struct TraceNode {
  std::string host;           // host name from the trace's system description ("" when unknown)
  std::string source;         // the trace it came from, as named to merge_traces
  std::string label() const;  // "host (source)", or the source alone without a host
};

// Which node measured each round of a multi-node trace, as runs of consecutive stored rounds.
struct NodeMap {
  struct Run {
    std::int64_t first_round = 0;
    std::int64_t last_round = 0;  // inclusive
    std::uint32_t node = 0;       // index into nodes
  };
  std::vector<TraceNode> nodes;
  std::vector<Run> runs;  // ascending and disjoint, covering every stored round
  // The rounds carry their node themselves (an MPI job's trace, docs/multi-node.md): as read
  // from the experiment alone, `runs` is empty; node_map(trace) fills it in.
  bool tagged = false;
  // The node of a stored round index; throws StoreError for a round no run covers.
  std::uint32_t node_of(std::int64_t round) const;
};

// The node map a multi-node trace keeps in its experiment's extra JSON (key "nodes"; covered by
// the header checksum like the rest of the experiment); nullopt for a trace measured in one
// place. Throws StoreError when the entry is malformed.
std::optional<NodeMap> read_node_map(const std::string& extra_json, const std::string& where);

class TraceReader;
// The node map of a trace, with its runs whether it keeps them (a merged trace) or its rounds
// carry their node (an MPI job's); nullopt for a trace measured in one place.
std::optional<NodeMap> node_map(const TraceReader& trace);

struct MergeRequest {
  std::vector<std::filesystem::path> inputs;  // at least two; merged ones are flattened
  std::filesystem::path output;
  bool overwrite = false;
};

// Writes the rounds of every input, in the order given, into one new trace (whole or not at
// all), numbered from 0 and tagged with their node. The inputs must be one set-up: the same
// outcome kind, metric, model, data set and backend, the same run settings, the same instances
// in the same batches and the same recorded answers; otherwise InputError names the first
// difference. Returns the merged trace's node map.
NodeMap merge_traces(const MergeRequest& request);

}  // namespace tailq
