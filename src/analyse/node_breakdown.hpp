// Q@T of a merged trace by node (docs/multi-node.md): the node means, the spread between and
// within nodes, and the one-way ANOVA F test of equal node means.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tailq/engine.hpp"

namespace tailq::detail {

// The F test of `values` in `groups` groups, values[k] in group group_of[k] (< groups); groups
// without values do not count.
NodeBreakdown::FTest one_way_f_test(std::span<const double> values,
                                    std::span<const std::uint32_t> group_of, std::size_t groups);

// The breakdown of every requested deadline of `result`: labels[n] names node n, and
// node_of_round[k] is the node of the k-th analysed round (per_round[k]).
NodeBreakdown node_breakdown(std::vector<std::string> labels,
                             std::vector<std::uint32_t> node_of_round, const TailQuality& result);

}  // namespace tailq::detail
