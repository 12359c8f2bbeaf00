// The shape of a trace's times for a report's charts: a histogram and the ISJ kernel density
// of the pooled times between two bounds, each measured round's median, and each batch's mean
// over rounds. Reports draw these; they compute no statistics themselves.
#pragma once

#include <cstddef>
#include <vector>

#include "tailq/trace.hpp"

namespace tailq {

struct TimeProfileRequest {
  TimeKind time = TimeKind::total;
  double lo = 0, hi = 0;   // histogram and density range, seconds (times above hi are left out)
  bool geometric = false;  // bins evenly spaced in log(time); needs lo > 0
  std::size_t bins = 60;
  std::size_t density_points = 201;
  std::size_t sample_budget = std::size_t{1} << 20;  // pooled times kept for the density
};

struct TimeProfile {
  struct Bin {
    double lo = 0, hi = 0;  // seconds
    double count = 0;       // of the sampled times
    double share = 0;       // count / all sampled times (those outside [lo, hi] included)
  };
  std::vector<Bin> histogram;
  // The ISJ kernel density at density_at (seconds), as the share of times a bar of the
  // histogram's width would hold there: on the same scale as the bars, linear or geometric.
  std::vector<double> density_at, density;
  std::vector<double> round_medians;  // measured rounds in order (round 1 first)
  std::vector<double> batch_means;    // per batch, over the measured rounds
};

TimeProfile profile_times(const TraceReader& trace, const TimeProfileRequest& request);

}  // namespace tailq
