// Reporters present a TailQuality; they never compute it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "tailq/analysis.hpp"
#include "tailq/convergence.hpp"
#include "tailq/engine.hpp"
#include "tailq/fit.hpp"
#include "tailq/predict.hpp"

namespace tailq {

// A readable table: latency, then quality per deadline (worst case first).
void write_table(std::ostream& out, const TailQuality& result);
// The JSON object documented in README.md (`tailq analyze --json`).
std::string to_json(const TailQuality& result, bool per_round = true);
// The intervals of each deadline (tailq/precision.hpp) as a table block.
void write_precision(std::ostream& out, const PrecisionEstimate& estimate);
// The same in plain words, one sentence per deadline and one on the confidence.
std::vector<std::string> answer_sentences(const PrecisionEstimate& estimate);
void write_answer(std::ostream& out, const PrecisionEstimate& estimate);
// `tailq converge --stop precision`: the looks and the intervals at the stop.
std::string to_json(const PrecisionReplay& replay);
void write_table(std::ostream& out, const PrecisionReplay& replay);
// The quality-time curve: one row per deadline, sorted by seconds.
void write_curve_csv(std::ostream& out, const TailQuality& result);

// `tailq converge`: the rJSD series and where the criterion first held.
std::string to_json(const ConvergenceReport& report);
void write_table(std::ostream& out, const ConvergenceReport& report);
// `tailq predict`: predicted against held-out Q@T per model and deadline.
std::string to_json(const PredictionReport& report);
void write_table(std::ostream& out, const PredictionReport& report);
// `tailq fit`: pooled and per-instance time statistics.
std::string to_json(const FitReport& report);
void write_table(std::ostream& out, const FitReport& report);

}  // namespace tailq
