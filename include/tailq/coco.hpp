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
#include <optional>
#include <span>
#include <string>
#include <string_view>
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
  // summary(on_time)[index] alone, without the area ranges, thresholds and recall limits it
  // does not need.
  double value(std::span<const std::uint8_t> on_time, CocoSummary::Index index) const;
  double average_precision(std::span<const std::uint8_t> on_time) const;  // value(ap)

  struct Category;  // the per-category state (src/metrics/coco/accumulate.hpp)

 private:
  std::size_t image_count_ = 0;
  std::vector<Category> categories_;
};

// The summary's numbers as metric names: "ap", "ap50", "ap75", "ap-small", "ap-medium",
// "ap-large", "ar1", "ar10", "ar100", "ar-small", "ar-medium", "ar-large".
std::string_view coco_metric_name(CocoSummary::Index index);
std::optional<CocoSummary::Index> parse_coco_metric(std::string_view name);
// As reports write them: "AP", "AP50", "AR@100", "AP small", ...
std::string_view coco_metric_title(CocoSummary::Index index);

// A Metric whose quality is summary(on_time)[index] (computed alone, CocoEvaluation::value) over
// the images answered in time; instance i is image i.
std::unique_ptr<Metric> make_coco_metric(std::shared_ptr<const CocoEvaluation> evaluation,
                                         CocoSummary::Index index = CocoSummary::ap);

// Detection outcomes in a trace (Outcomes::Kind::detection; docs/detection.md, "In a trace"): per
// image one JSON array as the label, [[category_id, x, y, width, height, area, iscrowd], ...],
// and one as the prediction, [[category_id, x, y, width, height, score], ...], category ids as
// in the COCO files. `value` is the area of a ground truth and the score of a detection.
struct StoredBox {
  std::int64_t category_id = 0;
  CocoBox box;
  double value = 0;
  bool crowd = false;  // ground truth only
};
std::string encode_ground_truth(std::span<const StoredBox> boxes);
std::string encode_detections(std::span<const StoredBox> boxes);
// The dataset of a detection trace: image i is instance i; the categories are the ids that have
// ground truth, ascending (detections of other categories cannot change any mean and are left
// out, docs/detection.md). Throws InputError naming the instance for malformed entries.
CocoDataset coco_dataset_of(const Outcomes& outcomes, std::span<const Instance> instances = {});

}  // namespace tailq
