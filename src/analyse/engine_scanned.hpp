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

// Whether an analysis reports the pooled latency percentiles (TailQuality::latency): without
// them (count, min, mean and max only) it plans no bins at p50..p99.9 that nothing reads.
enum class LatencyPercentiles { computed, skipped };

// analyze() over the rounds of `passes`, with `pooled` = passes.scan() already done.
TailQuality analyze_scanned(const RoundPasses& passes, const PooledTimes& pooled,
                            std::span<const std::uint32_t> batch_of_instance, const Metric& metric,
                            const AnalysisRequest& request,
                            LatencyPercentiles latency = LatencyPercentiles::computed);

}  // namespace tailq::detail
