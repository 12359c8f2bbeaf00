// The reference's twelve summary numbers over a subset of on-time images, and the metric whose
// quality is AP (docs/detection.md, "Summary").
#include <string>

#include "metrics/coco/accumulate.hpp"
#include "tailq/error.hpp"

namespace tailq {

namespace {

using coco::kAreas;
using coco::kRecallPoints;
using coco::kThresholds;

void check_mask(std::span<const std::uint8_t> on_time, std::size_t images) {
  if (on_time.size() != images)
    throw InputError("on_time: has " + std::to_string(on_time.size()) + " entries for " +
                     std::to_string(images) + " images");
}

// Sums and counts of the means the summary takes; a mean over nothing is -1.
struct Mean {
  double sum = 0;
  double count = 0;
  void add(double v, double n = 1) {
    sum += v;
    count += n;
  }
  double value() const { return count == 0 ? -1.0 : sum / count; }
};

constexpr std::size_t kAll = 0;
constexpr std::size_t kIou50 = 0;
constexpr std::size_t kIou75 = 5;
// Each precision curve is the mean of this many interpolated points.
constexpr double kPoints = static_cast<double>(kRecallPoints);

}  // namespace

CocoSummary CocoEvaluation::summary(std::span<const std::uint8_t> on_time) const {
  check_mask(on_time, image_count_);
  std::array<Mean, kAreas> ap, ar;
  Mean ap50, ap75, ar1, ar10;
  std::vector<std::uint32_t> before;
  std::vector<double> precision;
  for (const Category& c : categories_) {
    for (std::size_t a = 0; a < kAreas; ++a) {
      if (c.counted[a] == 0) continue;  // the reference's -1: left out of the means
      const double counted = c.counted[a];
      coco::count_on_time(c, a, on_time, before);
      for (std::size_t t = 0; t < kThresholds; ++t) {
        const auto r = coco::accumulate<true>(c, a, t, on_time, before, precision);
        ap[a].add(r.precision_sum, kPoints);
        ar[a].add(r.true_positives[2] / counted);
        if (a != kAll) continue;
        if (t == kIou50) ap50.add(r.precision_sum, kPoints);
        if (t == kIou75) ap75.add(r.precision_sum, kPoints);
        ar1.add(r.true_positives[0] / counted);
        ar10.add(r.true_positives[1] / counted);
      }
    }
  }
  CocoSummary s;
  s.values = {ap[0].value(), ap50.value(),  ap75.value(),  ap[1].value(),
              ap[2].value(), ap[3].value(), ar1.value(),   ar10.value(),
              ar[0].value(), ar[1].value(), ar[2].value(), ar[3].value()};
  return s;
}

CocoSummary CocoEvaluation::summary() const {
  return summary(std::vector<std::uint8_t>(image_count_, 1));
}

double CocoEvaluation::average_precision(std::span<const std::uint8_t> on_time) const {
  return value(on_time, CocoSummary::ap);
}

double CocoEvaluation::value(std::span<const std::uint8_t> on_time,
                             CocoSummary::Index index) const {
  using S = CocoSummary;
  check_mask(on_time, image_count_);
  const std::size_t area = index == S::ap_small || index == S::ar_small     ? 1
                           : index == S::ap_medium || index == S::ar_medium ? 2
                           : index == S::ap_large || index == S::ar_large   ? 3
                                                                            : kAll;
  const bool recall = index >= S::ar1;
  const std::size_t limit = index == S::ar1 ? 0 : index == S::ar10 ? 1 : 2;
  std::size_t first = 0, last = kThresholds;
  if (index == S::ap50 || index == S::ap75) {
    first = index == S::ap50 ? kIou50 : kIou75;
    last = first + 1;
  }
  Mean mean;
  std::vector<std::uint32_t> before;
  std::vector<double> precision;
  for (const Category& c : categories_) {
    if (c.counted[area] == 0) continue;
    coco::count_on_time(c, area, on_time, before);
    for (std::size_t t = first; t < last; ++t) {
      if (!recall) {
        mean.add(coco::accumulate<false>(c, area, t, on_time, before, precision).precision_sum,
                 kPoints);
        continue;
      }
      // Only the smaller detection limits need the per-entry ranks.
      const auto r = limit < 2 ? coco::accumulate<true>(c, area, t, on_time, before, precision)
                               : coco::accumulate<false>(c, area, t, on_time, before, precision);
      mean.add(r.true_positives[limit] / static_cast<double>(c.counted[area]));
    }
  }
  return mean.value();
}

namespace {

constexpr std::string_view kMetricNames[] = {"ap",        "ap50",     "ap75",      "ap-small",
                                             "ap-medium", "ap-large", "ar1",       "ar10",
                                             "ar100",     "ar-small", "ar-medium", "ar-large"};
static_assert(std::size(kMetricNames) == std::tuple_size_v<decltype(CocoSummary::values)>);
constexpr std::string_view kMetricTitles[] = {"AP",        "AP50",     "AP75",      "AP small",
                                              "AP medium", "AP large", "AR@1",      "AR@10",
                                              "AR@100",    "AR small", "AR medium", "AR large"};

class CocoMetric : public Metric {
 public:
  CocoMetric(std::shared_ptr<const CocoEvaluation> e, CocoSummary::Index index)
      : evaluation_(std::move(e)), index_(index) {}
  std::string_view name() const override { return coco_metric_name(index_); }
  double quality(std::span<const std::uint8_t> on_time) const override {
    return evaluation_->value(on_time, index_);
  }

 private:
  std::shared_ptr<const CocoEvaluation> evaluation_;
  CocoSummary::Index index_;
};

}  // namespace

std::string_view coco_metric_name(CocoSummary::Index index) { return kMetricNames[index]; }
std::string_view coco_metric_title(CocoSummary::Index index) { return kMetricTitles[index]; }

std::optional<CocoSummary::Index> parse_coco_metric(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kMetricNames); ++i)
    if (kMetricNames[i] == name) return static_cast<CocoSummary::Index>(i);
  return std::nullopt;
}

std::unique_ptr<Metric> make_coco_metric(std::shared_ptr<const CocoEvaluation> evaluation,
                                         CocoSummary::Index index) {
  if (!evaluation) throw UsageError("make_coco_metric: evaluation is null");
  return std::make_unique<CocoMetric>(std::move(evaluation), index);
}

}  // namespace tailq
