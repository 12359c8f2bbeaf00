#include "metrics/coco/box_iou.hpp"

#include <cmath>

namespace tailq::coco {

double box_iou(const CocoBox& detection, const CocoBox& truth, bool crowd) {
  // The operand order of each sum follows the reference so that the doubles are identical.
  const double w = std::fmin(detection.width + detection.x, truth.width + truth.x) -
                   std::fmax(detection.x, truth.x);
  if (w <= 0) return 0;
  const double h = std::fmin(detection.height + detection.y, truth.height + truth.y) -
                   std::fmax(detection.y, truth.y);
  if (h <= 0) return 0;
  const double intersection = w * h;
  const double detection_area = detection.width * detection.height;
  const double unite =
      crowd ? detection_area : detection_area + truth.width * truth.height - intersection;
  return intersection / unite;
}

}  // namespace tailq::coco
