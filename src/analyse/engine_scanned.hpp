// The engine (tailq/engine.hpp) after its first pass: a second analysis of the same rounds at
// other deadlines (the precision estimate's) reuses the pooled scan instead of repeating it.
#pragma once

#include <cstdint>
#include <span>

#include "analyse/pooled_latency.hpp"
#include "tailq/engine.hpp"

namespace tailq::detail {

// analyze() with `pooled` = PooledTimes::scan(rounds, ...) already done.
TailQuality analyze_scanned(const RoundSource& rounds, const PooledTimes& pooled,
                            std::span<const std::uint32_t> batch_of_instance, const Metric& metric,
                            const AnalysisRequest& request);

}  // namespace tailq::detail
