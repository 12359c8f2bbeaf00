// Quality under load: Q@T per offered load of a load-scenario trace (`tailq run --scenario
// server --qps-sweep ...`), latency and queueing per load, and the quality-preserving capacity:
// the highest load up to which the worst-case Q@T stays within a given drop of nominal.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tailq/engine.hpp"
#include "tailq/trace.hpp"

namespace tailq {

struct LoadAnalysisOptions {
  TimeKind time = TimeKind::total;  // total: queueing + service; inference: service alone
  std::string metric;               // empty: the trace's default
  // Absolute deadlines hold at every load; a percentile deadline is the percentile of the
  // lowest load's pooled times (what the system answers when it is not loaded).
  std::vector<ThresholdSpec> thresholds;
  double max_drop = 0.01;  // capacity: worst-case Q@T >= nominal - max_drop
  unsigned threads = 0;
};

// Order statistics of one pooled quantity (seconds).
struct Spread {
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
};

struct LoadLevel {
  std::optional<double> offered_qps;  // instances per second; none for offline
  // Answered instances per second, over the measured rounds; of a multi-node trace, the mean of
  // the nodes' rates (each node is offered the load).
  double achieved_qps = 0;
  std::size_t rounds = 0;
  Spread total, service, queue_wait, issue_delay;  // from the query timelines
  TailQuality quality;                             // at the resolved deadlines
};

struct LoadCapacity {
  std::string label;  // the deadline as the user wrote it
  double seconds = 0;
  std::optional<double> capacity_qps;  // none when even the lowest load drops too far
};

struct LoadAnalysis {
  std::string scenario;
  std::string metric, time;
  double nominal_quality = 0;
  double max_drop = 0;
  std::vector<LoadLevel> levels;       // by ascending offered load
  std::vector<LoadCapacity> capacity;  // one per deadline
};

// True when the trace was measured under a load scenario (its rounds carry query timelines).
bool is_load_trace(const TraceReader& trace);
LoadAnalysis analyze_load(const TraceReader& trace, const LoadAnalysisOptions& options);

void write_load_table(std::ostream& out, const LoadAnalysis& analysis);
std::string to_json(const LoadAnalysis& analysis);

}  // namespace tailq
