// COCO bbox evaluation (docs/detection.md): against the independent numpy evaluator
// (tests/reference/coco_reference.py, fixtures from make_coco_fixtures.py) on full sets and
// subsets of on-time images, and on small cases worked out by hand.
#include "tailq/coco.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "tailq/error.hpp"

namespace tailq {
namespace {

using nlohmann::json;
using S = CocoSummary;

CocoBox box(const json& b) { return {b[0], b[1], b[2], b[3]}; }

CocoDataset dataset(const json& c) {
  CocoDataset d;
  d.image_count = c["image_count"];
  d.category_count = c["category_count"];
  for (const json& g : c["ground_truths"])
    d.ground_truths.push_back({g["image"], g["category"], box(g["box"]), g["area"], g["crowd"]});
  for (const json& x : c["detections"])
    d.detections.push_back({x["image"], x["category"], box(x["box"]), x["score"]});
  return d;
}

const json& fixtures() {
  static const json data = [] {
    std::ifstream in(std::string(TAILQ_FIXTURES) + "/coco.json");
    return json::parse(in);
  }();
  return data;
}

TEST(Coco, MatchesNumpyReferenceOnFullSetsAndSubsets) {
  std::size_t checked = 0;
  for (const json& c : fixtures()["cases"]) {
    const CocoEvaluation e(dataset(c));
    for (const json& s : c["subsets"]) {
      const auto on_time = s["on_time"].get<std::vector<std::uint8_t>>();
      const CocoSummary got = e.summary(on_time);
      const auto want = s["summary"].get<std::vector<double>>();
      for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_NEAR(got.values[i], want[i], 1e-9) << c["name"] << " value " << i;
        ++checked;
      }
      EXPECT_NEAR(e.average_precision(on_time), want[S::ap], 1e-9) << c["name"];
      // Each number alone, as the metrics compute it, equals its place in the summary.
      for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(e.value(on_time, static_cast<S::Index>(i)), got.values[i])
            << c["name"] << " value " << i;
      }
    }
  }
  EXPECT_GE(checked, 5u * 5u * 12u);
}

CocoGroundTruth truth(std::size_t image, std::size_t category, CocoBox b, bool crowd = false) {
  return {image, category, b, b.width * b.height, crowd};
}

// AP of one precision curve that holds `p` up to recall `r` (a multiple of 0.01) and 0 beyond:
// the recall points 0, 0.01, ..., r read p.
double flat_ap(double p, double r) { return p * (r * 100 + 1) / 101; }

TEST(Coco, TiedScoresKeepFileOrder) {
  // Two small truths, one found exactly; a miss elsewhere has the same score 0.9.
  CocoDataset d{1, 1, {truth(0, 0, {0, 0, 10, 10}), truth(0, 0, {20, 0, 10, 10})}, {}};
  const CocoDetection hit{0, 0, {0, 0, 10, 10}, 0.9};
  const CocoDetection miss{0, 0, {50, 50, 10, 10}, 0.9};
  // Miss first: precision 0 then 1/2 at recall 1/2; the envelope gives 1/2 up to recall 1/2.
  d.detections = {miss, hit};
  CocoSummary s = CocoEvaluation(d).summary();
  EXPECT_NEAR(s[S::ap], flat_ap(0.5, 0.5), 1e-12);  // 25.5 / 101 at every threshold
  EXPECT_NEAR(s[S::ap_small], flat_ap(0.5, 0.5), 1e-12);
  EXPECT_EQ(s[S::ap_medium], -1);  // no truth of that size: the reference's -1
  EXPECT_EQ(s[S::ar1], 0);         // the one detection allowed is the miss
  EXPECT_EQ(s[S::ar100], 0.5);
  // Hit first: precision 1 at recall 1/2.
  d.detections = {hit, miss};
  s = CocoEvaluation(d).summary();
  EXPECT_NEAR(s[S::ap], flat_ap(1, 0.5), 1e-12);
  EXPECT_EQ(s[S::ar1], 0.5);
}

TEST(Coco, DetectionsInsideACrowdAreNeitherHitsNorMisses) {
  // A 40x40 crowd region: the 10x10 detections inside have IoU 100 / 100 = 1 with it (its union
  // is the detection's own area), so both are ignored, though one scores above the true hit.
  CocoDataset d{1, 1, {truth(0, 0, {0, 0, 10, 10}), truth(0, 0, {20, 0, 40, 40}, true)}, {}};
  d.detections = {
      {0, 0, {25, 5, 10, 10}, 0.9}, {0, 0, {0, 0, 10, 10}, 0.8}, {0, 0, {30, 10, 10, 10}, 0.7}};
  const CocoSummary s = CocoEvaluation(d).summary();
  // One hit out of one counted truth, no counted miss: precision 1 / (1 + eps) everywhere.
  EXPECT_NEAR(s[S::ap], 1, 1e-12);
  EXPECT_NEAR(s[S::ap_small], 1, 1e-12);
  EXPECT_EQ(s[S::ap_medium], -1);  // the crowd is 1600 but never counted
  EXPECT_EQ(s[S::ar100], 1);
  // As an ordinary truth the region would turn the first detection into a miss (IoU 1/16).
  d.ground_truths[1].crowd = false;
  EXPECT_NEAR(CocoEvaluation(d).summary()[S::ap], flat_ap(0.5, 0.5), 1e-12);
}

