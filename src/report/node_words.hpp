// How the reporters print the by-node F test (docs/multi-node.md), so that the terminal table
// and the HTML page say the same thing.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <string>

#include "report/units.hpp"
#include "tailq/engine.hpp"

namespace tailq::detail {

// Below this p-value the report says the nodes differ (a rough guide, docs/multi-node.md).
inline constexpr double kNodesDifferP = 0.05;

inline std::string f_text(double f) {
  if (std::isnan(f)) return "-";
  return std::isinf(f) ? "inf" : fmt::format("{:.3g}", f);
}

inline std::string p_text(double p) {
  if (std::isnan(p)) return "-";
  return p < 1e-4 ? "<0.0001" : fmt::format("{:.2g}", p);
}

// One sentence: do the nodes differ more than the rounds within a node explain?
inline std::string node_verdict(const NodeBreakdown::Deadline& d) {
  const NodeBreakdown::FTest& t = d.f_test;
  if (t.df_between == 0) return fmt::format("At {} fewer than two nodes have rounds.", d.label);
  if (t.df_within == 0) {
    return fmt::format("At {} no node has a second round, too few to tell nodes apart from rounds.",
                       d.label);
  }
  if (std::isnan(t.p)) {
    return fmt::format("At {} every round has the same Q@T: the nodes do not differ.", d.label);
  }
  const std::string spread = fmt::format(
      "the node means spread {} points (standard deviation), rounds within a node {} "
      "points",
      percent(d.between_sd), percent(d.within_sd));
  if (std::isinf(t.f)) {
    return fmt::format(
        "At {} the nodes differ: no round varies from its node's mean, while {} points separate "
        "the node means (standard deviation).",
        d.label, percent(d.between_sd));
  }
  const std::string test = fmt::format("one-way ANOVA F = {} on {} and {} degrees of freedom, p {}",
                                       f_text(t.f), t.df_between, t.df_within,
                                       t.p < 1e-4 ? std::string("< 0.0001") : "= " + p_text(t.p));
  if (t.p < kNodesDifferP) {
    return fmt::format(
        "At {} the nodes differ more than the variation of rounds within a node explains: {} ({}).",
        d.label, spread, test);
  }
  return fmt::format(
      "At {} the nodes differ no more than the variation of rounds within a node explains: {} "
      "({}).",
      d.label, spread, test);
}

}  // namespace tailq::detail
