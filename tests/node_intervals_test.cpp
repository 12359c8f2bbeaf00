// The mean interval with nodes as a level (mean_interval_by_node, docs/precision.md "Several
// nodes"): a hand-worked example checked with scipy, and coverage where the truth is known.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "tailq/dependence.hpp"
#include "tailq/error.hpp"

namespace tailq {
namespace {

TEST(NodeIntervals, HandExampleMatchesScipy) {
  // Two nodes of 5 and 6 rounds (too few for a long-run variance: independent within), rounds
  // interleaved as an MPI run stores them. Reference: tests/reference/node_interval_reference.py
  // (numpy and scipy.stats.t on the formulas of docs/precision.md).
  const std::vector<double> node0 = {0.80, 0.82, 0.79, 0.81, 0.83};
  const std::vector<double> node1 = {0.70, 0.72, 0.69, 0.71, 0.74, 0.73};
  std::vector<double> x;
  std::vector<std::uint32_t> node_of;
  for (std::size_t r = 0; r < 6; ++r) {
    if (r < node0.size()) {
      x.push_back(node0[r]);
      node_of.push_back(0);
    }
    x.push_back(node1[r]);
    node_of.push_back(1);
  }
  const MeanInterval m = mean_interval_by_node(x, node_of, 0.95);
  EXPECT_NEAR(m.interval.value, 0.7581818181818182, 1e-15);
  EXPECT_NEAR(m.interval.high - m.interval.value, 0.6056081468645806, 1e-9);
  EXPECT_NEAR(m.variance.degrees_of_freedom, 1.0003325217797705, 1e-9);
  EXPECT_NEAR(m.interval.value - m.interval.low, m.interval.high - m.interval.value, 1e-15);
}

TEST(NodeIntervals, OneNodeIsThePlainInterval) {
  std::vector<double> x;
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  for (int r = 0; r < 200; ++r) x.push_back(normal(rng));
  const std::vector<std::uint32_t> node_of(x.size(), 2);  // one node, whatever its index
  const MeanInterval by_node = mean_interval_by_node(x, node_of, 0.9);
  const MeanInterval plain = mean_interval(x, 0.9);
  EXPECT_EQ(by_node.interval.low, plain.interval.low);
  EXPECT_EQ(by_node.interval.high, plain.interval.high);
}

TEST(NodeIntervals, MismatchedSizesAreRefused) {
  const std::vector<double> x = {1, 2, 3};
  const std::vector<std::uint32_t> node_of = {0, 1};
  EXPECT_THROW(mean_interval_by_node(x, node_of, 0.95), InputError);
}

// K nodes, each with its own offset ~ N(0, between_sd^2) and AR(1) rounds (phi, unit
// variance), interleaved round-robin; the truth (the mean over machines of this kind) is 0.
double coverage(std::size_t nodes, double between_sd, double phi, std::size_t rounds_per_node,
                int replications, bool by_node) {
  std::mt19937_64 rng(20261130 + nodes * 7 + static_cast<std::uint64_t>(between_sd * 100));
  std::normal_distribution<double> normal;
  int hits = 0;
  std::vector<double> x(nodes * rounds_per_node);
  std::vector<std::uint32_t> node_of(x.size());
  for (int rep = 0; rep < replications; ++rep) {
    for (std::size_t k = 0; k < nodes; ++k) {
      const double offset = between_sd * normal(rng);
      double z = normal(rng);
      for (std::size_t r = 0; r < rounds_per_node; ++r) {
        z = phi * z + std::sqrt(1 - phi * phi) * normal(rng);
        x[r * nodes + k] = offset + z;
        node_of[r * nodes + k] = static_cast<std::uint32_t>(k);
      }
    }
    const MeanInterval m =
        by_node ? mean_interval_by_node(x, node_of, 0.95) : mean_interval(x, 0.95);
    hits += m.interval.low <= 0 && 0 <= m.interval.high;
  }
  return static_cast<double>(hits) / replications;
}

TEST(NodeIntervals, CoverTheTruthWithAndWithoutNodeEffects) {
  struct Case {
    std::size_t nodes;
    double between_sd, phi;
  };
  for (const Case c : {Case{4, 0.0, 0.5}, Case{4, 0.3, 0.5}, Case{4, 1.0, 0.0},
                       Case{8, 0.5, 0.5}, Case{16, 0.2, 0.5}}) {
    SCOPED_TRACE("nodes " + std::to_string(c.nodes) + ", between sd " +
                 std::to_string(c.between_sd) + ", phi " + std::to_string(c.phi));
    const double covered = coverage(c.nodes, c.between_sd, c.phi, 100, 400, true);
    EXPECT_GE(covered, 0.92);
    EXPECT_LE(covered, 0.995);  // not trivially wide
  }
}

TEST(NodeIntervals, TwoNodesCoverLessWhenTheyDiffer) {
  // Two nodes give the between-node variance one degree of freedom: a large difference often
  // looks small (chi-square with 1 df), and the interval then trusts the rounds within. Measured
  // (2,000 replications): 0.976 without a node effect, 0.894 at sd 0.3 and 0.897 at sd 1
  // (docs/precision.md says so); this guards that it does not get worse.
  EXPECT_GE(coverage(2, 0.0, 0.5, 100, 400, true), 0.93);
  EXPECT_GE(coverage(2, 1.0, 0.5, 100, 400, true), 0.85);
}

TEST(NodeIntervals, IgnoringNodesWouldUndercover) {
  // Machines that differ (offsets with sd 1 against unit round noise): the one-level interval
  // treats 400 rounds as the sample and misses most of the time; nodes as a level do not.
  EXPECT_LT(coverage(4, 1.0, 0.5, 100, 400, false), 0.5);
  EXPECT_GE(coverage(4, 1.0, 0.5, 100, 400, true), 0.92);
}

}  // namespace
}  // namespace tailq
