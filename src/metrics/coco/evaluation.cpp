// Building a CocoEvaluation: checks, per-image matching, the global score order per category
// (docs/detection.md).
#include <algorithm>
#include <cmath>
#include <string>

#include "metrics/coco/accumulate.hpp"
#include "metrics/coco/image_matching.hpp"
#include "tailq/error.hpp"

namespace tailq {

namespace {

void check_box(const CocoBox& b, const std::string& what) {
  const bool finite =
      std::isfinite(b.x) && std::isfinite(b.y) && std::isfinite(b.width) && std::isfinite(b.height);
  if (!finite || b.width < 0 || b.height < 0)
    throw InputError(what + ": box needs finite coordinates and a width and height >= 0");
}

void check(const CocoDataset& data) {
  const auto where = [&](std::size_t image, std::size_t category, const std::string& what) {
    if (image >= data.image_count)
      throw InputError(what + ": image index " + std::to_string(image) + " is not below " +
                       "image_count (" + std::to_string(data.image_count) + ")");
    if (category >= data.category_count)
      throw InputError(what + ": category index " + std::to_string(category) + " is not below " +
                       "category_count (" + std::to_string(data.category_count) + ")");
  };
  for (std::size_t i = 0; i < data.ground_truths.size(); ++i) {
    const CocoGroundTruth& g = data.ground_truths[i];
    const std::string what = "ground_truths[" + std::to_string(i) + "]";
    where(g.image, g.category, what);
    check_box(g.box, what);
    if (!std::isfinite(g.area) || g.area < 0)
      throw InputError(what + ": area must be finite and >= 0");
  }
  for (std::size_t i = 0; i < data.detections.size(); ++i) {
    const CocoDetection& d = data.detections[i];
    const std::string what = "detections[" + std::to_string(i) + "]";
    where(d.image, d.category, what);
    check_box(d.box, what);
    if (!std::isfinite(d.score)) throw InputError(what + ": score must be finite");
  }
  if (data.image_count >= (std::size_t{1} << 30) / coco::kMaxDetections)
    throw InputError("image_count: too many images for one evaluation");
}

struct Entry {
  double score;
  std::size_t detection;
  std::uint32_t image;
  std::uint8_t rank;
  const coco::ImageMatch* match;
};

CocoEvaluation::Category build_category(const CocoDataset& data,
                                        std::span<const std::vector<std::size_t>> truths_by_image,
                                        std::span<const std::vector<std::size_t>> dets_by_image) {
  CocoEvaluation::Category c;
  std::vector<coco::ImageMatch> matches(data.image_count);
  std::vector<Entry> entries;
  std::vector<const CocoGroundTruth*> truths;
  std::vector<CocoBox> boxes;
  for (std::size_t i = 0; i < data.image_count; ++i) {
    std::vector<std::size_t> dets = dets_by_image[i];
    // Best score first, ties in file order; only the best kMaxDetections take part.
    std::stable_sort(dets.begin(), dets.end(), [&](std::size_t a, std::size_t b) {
      return data.detections[a].score > data.detections[b].score;
    });
    if (dets.size() > coco::kMaxDetections) dets.resize(coco::kMaxDetections);
    truths.clear();
    for (const std::size_t g : truths_by_image[i]) truths.push_back(&data.ground_truths[g]);
    boxes.clear();
    for (const std::size_t d : dets) boxes.push_back(data.detections[d].box);
    matches[i] = coco::match_image(boxes, truths);
    for (std::size_t a = 0; a < coco::kAreas; ++a)
      c.counted[a] += static_cast<std::uint32_t>(matches[i].counted_truths[a]);
    for (std::size_t r = 0; r < dets.size(); ++r)
      entries.push_back(Entry{data.detections[dets[r]].score, dets[r],
                              static_cast<std::uint32_t>(i), static_cast<std::uint8_t>(r),
                              &matches[i]});
  }
  // Entries are in image order, then rank: a stable sort breaks ties in score the same way.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.score > b.score; });
  using Category = CocoEvaluation::Category;
  for (std::size_t e = 0; e < entries.size(); ++e) {
    const Entry& x = entries[e];
    const CocoBox& b = data.detections[x.detection].box;
    std::uint8_t bits = 0;
    for (std::size_t a = 0; a < coco::kAreas; ++a)
      bits |= static_cast<std::uint8_t>(coco::kAreaRanges[a].contains(b.width * b.height) << a);
    c.image.push_back(x.image);
    c.rank.push_back(x.rank);
    c.in_range.push_back(bits);
    for (std::size_t k = 0; k < c.events.size(); ++k) {
      const std::size_t a = k / coco::kThresholds;
      const bool inside = (bits >> a) & 1;
      const coco::Outcome o = x.match->outcome(a, k % coco::kThresholds, x.rank);
      std::uint32_t kind = 0;
      if (o == coco::Outcome::true_positive)
        kind = inside ? Category::hit : Category::hit_outside;
      else if (o == coco::Outcome::ignored && inside)  // matched to an ignored truth
        kind = Category::ignored_inside;
      else
        continue;  // a false positive, or ignored for its own area: no event
      c.events[k].push_back({x.image, static_cast<std::uint32_t>(e << 2) | kind});
    }
  }
  for (std::size_t a = 0; a < coco::kAreas; ++a)
    c.points_reached[a] = coco::recall_points_reached(c.counted[a]);
  return c;
}

}  // namespace

CocoEvaluation::CocoEvaluation(const CocoDataset& data) : image_count_(data.image_count) {
  check(data);
  // Indices per category and image, in file order.
  const std::size_t cells = data.category_count * data.image_count;
  std::vector<std::vector<std::size_t>> truths(cells), dets(cells);
  for (std::size_t g = 0; g < data.ground_truths.size(); ++g) {
    const CocoGroundTruth& t = data.ground_truths[g];
    truths[t.category * data.image_count + t.image].push_back(g);
  }
  for (std::size_t d = 0; d < data.detections.size(); ++d) {
    const CocoDetection& x = data.detections[d];
    dets[x.category * data.image_count + x.image].push_back(d);
  }
  categories_.reserve(data.category_count);
  for (std::size_t k = 0; k < data.category_count; ++k) {
    const std::span<const std::vector<std::size_t>> t(truths.data() + k * data.image_count,
                                                      data.image_count);
    const std::span<const std::vector<std::size_t>> d(dets.data() + k * data.image_count,
                                                      data.image_count);
    categories_.push_back(build_category(data, t, d));
  }
}

CocoEvaluation::~CocoEvaluation() = default;
CocoEvaluation::CocoEvaluation(CocoEvaluation&&) noexcept = default;
CocoEvaluation& CocoEvaluation::operator=(CocoEvaluation&&) noexcept = default;

std::size_t CocoEvaluation::image_count() const { return image_count_; }

}  // namespace tailq
