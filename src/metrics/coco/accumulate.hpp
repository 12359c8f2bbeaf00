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
  std::vector<std::uint32_t> image;  // per entry
  std::vector<std::uint8_t> rank;    // per entry: its position in its image's score order
  // Per area and threshold, the entries that are not false positives, in order:
  // (entry << 1) | 1 when ignored, (entry << 1) when a true positive.
  std::array<std::vector<std::uint32_t>, coco::kAreas * coco::kThresholds> events;
  // Non-ignored ground truths over all images, late or not (the recall's denominator).
  std::array<std::uint32_t, coco::kAreas> counted{};
  // Per area and recall point, the number of true positives at which recall first reaches it.
  std::array<std::array<std::uint32_t, coco::kRecallPoints>, coco::kAreas> reach{};
};

namespace coco {

// Per entry of one category, the number of on-time entries before it (size entries + 1).
void count_on_time(const CocoEvaluation::Category& c, std::span<const std::uint8_t> on_time,
                   std::vector<std::uint32_t>& before);

struct ThresholdResult {
  double precision_sum = 0;  // over the kRecallPoints interpolated precisions
  std::array<std::uint32_t, kDetectionLimits.size()> true_positives{};  // per detection limit
};

// One category, area range and IoU threshold over the on-time images; `precision` is scratch.
ThresholdResult accumulate(const CocoEvaluation::Category& c, std::size_t area,
                           std::size_t threshold, std::span<const std::uint8_t> on_time,
                           std::span<const std::uint32_t> before, std::vector<double>& precision);

// For `counted` ground truths, the smallest count of true positives whose recall
// (count / counted) reaches each recall point.
std::array<std::uint32_t, kRecallPoints> recall_reach(std::uint32_t counted);

}  // namespace coco
}  // namespace tailq
