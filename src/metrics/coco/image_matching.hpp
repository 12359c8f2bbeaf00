// Greedy matching of one image's detections to its ground truth in one category, for every
// IoU threshold and area range at once (docs/detection.md, "Matching in one image").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "metrics/coco/params.hpp"
#include "tailq/coco.hpp"

namespace tailq::coco {

enum class Outcome : std::uint8_t { false_positive, true_positive, ignored };

struct ImageMatch {
  std::size_t detections = 0;
  // outcomes[(area * kThresholds + threshold) * detections + d]
  std::vector<Outcome> outcomes;
  // Ground truths that are neither crowd nor outside the area range: the recall's denominator.
  std::array<std::size_t, kAreas> counted_truths{};

  Outcome outcome(std::size_t area, std::size_t threshold, std::size_t d) const {
    return outcomes[(area * kThresholds + threshold) * detections + d];
  }
};

// `detections` are sorted by score, highest first, ties in file order, at most kMaxDetections;
// `truths` are in file order.
ImageMatch match_image(std::span<const CocoBox> detections,
                       std::span<const CocoGroundTruth* const> truths);

}  // namespace tailq::coco
