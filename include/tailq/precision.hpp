// How precisely the measured rounds know the tail quality, and the stop rule built on it
// (docs/precision.md). At each deadline two numbers answer what a user asks: the mean per-round
// Q@T (a typical round) and its bad_round quantile (a bad round, 1 in 20 by default). Each gets
// an interval valid under autocorrelated rounds (tailq/dependence.hpp); a percentile deadline is
// itself an estimate, so it gets an interval too, and the quality intervals are widened to hold
// anywhere inside it. All intervals hold together with `confidence` (Bonferroni: each single
// interval gets 1 - (1 - confidence) / count).
//
// The stop rule is a fixed-width rule (Chow & Robbins 1965; for dependent series with batch
// means, Jones, Haran, Caffo & Neath 2006): stop at the first look where every half-width is at
// most epsilon. It stops on the intervals' width, never on where they lie, so looking again costs
// no confidence in the limit; looks come at geometrically spaced round counts (kFirstLook, then
// 10% more) to bound the work and the overshoot.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "tailq/dependence.hpp"

namespace tailq {

struct PrecisionGoal {
  double epsilon = 0.01;     // half-width goal, as a fraction of quality (0.01: 1 point)
  double confidence = 0.95;  // of all intervals together
  double bad_round = 0.05;   // the quantile of per-round Q@T reported as the bad round
};
// Throws InputError naming the field unless 0 < epsilon, 0 < confidence < 1, 0 < bad_round < 1.
void check(const PrecisionGoal& goal);

// The deadlines the stop rule certifies when none are given.
inline constexpr std::string_view kDefaultPrecisionThresholds = "p99";

struct DeadlinePrecision {
  std::string label;
  Interval seconds;    // the deadline; a percentile deadline's interval, else value == low == high
  Interval mean;       // of per-round Q@T
  Interval bad_round;  // the bad_round quantile of per-round Q@T
  double effective_rounds = 0;  // independent rounds the mean's rounds are worth
  double lag1 = 0;              // lag-1 autocorrelation of per-round Q@T
  bool precise = false;         // both quality half-widths <= epsilon
};

struct PrecisionEstimate {
  PrecisionGoal goal;
  std::size_t rounds = 0;
  double interval_confidence = 0;  // of each single interval
  bool met = false;                // every deadline precise
  std::vector<DeadlinePrecision> deadlines;
};

// The first look is at kFirstLook measured rounds; each later one at ceil(1.1 x) the previous.
inline constexpr std::size_t kFirstLook = 20;
bool is_look(std::size_t rounds);

}  // namespace tailq
