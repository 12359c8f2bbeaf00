// COCO bounding-box evaluation (AP, AR) with late images, as defined in docs/detection.md.
//
// CocoEvaluation does the per-image work once (IoU, greedy matching for every IoU threshold and
// area range); a subset of on-time images then costs one pass over the detections in their
// global score order per category. A late image loses its detections; its ground truth still
// counts, as misses.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "tailq/metric.hpp"

namespace tailq {

// COCO's [x, y, width, height]; width and height are >= 0 and finite.
struct CocoBox {
  double x = 0;
  double y = 0;
  double width = 0;
  double height = 0;
};

// One annotation of the ground truth. The order of ground truths within an image and category
// is the annotation file's: it decides between boxes of equal IoU (docs/detection.md, matching).
struct CocoGroundTruth {
  std::size_t image = 0;     // index < CocoDataset::image_count
  std::size_t category = 0;  // index < CocoDataset::category_count
  CocoBox box;
  // The annotation's "area" field, which decides its area range (for polygons it is the mask
  // area, not width * height). Finite, >= 0.
  double area = 0;
  bool crowd = false;  // "iscrowd": never a miss, may absorb any number of detections
};

// One detection of the results. Within an image and category, ties in score keep the results
// file's order.
struct CocoDetection {
  std::size_t image = 0;
  std::size_t category = 0;
  CocoBox box;
  double score = 0;  // finite
};

// Images are indexed 0..image_count-1 in ascending COCO image id: the reference breaks ties in
// score between images by that order. Categories are those of the ground truth file; a
// category without ground truth in an area range is left out of that range's mean.
struct CocoDataset {
  std::size_t image_count = 0;
  std::size_t category_count = 0;
  std::vector<CocoGroundTruth> ground_truths;
  std::vector<CocoDetection> detections;
};

// The twelve numbers of the reference's summary, in its order. -1 where no category has a
// non-ignored ground truth in that area range (the reference's value).
struct CocoSummary {
  enum Index : std::size_t {
    ap,         // IoU 0.50:0.95, all areas, 100 detections
    ap50,       // IoU 0.50
    ap75,       // IoU 0.75
    ap_small,   // area < 32^2
    ap_medium,  // 32^2 <= area <= 96^2 (both ends belong to both neighbours, as in the reference)
    ap_large,   // area > 96^2
    ar1,        // recall with 1 detection per image and category
    ar10,
    ar100,
    ar_small,
    ar_medium,
    ar_large,
  };
  std::array<double, 12> values{};
  double operator[](Index i) const { return values[i]; }
};

class CocoEvaluation {
 public:
  // Checks the contracts above (InputError naming the field) and matches every image once.
  explicit CocoEvaluation(const CocoDataset& data);
  ~CocoEvaluation();
  CocoEvaluation(CocoEvaluation&&) noexcept;
  CocoEvaluation& operator=(CocoEvaluation&&) noexcept;

  std::size_t image_count() const;
  // on_time[i] != 0 when image i answered in time; on_time.size() == image_count().
  // Thread-safe: it does not mutate the evaluation.
  CocoSummary summary(std::span<const std::uint8_t> on_time) const;
  CocoSummary summary() const;  // every image on time
  // summary(on_time)[ap] alone, without the area ranges and recall limits it does not need.
  double average_precision(std::span<const std::uint8_t> on_time) const;

  struct Category;  // the per-category state (src/metrics/coco/accumulate.hpp)

 private:
  std::size_t image_count_ = 0;
  std::vector<Category> categories_;
};

// A Metric named "coco-ap" whose quality is AP (IoU 0.50:0.95) over the images answered in
// time; instance i is image i.
std::unique_ptr<Metric> make_coco_metric(std::shared_ptr<const CocoEvaluation> evaluation);

}  // namespace tailq
