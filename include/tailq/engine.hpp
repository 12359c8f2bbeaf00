// The tail-quality engine: tail latency of the pooled times and, per round and deadline, the
// quality with late answers scored as failures (Q@T, docs/method.md section 2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tailq/guarantee.hpp"
#include "tailq/metric.hpp"
#include "tailq/precision.hpp"
#include "tailq/round_source.hpp"
#include "tailq/stats.hpp"
#include "tailq/thresholds.hpp"

namespace tailq {

struct AnalysisRequest {
  std::vector<ThresholdSpec> thresholds;  // in the order they are reported
  std::size_t sweep = 0;                  // K evenly spaced deadlines from pooled min to max
  bool sweep_trim_outliers = false;       // sweep between the 1.5 IQR fences instead
  // The sweep ends at this pooled percentile instead of the max (100), so that a few far
  // outliers do not stretch a chart's time axis; it may then space its deadlines evenly in
  // log(time) (needs a positive minimum; else it stays linear).
  double sweep_top = 100;
  bool sweep_geometric = false;
  unsigned threads = 0;  // 0: one per core
};

// Pooled latency of all batch times of the analysed rounds (each batch counted once per round).
struct LatencySummary {
  std::uint64_t count = 0;
  double min = 0, mean = 0, p50 = 0, p90 = 0, p95 = 0, p99 = 0, p99_9 = 0, max = 0;
};

struct ThresholdQuality {
  std::string label;  // "p99", "4ms", or "sweep"
  double seconds = 0;
  bool from_sweep = false;
  Summary quality;                // over rounds
  double late_fraction_mean = 0;  // fraction of instances late, over rounds
  double late_fraction_max = 0;
  std::vector<double> per_round;                // Q_r(T), in round order
  std::vector<double> per_round_late_fraction;  // in round order
};

// The rounds of a merged trace by the node that measured them (docs/multi-node.md): per requested
// deadline, each node's mean Q@T, how much Q@T varies between nodes and within one, and whether
// the nodes differ more than the rounds within a node explain (one-way ANOVA).
struct NodeBreakdown {
  struct Node {
    std::string label;       // "host (source trace)"
    std::size_t rounds = 0;  // its measured rounds in the analysis
  };
  // The one-way ANOVA F test of "every node has the same mean Q@T", rounds as independent
  // observations within their node. NaN where undefined (fewer than 2 nodes with rounds, no
  // more rounds than nodes, or no variation at all); f is +inf and p 0 when the rounds vary
  // only between nodes.
  struct FTest {
    double f = 0;  // between-node mean square over within-node mean square
    std::size_t df_between = 0, df_within = 0;  // k - 1 and N - k
    double p = 0;                               // P(F(df_between, df_within) >= f)
  };
  struct Deadline {
    std::string label;
    double seconds = 0;
    std::vector<double> mean;  // per node; NaN for a node without rounds
    // Sample standard deviation of the node means, and the pooled standard deviation of rounds
    // around their own node's mean; NaN where there are too few nodes or rounds.
    double between_sd = 0;
    double within_sd = 0;
    FTest f_test;
  };
  std::vector<Node> nodes;
  // The node of each analysed round, in the order of ThresholdQuality::per_round, so that a
  // reporter can group rounds by node without looking the trace up again.
  std::vector<std::uint32_t> node_of_round;
  std::vector<Deadline> deadlines;  // the requested ones, in order
};

// The same type describes measured and (later) predicted tail quality.
struct TailQuality {
  std::size_t rounds = 0;
  std::size_t instances = 0;
  std::string time;            // "inference" or "total"
  std::string metric;          // metric name
  double nominal_quality = 0;  // every answer on time
  LatencySummary latency;
  std::vector<ThresholdQuality> thresholds;    // requested ones in order, then the sweep
  std::vector<std::string> warnings;           // e.g. outputs that changed between rounds
  std::optional<QualityGuarantee> guarantee;   // when asked for: per requested deadline
  std::optional<PrecisionEstimate> precision;  // when asked for: per requested deadline
  std::optional<NodeBreakdown> nodes;          // a merged trace of two or more nodes
};

// Evaluates every round of `rounds` against every deadline. One pass over the rounds gathers
// the pooled distribution, a second selects the exact percentiles, and a last one scores all
// deadlines of a round at once; memory stays at one round per thread plus the results.
// batch_of_instance maps each instance of the metric to its batch in the round's times.
TailQuality analyze(const RoundSource& rounds, std::span<const std::uint32_t> batch_of_instance,
                    const Metric& metric, const AnalysisRequest& request);

}  // namespace tailq
