// Intersection over union of two COCO boxes (docs/detection.md, "IoU").
#pragma once

#include "tailq/coco.hpp"

namespace tailq::coco {

// For a crowd ground truth the union is the detection's own area: a detection inside a crowd
// region overlaps it fully whatever the region's size.
double box_iou(const CocoBox& detection, const CocoBox& truth, bool crowd);

}  // namespace tailq::coco
