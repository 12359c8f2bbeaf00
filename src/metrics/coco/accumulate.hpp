// The per-category state that makes a subset of on-time images cheap, and the accumulation of
// precision and recall over one subset (docs/detection.md, "Accumulation" and "Subsets").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "metrics/coco/params.hpp"
#include "tailq/coco.hpp"

namespace tailq {

// Detections of one category from all images, each image's best kMaxDetections, in the global
// order the reference sorts them into (score descending, ties by image, then by rank in image).
// A subset keeps this order: it only drops entries.
struct CocoEvaluation::Category {
  // A matched detection: what changes the running counts beyond "one more detection".
  struct Event {
    std::uint32_t image;
    std::uint32_t code;  // (entry << 2) | kind
  };
  enum Kind : std::uint32_t {
    hit = 0,             // true positive, its own area in the range
    hit_outside = 1,     // true positive, its own area outside the range
    ignored_inside = 2,  // matched to an ignored truth (a crowd), its own area in the range
  };
  std::vector<std::uint32_t> image;    // per entry
  std::vector<std::uint8_t> rank;      // per entry: its position in its image's score order
  std::vector<std::uint8_t> in_range;  // per entry: bit a when its own area is in area range a
  // Per area and threshold, in entry order. Other entries are false positives when their area
  // is in the range and ignored otherwise, so they need no list.
  std::array<std::vector<Event>, coco::kAreas * coco::kThresholds> events;
  // Non-ignored ground truths over all images, late or not (the recall's denominator).
  std::array<std::uint32_t, coco::kAreas> counted{};
  // Per area, for each count j of true positives (0..counted), how many recall points recall
  // first reaches at j: the interpolated precisions sum to that weighted sum of the envelope.
  std::array<std::vector<std::uint32_t>, coco::kAreas> points_reached;
};

namespace coco {

// before[e] = the number of on-time entries before entry e whose own area is in the range.
void count_on_time(const CocoEvaluation::Category& c, std::size_t area,
                   std::span<const std::uint8_t> on_time, std::vector<std::uint32_t>& before);

struct ThresholdResult {
  double precision_sum = 0;  // over the kRecallPoints interpolated precisions
  std::array<std::uint32_t, kDetectionLimits.size()> true_positives{};  // per detection limit
};

// One category, area range and IoU threshold over the on-time images; `before` comes from
// count_on_time for that area; `precision` is scratch. With_limits counts the true positives
// of the smaller detection limits too.
template <bool with_limits>
ThresholdResult accumulate(const CocoEvaluation::Category& c, std::size_t area,
                           std::size_t threshold, std::span<const std::uint8_t> on_time,
                           std::span<const std::uint32_t> before, std::vector<double>& precision);

// For `counted` ground truths: per count j of true positives (0..counted), the number of recall
// points whose first count with recall (count / counted) at or above them is j.
std::vector<std::uint32_t> recall_points_reached(std::uint32_t counted);

}  // namespace coco
}  // namespace tailq
