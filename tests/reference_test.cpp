// Checks the engine against values computed independently by tests/reference/make_fixtures.py
// (numpy's percentile(method="inverted_cdf"), numpy.linspace, scikit-learn's metrics).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tailq/engine.hpp"
#include "tailq/stats.hpp"

namespace tailq {
namespace {

using nlohmann::json;

const json& fixtures() {
  static const json data = [] {
    std::ifstream in(std::string(TAILQ_FIXTURES) + "/reference.json");
    return json::parse(in);
  }();
  return data;
}

TEST(Reference, PercentileIndexMatchesNumpy) {
  std::size_t checked = 0;
  for (const json& c : fixtures()["percentile"]) {
    const auto n = c["n"].get<std::size_t>();
    const double q = c["q"].get<double>();
    EXPECT_EQ(inverted_cdf_index(n, q), c["index"].get<std::size_t>()) << "n=" << n << " q=" << q;
    ++checked;
  }
  EXPECT_GT(checked, 100u);
}

void expect_close(double actual, const json& expected, const std::string& what) {
  if (expected.is_null()) {
    EXPECT_TRUE(std::isnan(actual)) << what;
    return;
  }
  EXPECT_NEAR(actual, expected.get<double>(), 1e-12) << what;
}

class ReferenceTrace : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ReferenceTrace, EngineMatchesNumpyAndScikitLearn) {
  const json& c = fixtures()["traces"][GetParam()];
  SCOPED_TRACE(c["name"].get<std::string>());
  const auto batch_of = c["batch_of_instance"].get<std::vector<std::uint32_t>>();
  const auto rows = c["times"].get<std::vector<std::vector<double>>>();
  std::vector<double> times;
  for (const auto& row : rows) times.insert(times.end(), row.begin(), row.end());
  const MatrixRoundSource source(times, rows.front().size());

  Outcomes classification;
  classification.labels = c["labels"].get<std::vector<std::string>>();
  classification.predictions = c["predictions"].get<std::vector<std::string>>();
  Outcomes scores;
  scores.kind = Outcomes::Kind::score;
  scores.scores = c["scores"].get<std::vector<double>>();

  AnalysisRequest request;
  request.thresholds = parse_thresholds(c["thresholds"].get<std::string>());
  request.sweep = c["sweep"].get<std::size_t>();
  request.sweep_trim_outliers = c["trim"].get<bool>();

  for (const auto& [metric_name, expected] : c["expected"].items()) {
    SCOPED_TRACE(metric_name);
    const auto metric = make_metric(metric_name, metric_name == "score" ? scores : classification);
    for (unsigned threads : {1u, 2u, 3u}) {
      request.threads = threads;
      const TailQuality r = analyze(source, batch_of, *metric, request);
      const json& latency = c["latency"];
      EXPECT_EQ(r.rounds, rows.size());
      EXPECT_EQ(r.latency.count, latency["count"].get<std::uint64_t>());
      EXPECT_EQ(r.latency.min, latency["min"].get<double>());
      EXPECT_EQ(r.latency.max, latency["max"].get<double>());
      EXPECT_EQ(r.latency.p50, latency["p50"].get<double>());
      EXPECT_EQ(r.latency.p90, latency["p90"].get<double>());
      EXPECT_EQ(r.latency.p95, latency["p95"].get<double>());
      EXPECT_EQ(r.latency.p99, latency["p99"].get<double>());
      EXPECT_EQ(r.latency.p99_9, latency["p99.9"].get<double>());
      EXPECT_NEAR(r.latency.mean, latency["mean"].get<double>(), 1e-15);
      expect_close(r.nominal_quality, expected["nominal"], "nominal");

      const json& want = expected["thresholds"];
      ASSERT_EQ(r.thresholds.size(), want.size());
      for (std::size_t t = 0; t < want.size(); ++t) {
        const ThresholdQuality& got = r.thresholds[t];
        const json& w = want[t];
        const std::string at = "threshold " + std::to_string(t) + " (" + got.label + ")";
        EXPECT_EQ(got.seconds, w["seconds"].get<double>()) << at;
        const auto per_round = w["per_round"].get<std::vector<double>>();
        ASSERT_EQ(got.per_round.size(), per_round.size()) << at;
        for (std::size_t i = 0; i < per_round.size(); ++i) {
          EXPECT_NEAR(got.per_round[i], per_round[i], 1e-12) << at << " round " << i;
        }
        const json& q = w["quality"];
        expect_close(got.quality.min, q["min"], at + " min");
        expect_close(got.quality.p1, q["p1"], at + " p1");
        expect_close(got.quality.p5, q["p5"], at + " p5");
        expect_close(got.quality.median, q["median"], at + " median");
        expect_close(got.quality.mean, q["mean"], at + " mean");
        expect_close(got.quality.std, q["std"], at + " std");
        expect_close(got.quality.max, q["max"], at + " max");
        expect_close(got.late_fraction_mean, w["late_mean"], at + " late mean");
        expect_close(got.late_fraction_max, w["late_max"], at + " late max");
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ReferenceTrace, ::testing::Values(0, 1, 2));

}  // namespace
}  // namespace tailq
