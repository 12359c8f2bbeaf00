// The whole `tailq analyze` in one call: trace in, TailQuality out. Front ends (CLI, Python)
// use this so that they give identical numbers.
#pragma once

#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tailq/engine.hpp"
#include "tailq/precision.hpp"
#include "tailq/shards.hpp"
#include "tailq/trace.hpp"

namespace tailq {

// The deadlines of `tailq analyze` when none are given (the CLI and the Python module).
inline constexpr std::string_view kDefaultAnalysisThresholds = "p90,p95,p99,p99.9";

struct TraceAnalysisOptions {
  TimeKind time = TimeKind::total;
  std::string metric;  // empty: the trace's default metric
  // The measured rounds at positions [first, last) among them: 0 is the first round after the
  // warm-up, whatever index the trace stored it under.
  std::int64_t first_round = 0;
  std::int64_t last_round = INT64_MAX;
  std::optional<double> offered_qps;  // load traces: only the rounds run at this load
  AnalysisRequest request;
  std::optional<GuaranteeRequest> guarantee;  // a tolerance bound per requested deadline
  std::optional<PrecisionGoal> precision;     // intervals per requested deadline
};

TailQuality analyze_trace(const TraceReader& trace, const TraceAnalysisOptions& options);
// The same analysis shared between the processes of an MPI job (`mpirun -np K tailq analyze`,
// tailq/shards.hpp): each reads and passes over its share of the rounds, and every one returns
// the TailQuality that one process would have, to the last bit.
TailQuality analyze_trace(const TraceReader& trace, const TraceAnalysisOptions& options,
                          Shards& shards);

// The measured rounds that `options` selects (index range, offered load), in order.
std::vector<std::int64_t> selected_rounds(const TraceReader& trace,
                                          const TraceAnalysisOptions& options);

// Intervals at the requested deadlines of `measured`, which analyze_trace(trace, options) gave
// (tailq/precision.hpp): a percentile deadline costs one more pass over the same rounds.
PrecisionEstimate estimate_precision(const TraceReader& trace, const TraceAnalysisOptions& options,
                                     const TailQuality& measured, const PrecisionGoal& goal);

// The precision stop rule replayed on a trace's selected rounds: at every look (tailq/
// precision.hpp) the rounds so far are analysed as `tailq run --stop precision` would; the replay
// ends at the first look that meets options.precision (required), or with all rounds.
struct PrecisionReplay {
  std::size_t rounds = 0;                 // selected measured rounds in the trace
  std::optional<std::size_t> stopped_at;  // measured rounds used when first met
  struct Look {
    std::size_t rounds = 0;
    double mean_half_width = 0, bad_round_half_width = 0;  // the widest over the deadlines
  };
  std::vector<Look> looks;
  PrecisionEstimate estimate;  // at the stop, or over all rounds
};
PrecisionReplay replay_precision(const TraceReader& trace, const TraceAnalysisOptions& options);
// The same replay with every look's analysis shared between the processes of an MPI job.
PrecisionReplay replay_precision(const TraceReader& trace, const TraceAnalysisOptions& options,
                                 Shards& shards);

// The guarantee (tailq/guarantee.hpp) at each requested deadline of `measured` (not the sweep).
QualityGuarantee guarantee_quality(const TailQuality& measured, const GuaranteeRequest& request);

// Parses "A:B", "A:" or ":B" (measured rounds A to B - 1, counted from 0 after the warm-up)
// into options.first/last_round.
void parse_round_range(std::string_view text, TraceAnalysisOptions& options);

}  // namespace tailq
