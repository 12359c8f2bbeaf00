// Q@T by node (docs/multi-node.md): the F test against scipy.stats.f_oneway (tests/reference/
// make_anova_fixtures.py), the breakdown's means, spreads and round-to-node map, and the
// reports' sentence on it.
#include "analyse/node_breakdown.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "report/node_words.hpp"

namespace tailq::detail {
namespace {

nlohmann::json fixtures() {
  std::ifstream in(std::string(TAILQ_FIXTURES) + "/anova.json");
  return nlohmann::json::parse(in);
}

TEST(NodeBreakdown, FTestMatchesScipy) {
  const auto all = fixtures();
  ASSERT_EQ(all.size(), 5u);
  for (const auto& c : all) {
    const auto values = c["values"].get<std::vector<double>>();
    const auto group_of = c["group_of"].get<std::vector<std::uint32_t>>();
    const NodeBreakdown::FTest t = one_way_f_test(values, group_of, c["groups"]);
    const double f = c["f"], p = c["p"];
    EXPECT_NEAR(t.f, f, 1e-10 * f) << c["name"];
    EXPECT_NEAR(t.p, p, 1e-12 + 1e-8 * p) << c["name"];
    EXPECT_EQ(t.df_between, c["df_between"].get<std::size_t>()) << c["name"];
    EXPECT_EQ(t.df_within, c["df_within"].get<std::size_t>()) << c["name"];
  }
}

TEST(NodeBreakdown, FTestWithoutVariationWithinNodes) {
  // Nodes that differ while their rounds never do: certainly different.
  const std::vector<double> values = {0.9, 0.9, 0.9, 0.85, 0.85};
  const std::vector<std::uint32_t> group_of = {0, 0, 0, 1, 1};
  NodeBreakdown::FTest t = one_way_f_test(values, group_of, 2);
  EXPECT_TRUE(std::isinf(t.f));
  EXPECT_EQ(t.p, 0);
  // Every round alike (a sum of equal values, not exactly 3 x 0.1): nothing to test.
  const std::vector<double> same = {0.1, 0.1, 0.1, 0.1, 0.1};
  t = one_way_f_test(same, group_of, 2);
  EXPECT_TRUE(std::isnan(t.f));
  EXPECT_TRUE(std::isnan(t.p));
  // One round per node leaves no degree of freedom within nodes.
  t = one_way_f_test(std::vector<double>{0.8, 0.9}, std::vector<std::uint32_t>{0, 1}, 2);
  EXPECT_EQ(t.df_within, 0u);
  EXPECT_TRUE(std::isnan(t.p));
  // Only one node with rounds: no comparison.
  t = one_way_f_test(std::vector<double>{0.8, 0.9}, std::vector<std::uint32_t>{1, 1}, 2);
  EXPECT_EQ(t.df_between, 0u);
  EXPECT_TRUE(std::isnan(t.f));
}

TEST(NodeBreakdown, MeansSpreadsAndRoundsPerNode) {
  TailQuality r;
  ThresholdQuality t;
  t.label = "p99";
  t.seconds = 0.004;
  t.per_round = {0.90, 0.92, 0.80, 0.91, 0.84, 0.82};
  ThresholdQuality sweep;
  sweep.from_sweep = true;
  sweep.per_round = t.per_round;
  r.thresholds = {t, sweep};
  const NodeBreakdown b = node_breakdown({"a", "b", "idle"}, {0, 0, 1, 0, 1, 1}, r);
  ASSERT_EQ(b.nodes.size(), 3u);
  EXPECT_EQ(b.nodes[0].label, "a");
  EXPECT_EQ(b.nodes[0].rounds, 3u);
  EXPECT_EQ(b.nodes[1].rounds, 3u);
  EXPECT_EQ(b.nodes[2].rounds, 0u);
  EXPECT_EQ(b.node_of_round, (std::vector<std::uint32_t>{0, 0, 1, 0, 1, 1}));
  ASSERT_EQ(b.deadlines.size(), 1u);  // not the sweep
  const NodeBreakdown::Deadline& d = b.deadlines[0];
  EXPECT_EQ(d.label, "p99");
  EXPECT_NEAR(d.mean[0], 0.91, 1e-15);
  EXPECT_NEAR(d.mean[1], 0.82, 1e-15);
  EXPECT_TRUE(std::isnan(d.mean[2]));
  EXPECT_NEAR(d.between_sd, 0.09 / std::sqrt(2.0), 1e-15);
  // Within: squares 1e-4 + 1e-4 + 0 around a, 4e-4 + 4e-4 + 0 around b, over 6 - 2.
  EXPECT_NEAR(d.within_sd, std::sqrt(10e-4 / 4), 1e-15);
  // F = (3 x 0.045^2 x 2 / 1) / (10e-4 / 4) = 48.6 on 1 and 4 degrees of freedom.
  EXPECT_NEAR(d.f_test.f, 48.6, 1e-9);
  EXPECT_EQ(d.f_test.df_between, 1u);
  EXPECT_EQ(d.f_test.df_within, 4u);
  EXPECT_LT(d.f_test.p, 0.01);
}

// The reports' sentence follows the test: p below 0.05 says the nodes differ.
TEST(NodeBreakdown, VerdictInPlainWords) {
  NodeBreakdown::Deadline d;
  d.label = "p99";
  d.between_sd = 0.012;
  d.within_sd = 0.004;
  d.f_test = {30.5, 1, 48, 1.3e-6};
  EXPECT_EQ(node_verdict(d),
            "At p99 the nodes differ more than the variation of rounds within a node explains: "
            "the node means spread 1.20 points (standard deviation), rounds within a node 0.40 "
            "points (one-way ANOVA F = 30.5 on 1 and 48 degrees of freedom, p < 0.0001).");
  d.f_test = {0.899, 1, 48, 0.35};
  EXPECT_NE(node_verdict(d).find("differ no more than"), std::string::npos);
  EXPECT_NE(node_verdict(d).find("p = 0.35)"), std::string::npos);
  d.f_test = {std::numeric_limits<double>::infinity(), 1, 48, 0};
  EXPECT_NE(node_verdict(d).find("the nodes differ: no round varies"), std::string::npos);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  d.f_test = {nan, 1, 48, nan};
  EXPECT_NE(node_verdict(d).find("every round has the same Q@T"), std::string::npos);
  d.f_test = {nan, 1, 0, nan};
  EXPECT_NE(node_verdict(d).find("no node has a second round"), std::string::npos);
  EXPECT_EQ(p_text(0.049), "0.049");
  EXPECT_EQ(f_text(nan), "-");
}

}  // namespace
}  // namespace tailq::detail