TEST(Coco, ImageWithoutTruthOnlyAddsMissesAndLateImagesKeepTheirTruth) {
  // Image 0: one truth and its exact detection (score 0.6). Image 1: no truth, a detection
  // scoring 0.9. Order: miss, hit -> precision 1/2 at recall 1.
  CocoDataset d{2, 1, {truth(0, 0, {0, 0, 10, 10})}, {}};
  d.detections = {{0, 0, {0, 0, 10, 10}, 0.6}, {1, 0, {0, 0, 10, 10}, 0.9}};
  const CocoEvaluation e(d);
  EXPECT_NEAR(e.summary()[S::ap], 0.5, 1e-12);
  const std::vector<std::uint8_t> image1_late = {1, 0};
  EXPECT_NEAR(e.summary(image1_late)[S::ap], 1, 1e-12);  // its miss is gone
  // Image 0 late: its truth stays and is missed; only the other image's miss is left.
  const std::vector<std::uint8_t> image0_late = {0, 1};
  EXPECT_EQ(e.summary(image0_late)[S::ap], 0);
  EXPECT_EQ(e.summary(image0_late)[S::ar100], 0);
  EXPECT_EQ(e.summary(std::vector<std::uint8_t>{0, 0})[S::ap], 0);
}

TEST(Coco, CategoryWithoutDetectionsCountsZeroAndOneWithoutTruthIsLeftOut) {
  // Category 0 found exactly (AP 1), category 1 never detected (AP 0), category 2 has only a
  // detection (no truth: left out of the mean). AP = (1 + 0) / 2.
  CocoDataset d{1, 3, {truth(0, 0, {0, 0, 10, 10}), truth(0, 1, {0, 0, 50, 50})}, {}};
  d.detections = {{0, 0, {0, 0, 10, 10}, 0.5}, {0, 2, {0, 0, 10, 10}, 0.5}};
  const CocoSummary s = CocoEvaluation(d).summary();
  EXPECT_NEAR(s[S::ap], 0.5, 1e-12);
  EXPECT_NEAR(s[S::ap_small], 1, 1e-12);  // only category 0 has a small truth
  EXPECT_EQ(s[S::ap_medium], 0);          // only category 1 (2500) has a medium one
  EXPECT_EQ(s[S::ap_large], -1);
  EXPECT_EQ(s[S::ar100], 0.5);
}

TEST(Coco, AreaBoundariesBelongToBothRanges) {
  // Area exactly 32^2 is small and medium (both ends of a range are inclusive).
  const CocoDataset d{1, 1, {truth(0, 0, {0, 0, 32, 32})}, {{0, 0, {0, 0, 32, 32}, 1}}};
  const CocoSummary s = CocoEvaluation(d).summary();
  EXPECT_NEAR(s[S::ap_small], 1, 1e-12);
  EXPECT_NEAR(s[S::ap_medium], 1, 1e-12);
  EXPECT_EQ(s[S::ap_large], -1);
}

TEST(Coco, MetricQualityIsApOverOnTimeImages) {
  const json& c = fixtures()["cases"][1];
  auto e = std::make_shared<const CocoEvaluation>(dataset(c));
  const auto metric = make_coco_metric(e);
  EXPECT_EQ(metric->name(), "ap");
  for (const json& s : c["subsets"]) {
    const auto on_time = s["on_time"].get<std::vector<std::uint8_t>>();
    EXPECT_NEAR(metric->quality(on_time), s["summary"][0].get<double>(), 1e-9);
  }
}

TEST(Coco, RejectsBrokenContracts) {
  CocoDataset d{1, 1, {truth(0, 0, {0, 0, 10, 10})}, {{0, 0, {0, 0, -1, 10}, 0.5}}};
  EXPECT_THROW(CocoEvaluation{d}, InputError);
  d.detections[0].box.width = 10;
  d.detections[0].score = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(CocoEvaluation{d}, InputError);
  d.detections[0].score = 0.5;
  d.detections[0].image = 1;
  EXPECT_THROW(CocoEvaluation{d}, InputError);
  d.detections[0].image = 0;
  const CocoEvaluation e(d);
  EXPECT_THROW(e.summary(std::vector<std::uint8_t>{1, 1}), InputError);
  EXPECT_THROW(make_coco_metric(nullptr), UsageError);
}

}  // namespace
}  // namespace tailq
