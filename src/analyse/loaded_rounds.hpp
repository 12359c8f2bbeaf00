// The rounds an analysis reads, from memory when they fit. An analysis passes over its rounds
// two or three times (engine.cpp), and a precision estimate adds passes of its own; reading the
// store costs about as much as a pass itself (SQLite pages, checksums). Rounds that fit in the
// budget are therefore read from the store once, on every thread, and every pass reads memory.
// Rounds that do not fit are streamed as before, one round per thread in memory.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "analyse/pooled_latency.hpp"
#include "analyse/round_passes.hpp"
#include "tailq/analysis.hpp"
#include "tailq/metric.hpp"
#include "tailq/round_source.hpp"
#include "tailq/trace.hpp"

namespace tailq::detail {

// The most bytes of times held in memory: 1 GiB, and no more than an eighth of the machine's
// memory.
std::size_t in_memory_budget_bytes();

// `rounds` (stored indices) of `trace`, times of `kind`: in memory when rounds x batches x 8
// bytes fit in in_memory_budget_bytes(), else streamed from the store.
std::unique_ptr<RoundSource> rounds_to_analyse(const TraceReader& trace, TimeKind kind,
                                               std::vector<std::int64_t> rounds, unsigned threads);

// The node (index into the trace's node map, docs/multi-node.md) of each of `rounds` (stored
// indices); empty when the trace was measured on one node.
std::vector<std::uint32_t> node_of_rounds(const TraceReader& trace,
                                          std::span<const std::int64_t> rounds);

// estimate_precision (tailq/analysis.hpp) on the rounds `measured` was analysed from, with their
// pooled scan: its extra pass reads `rounds` again instead of the store, and scans nothing.
// node_of_round: node_of_rounds() of the rounds; the mean intervals then treat nodes as a level.
PrecisionEstimate estimate_precision(const RoundPasses& rounds, const PooledTimes& pooled,
                                     std::span<const std::uint32_t> batch_of_instance,
                                     const Metric& metric,
                                     std::span<const std::uint32_t> node_of_round,
                                     const TraceAnalysisOptions& options,
                                     const TailQuality& measured, const PrecisionGoal& goal);

}  // namespace tailq::detail
