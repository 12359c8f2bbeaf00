// `tailq fit`: descriptive statistics of a trace's times, pooled and per instance, and how the
// time of an instance grows with its input size (docs/method.md 4c).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tailq/describe.hpp"
#include "tailq/trace.hpp"

namespace tailq {

struct InstanceTimes {
  std::string name;
  std::uint32_t batch = 0;
  std::optional<double> input_size;
  Description stats;  // of its batch's times over the measured rounds (ISJ on a 2^10 grid)
};

struct FitReport {
  std::string time;
  std::size_t rounds = 0;              // measured rounds
  std::size_t pooled_rounds = 0;       // rounds the pooled figures use (all unless over budget)
  Description pooled;                  // all batch times of those rounds
  std::vector<InstanceTimes> slowest;  // by mean time, slowest first
  // Distribution over instances of each per-instance statistic: name -> summary.
  struct Spread {
    std::string statistic;
    bool in_seconds = false;  // a time (mean, std, ...) rather than a count or a shape figure
    double min = 0, p5 = 0, median = 0, p95 = 0, max = 0;
  };
  std::vector<Spread> per_instance;
  std::optional<LinearFit> mean_vs_size;  // per-instance mean time against input size
  std::optional<LinearFit> std_vs_size;   // per-instance std against input size
};

struct FitRequest {
  TimeKind time = TimeKind::total;
  std::size_t slowest = 10;
  std::size_t pooled_budget = std::size_t{1} << 25;  // values held for the pooled figures
  unsigned threads = 0;
};

FitReport describe_trace(const TraceReader& trace, const FitRequest& request);

}  // namespace tailq
