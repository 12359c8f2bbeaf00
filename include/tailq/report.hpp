// Reporters present a TailQuality; they never compute it.
#pragma once

#include <ostream>
#include <string>

#include "tailq/engine.hpp"

namespace tailq {

// A readable table: latency, then quality per deadline (worst case first).
void write_table(std::ostream& out, const TailQuality& result);
// The JSON object documented in README.md (`tailq analyze --json`).
std::string to_json(const TailQuality& result, bool per_round = true);
// The quality-time curve: one row per deadline, sorted by seconds.
void write_curve_csv(std::ostream& out, const TailQuality& result);

}  // namespace tailq
