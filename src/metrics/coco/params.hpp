// The reference's fixed evaluation parameters (docs/detection.md, "Parameters").
#pragma once

#include <array>
#include <cstddef>

namespace tailq::coco {

inline constexpr std::size_t kThresholds = 10;  // IoU 0.50, 0.55, ..., 0.95
inline constexpr std::size_t kRecallPoints = 101;
inline constexpr std::size_t kAreas = 4;  // all, small, medium, large
inline constexpr std::size_t kMaxDetections = 100;
inline constexpr std::array<std::size_t, 3> kDetectionLimits = {1, 10, 100};

struct AreaRange {
  double low;
  double high;
  // Both ends inclusive: an area of exactly 32^2 is small and medium.
  bool contains(double area) const { return !(area < low || area > high); }
};
inline constexpr std::array<AreaRange, kAreas> kAreaRanges = {
    AreaRange{0.0, 1e10}, AreaRange{0.0, 1024.0}, AreaRange{1024.0, 9216.0},
    AreaRange{9216.0, 1e10}};

// numpy.linspace(start, stop, n): start + i * ((stop - start) / (n - 1)), the last point set to
// stop. The thresholds must be these exact doubles (0.8999999999999999, not 0.9): IoUs and
// recalls are compared against them.
inline double linspace_point(double start, double stop, std::size_t n, std::size_t i) {
  if (i + 1 == n) return stop;
  const double step = (stop - start) / static_cast<double>(n - 1);
  return static_cast<double>(i) * step + start;
}
inline double iou_threshold(std::size_t t) { return linspace_point(0.5, 0.95, kThresholds, t); }
inline double recall_threshold(std::size_t r) { return linspace_point(0.0, 1.0, kRecallPoints, r); }

}  // namespace tailq::coco
