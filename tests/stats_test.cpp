#include "tailq/stats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tailq {
namespace {

TEST(InvertedCdf, FollowsNumpyAtWholeVirtualIndex) {
  // n = 10, q = 50: v = 4 exactly, numpy takes x[4] (not x[5]).
  EXPECT_EQ(inverted_cdf_index(10, 50), 4u);
  // n = 10, q = 55: v = 4.5, next index.
  EXPECT_EQ(inverted_cdf_index(10, 55), 5u);
}

TEST(InvertedCdf, DoubleRoundingDecidesLikeNumpy) {
  // 1000 * (99.9 / 100) is 999.0000000000001 in doubles: v = 998.0000000000001, numpy takes
  // index 999 where ceil(n q / 100) - 1 would give 998.
  EXPECT_EQ(inverted_cdf_index(1000, 99.9), 999u);
}

TEST(InvertedCdf, ClipsAtBothEnds) {
  EXPECT_EQ(inverted_cdf_index(5, 0), 0u);
  EXPECT_EQ(inverted_cdf_index(5, 100), 4u);
  EXPECT_EQ(inverted_cdf_index(1, 37), 0u);
}

TEST(Summary, MatchesHandComputedValues) {
  const std::vector<double> v = {0.5, 0.1, 0.4, 0.2, 0.3};
  const Summary s = summarize(v);
  EXPECT_DOUBLE_EQ(s.min, 0.1);
  EXPECT_DOUBLE_EQ(s.max, 0.5);
  EXPECT_DOUBLE_EQ(s.median, 0.3);  // v = 1.5 -> index 2
  EXPECT_DOUBLE_EQ(s.p1, 0.1);
  EXPECT_DOUBLE_EQ(s.mean, 0.3);
  EXPECT_NEAR(s.std, std::sqrt(0.025), 1e-15);  // ddof = 1
}

TEST(Summary, StdOfOneValueIsUndefined) {
  const std::vector<double> v = {0.7};
  EXPECT_TRUE(std::isnan(summarize(v).std));
}

}  // namespace
}  // namespace tailq
