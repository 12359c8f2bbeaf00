// The whole `tailq analyze` in one call: trace in, TailQuality out. Front ends (CLI, Python)
// use this so that they give identical numbers.
#pragma once

#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tailq/engine.hpp"
#include "tailq/trace.hpp"

namespace tailq {

// The deadlines of `tailq analyze` when none are given (the CLI and the Python module).
inline constexpr std::string_view kDefaultAnalysisThresholds = "p90,p95,p99,p99.9";

struct TraceAnalysisOptions {
  TimeKind time = TimeKind::total;
  std::string metric;                    // empty: the trace's default metric
  std::int64_t first_round = INT64_MIN;  // measured rounds with index in [first, last)
  std::int64_t last_round = INT64_MAX;
  std::optional<double> offered_qps;  // load traces: only the rounds run at this load
  AnalysisRequest request;
  std::optional<GuaranteeRequest> guarantee;  // a tolerance bound per requested deadline
};

TailQuality analyze_trace(const TraceReader& trace, const TraceAnalysisOptions& options);

// The guarantee (tailq/guarantee.hpp) at each requested deadline of `measured` (not the sweep).
QualityGuarantee guarantee_quality(const TailQuality& measured, const GuaranteeRequest& request);

// Parses "A:B", "A:" or ":B" (round indices, B exclusive) into options.first/last_round.
void parse_round_range(std::string_view text, TraceAnalysisOptions& options);

}  // namespace tailq
