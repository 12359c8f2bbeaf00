#include "metrics/coco/image_matching.hpp"

#include <algorithm>

#include "metrics/coco/box_iou.hpp"

namespace tailq::coco {

namespace {

struct Truth {
  std::size_t index;  // column in the IoU matrix
  bool ignored;
  bool crowd;
};

// One threshold, one area range: each detection in score order takes the unmatched truth of
// highest IoU (a later truth wins a tie; crowds stay available). Once it holds a counted truth
// it stops at the first ignored one, which the order puts last (docs/detection.md).
void match_threshold(std::span<const double> iou, std::size_t truth_count,
                     std::span<const Truth> order, std::span<const CocoBox> detections,
                     const AreaRange& range, double threshold, std::vector<std::uint8_t>& taken,
                     std::span<Outcome> out) {
  std::fill(taken.begin(), taken.end(), std::uint8_t{0});
  for (std::size_t d = 0; d < detections.size(); ++d) {
    double best = std::min(threshold, 1 - 1e-10);
    std::ptrdiff_t match = -1;
    for (std::size_t g = 0; g < order.size(); ++g) {
      if (taken[g] && !order[g].crowd) continue;
      if (match >= 0 && !order[match].ignored && order[g].ignored) break;
      const double v = iou[d * truth_count + order[g].index];
      if (v < best) continue;
      best = v;
      match = static_cast<std::ptrdiff_t>(g);
    }
    if (match >= 0) {
      taken[match] = 1;
      out[d] = order[match].ignored ? Outcome::ignored : Outcome::true_positive;
    } else {
      const CocoBox& b = detections[d];
      out[d] = range.contains(b.width * b.height) ? Outcome::false_positive : Outcome::ignored;
    }
  }
}

}  // namespace

ImageMatch match_image(std::span<const CocoBox> detections,
                       std::span<const CocoGroundTruth* const> truths) {
  const std::size_t n = detections.size();
  const std::size_t m = truths.size();
  std::vector<double> iou(n * m);
  for (std::size_t d = 0; d < n; ++d)
    for (std::size_t g = 0; g < m; ++g)
      iou[d * m + g] = box_iou(detections[d], truths[g]->box, truths[g]->crowd);

  ImageMatch result;
  result.detections = n;
  result.outcomes.resize(kAreas * kThresholds * n);
  std::vector<Truth> order(m);
  std::vector<std::uint8_t> taken(m);
  for (std::size_t a = 0; a < kAreas; ++a) {
    for (std::size_t g = 0; g < m; ++g) {
      const bool ignored = truths[g]->crowd || !kAreaRanges[a].contains(truths[g]->area);
      order[g] = Truth{g, ignored, truths[g]->crowd};
      if (!ignored) ++result.counted_truths[a];
    }
    // Counted truths first, each group in file order.
    std::stable_partition(order.begin(), order.end(), [](const Truth& t) { return !t.ignored; });
    for (std::size_t t = 0; t < kThresholds; ++t) {
      std::span<Outcome> out(result.outcomes.data() + (a * kThresholds + t) * n, n);
      match_threshold(iou, m, order, detections, kAreaRanges[a], iou_threshold(t), taken, out);
    }
  }
  return result;
}

}  // namespace tailq::coco
