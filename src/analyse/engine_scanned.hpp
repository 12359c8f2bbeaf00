// The engine (tailq/engine.hpp) after its first pass: a second analysis of the same rounds at
// other deadlines (the precision estimate's) reuses the pooled scan instead of repeating it, and
// a sharded analysis runs the engine's passes over each rank's share (analyse/round_passes.hpp).
#pragma once

#include <cstdint>
#include <span>

#include "analyse/pooled_latency.hpp"
#include "analyse/round_passes.hpp"
#include "tailq/engine.hpp"

namespace tailq::detail {

// analyze() over the rounds of `passes`, with `pooled` = passes.scan() already done.
TailQuality analyze_scanned(const RoundPasses& passes, const PooledTimes& pooled,
                            std::span<const std::uint32_t> batch_of_instance, const Metric& metric,
                            const AnalysisRequest& request);

}  // namespace tailq::detail
