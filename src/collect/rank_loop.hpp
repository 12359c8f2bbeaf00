// The round loop of an MPI job (docs/multi-node.md): the ranks measure in steps of one round
// each; rank 0 stores the step's rounds in rank order, judges the stop rule over every stored
// round and tells the others whether to go on. Private to src/collect.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "collect/rank_link.hpp"
#include "collect/session.hpp"

namespace tailq::detail {

// Rank 0: measures its own rounds and stores everyone's, each tagged with the node of the rank
// that measured it (node_of_rank[r]).
RunResult lead_rounds(Ranks& ranks, Session& s, std::span<const std::uint32_t> node_of_rank,
                      const std::function<void(const RunProgress&)>& progress);

// The other ranks: measure, send each round to rank 0, and do as it says. Returns how the run
// ended (its stop reason); throws RankExit when rank 0 reports a failure.
RunResult follow_rounds(Ranks& ranks, const RunSettings& settings,
                        std::vector<Workload>& workloads);

}  // namespace tailq::detail
