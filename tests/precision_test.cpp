// Intervals under dependent rounds against an independent numpy/scipy reference
// (tests/reference/make_precision_fixtures.py), their coverage where the truth is known, and
// the precision stop rule on generated traces.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "tailq/analysis.hpp"
#include "tailq/dependence.hpp"
#include "tailq/error.hpp"
#include "tailq/precision.hpp"
#include "tailq/synthetic.hpp"
#include "tailq/thresholds.hpp"
#include "test_util.hpp"

namespace tailq {
namespace {

nlohmann::json fixtures() {
  std::ifstream in(std::string(TAILQ_FIXTURES) + "/precision.json");
  return nlohmann::json::parse(in);
}

void expect_close(double got, double want, const std::string& what) {
  EXPECT_NEAR(got, want, 1e-12 + 1e-9 * std::abs(want)) << what;
}

TEST(Dependence, BatchSizeFollowsTheAr1Rule) {
  const auto all = fixtures();
  for (const auto& c : all["batch_sizes"]) {
    EXPECT_EQ(batch_size_for(c["n"], c["phi"]), c["b"].get<std::size_t>()) << c.dump();
  }
}

TEST(Dependence, LongRunVarianceMatchesTheReference) {
  const auto all = fixtures();
  ASSERT_GE(all["cases"].size(), 8u);
  for (const auto& c : all["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto x = c["series"].get<std::vector<double>>();
    const LongRunVariance v = long_run_variance(x);
    const auto& want = c["lrv"];
    EXPECT_EQ(v.batch_size, want["batch_size"].get<std::size_t>());
    expect_close(v.variance, want["variance"], "variance");
    expect_close(v.iid_variance, want["iid_variance"], "iid variance");
    expect_close(v.degrees_of_freedom, want["degrees_of_freedom"], "df");
    expect_close(v.lag1, want["lag1"], "lag1");
    // The floor: a round never counts as more than one independent round.
    EXPECT_GE(v.inflation(), 1.0);
  }
}

TEST(Dependence, MeanIntervalMatchesScipysStudentT) {
  const auto all = fixtures();
  for (const auto& c : all["cases"]) {
    const auto x = c["series"].get<std::vector<double>>();
    for (double confidence : {0.95, 0.99}) {
      SCOPED_TRACE(c["name"].get<std::string>() + " at " + std::to_string(confidence));
      const auto& want = c[confidence == 0.95 ? "mean_0.95" : "mean_0.99"];
      const MeanInterval m = mean_interval(x, confidence);
      expect_close(m.interval.value, want["value"], "mean");
      expect_close(m.interval.low, want["low"], "low");
      expect_close(m.interval.high, want["high"], "high");
      expect_close(m.effective_rounds, want["effective_rounds"], "effective rounds");
    }
  }
}

TEST(Dependence, QuantileIntervalMatchesTheBetaOrders) {
  const auto all = fixtures();
  for (const auto& c : all["cases"]) {
    const auto x = c["series"].get<std::vector<double>>();
    const std::size_t b = c["lrv"]["batch_size"];
    for (const char* key : {"quantile_0.05_0.95", "quantile_0.5_0.95", "quantile_0.05_0.99",
                            "quantile_0.5_0.99"}) {
      SCOPED_TRACE(c["name"].get<std::string>() + " " + key);
      const auto& want = c[key];
      const double q = std::string(key).find("0.05_") != std::string::npos ? 0.05 : 0.5;
      const double confidence = std::string(key).ends_with("0.99") ? 0.99 : 0.95;
      const QuantileInterval r = quantile_interval(x, q, confidence, b);
      expect_close(r.interval.value, want["value"], "estimate");
      EXPECT_EQ(r.low_order, want["low_order"].get<std::size_t>());
      EXPECT_EQ(r.high_order, want["high_order"].get<std::size_t>());
      // boost and scipy agree on Student's t quantiles to about 1e-9 at fractional df.
      EXPECT_NEAR(r.effective_rounds, want["effective_rounds"].get<double>(),
                  1e-7 * want["effective_rounds"].get<double>());
      if (want["low"].is_null()) {
        EXPECT_EQ(r.interval.low, -INFINITY);
      } else {
        expect_close(r.interval.low, want["low"], "low");
      }
      if (want["high"].is_null()) {
        EXPECT_EQ(r.interval.high, INFINITY);
      } else {
        expect_close(r.interval.high, want["high"], "high");
      }
    }
  }
}

TEST(Dependence, IndependentRoundsGetTheClassicalBinomialOrders) {
  // 400 distinct values, no dependence: close to 400 effective rounds and an interval around
  // the estimate (the exact orders are checked against scipy above).
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::vector<double> x(400);
  for (double& v : x) v = normal(rng);
  const QuantileInterval r = quantile_interval(x, 0.05, 0.95, 3);
  ASSERT_GT(r.low_order, 0u);
  ASSERT_GT(r.high_order, r.low_order);
  // (t / z)^2 with some 70 df and tau's own noise cost a little.
  EXPECT_NEAR(r.effective_rounds, 400, 60);
  EXPECT_LE(r.interval.low, r.interval.value);
  EXPECT_GE(r.interval.high, r.interval.value);
}

TEST(Dependence, TooFewRoundsAreRefusedOrLeaveTheIntervalOpen) {
  const std::vector<double> eleven(11, 0.5);
  EXPECT_THROW(long_run_variance(eleven), InputError);
  EXPECT_THROW(mean_interval(eleven, 0.95), InputError);
  // Fewer than 72 independent rounds cannot bound a 5% quantile from below at 97.5%.
  std::vector<double> seventy(70);
  for (std::size_t i = 0; i < seventy.size(); ++i) seventy[i] = static_cast<double>(i);
  const QuantileInterval r = quantile_interval(seventy, 0.05, 0.95, 3);
  EXPECT_EQ(r.low_order, 0u);
  EXPECT_EQ(r.interval.low, -INFINITY);
  EXPECT_THROW(quantile_interval(seventy, 0, 0.95), InputError);
  EXPECT_THROW(mean_interval(seventy, 1.0), InputError);
}

// Coverage where the truth is known: AR(1) series with mean 0 and unit stationary variance,
// whose 5% quantile is -1.6449. The intervals promise 95%.
struct Coverage {
  double mean = 0, quantile = 0;
};
Coverage simulate_coverage(double phi, std::size_t n, int replications) {
  std::mt19937_64 rng(20261130 + static_cast<std::uint64_t>(phi * 100));
  std::normal_distribution<double> normal;
  const double true_q05 = -1.6448536269514722;
  int mean_hits = 0, quantile_hits = 0;
  std::vector<double> x(n);
  for (int rep = 0; rep < replications; ++rep) {
    double z = normal(rng);
    for (double& v : x) {
      z = phi * z + std::sqrt(1 - phi * phi) * normal(rng);
      v = z;
    }
    const MeanInterval m = mean_interval(x, 0.95);
    mean_hits += m.interval.low <= 0 && 0 <= m.interval.high;
    const QuantileInterval q = quantile_interval(x, 0.05, 0.95, m.variance.batch_size);
    quantile_hits += q.interval.low <= true_q05 && true_q05 <= q.interval.high;
  }
  return {static_cast<double>(mean_hits) / replications,
          static_cast<double>(quantile_hits) / replications};
}

TEST(Dependence, IntervalsCoverTheTruthOfAutocorrelatedSeries) {
  for (double phi : {0.0, 0.5, 0.8}) {
    const Coverage c = simulate_coverage(phi, 400, 300);
    SCOPED_TRACE("phi " + std::to_string(phi));
    EXPECT_GE(c.mean, 0.90);
    EXPECT_GE(c.quantile, 0.90);
    // Not trivially wide either: an interval that always covers is useless.
    EXPECT_LE(c.mean, 0.999);
  }
}

TEST(Dependence, IgnoringDependenceWouldUndercover) {
  // The same AR(1) series at phi 0.8 with the iid interval (batch size 3 keeps the inflation
  // near 1): a naive interval misses far more often, which is what the long-run variance fixes.
  std::mt19937_64 rng(99);
  std::normal_distribution<double> normal;
  int naive_hits = 0;
  std::vector<double> x(400);
  for (int rep = 0; rep < 200; ++rep) {
    double z = normal(rng);
    for (double& v : x) {
      z = 0.8 * z + 0.6 * normal(rng);
      v = z;
    }
    double mean = 0, squares = 0;
    for (double v : x) mean += v;
    mean /= 400;
    for (double v : x) squares += (v - mean) * (v - mean);
    const double half = 1.96 * std::sqrt(squares / 399 / 400);
    naive_hits += std::abs(mean) <= half;
  }
  EXPECT_LT(naive_hits, 0.75 * 200);
  EXPECT_GE(simulate_coverage(0.8, 400, 200).mean, 0.9);
}

TEST(Precision, LooksAreGeometricallySpaced) {
  std::vector<std::size_t> looks;
  for (std::size_t n = 1; n <= 60; ++n) {
    if (is_look(n)) looks.push_back(n);
  }
  EXPECT_EQ(looks, (std::vector<std::size_t>{20, 22, 25, 28, 31, 35, 39, 43, 48, 53, 59}));
}

TEST(Precision, GoalsOutsideTheirRangeAreRefused) {
  EXPECT_THROW(check(PrecisionGoal{0, 0.95, 0.05}), InputError);
  EXPECT_THROW(check(PrecisionGoal{0.01, 1, 0.05}), InputError);
  EXPECT_THROW(check(PrecisionGoal{0.01, 0.95, 0}), InputError);
  EXPECT_THROW(check(PrecisionGoal{NAN, 0.95, 0.05}), InputError);
  EXPECT_NO_THROW(check(PrecisionGoal{0.01, 0.95, 0.05}));
}

class PrecisionTrace : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_ / "precision.trace";
    SyntheticSpec spec;
    spec.rounds = 400;
    spec.instances = 500;
    spec.round_drift = 0.03;
    spec.round_phi = 0.5;
    spec.stall_probability = 0;
    generate_synthetic_trace(spec, path_, true);
  }
  testing::TempDir dir_;
  std::filesystem::path path_;
};

TEST_F(PrecisionTrace, AnalysisReportsIntervalsAtEachRequestedDeadline) {
  const TraceReader trace(path_);
  TraceAnalysisOptions o;
  o.request.thresholds = parse_thresholds("p99,5ms");
  o.request.sweep = 10;
  o.precision = PrecisionGoal{};
  const TailQuality q = analyze_trace(trace, o);
  ASSERT_TRUE(q.precision);
  const PrecisionEstimate& e = *q.precision;
  ASSERT_EQ(e.deadlines.size(), 2u);  // not the sweep
  // Five intervals share 5%: the percentile's deadline, its mean and bad round, and two more.
  EXPECT_NEAR(e.interval_confidence, 1 - 0.05 / 5, 1e-12);
  const DeadlinePrecision& p99 = e.deadlines[0];
  EXPECT_EQ(p99.label, "p99");
  EXPECT_DOUBLE_EQ(p99.seconds.value, q.thresholds[0].seconds);
  EXPECT_LT(p99.seconds.low, p99.seconds.value);
  EXPECT_GT(p99.seconds.high, p99.seconds.value);
  EXPECT_NEAR(p99.mean.value, q.thresholds[0].quality.mean, 1e-12);
  EXPECT_DOUBLE_EQ(p99.bad_round.value, q.thresholds[0].quality.p5);
  for (const DeadlinePrecision& d : e.deadlines) {
    EXPECT_LE(d.mean.low, d.mean.value);
    EXPECT_GE(d.mean.high, d.mean.value);
    EXPECT_LE(d.bad_round.low, d.bad_round.value);
    EXPECT_GE(d.bad_round.high, d.bad_round.value);
    EXPECT_GT(d.effective_rounds, 20);
    EXPECT_LE(d.effective_rounds, 400);
  }
  const DeadlinePrecision& fixed = e.deadlines[1];
  EXPECT_EQ(fixed.seconds.low, fixed.seconds.high);
}

TEST_F(PrecisionTrace, ReplayStopsAtTheFirstLookThatMeetsTheGoal) {
  const TraceReader trace(path_);
  TraceAnalysisOptions o;
  o.request.thresholds = parse_thresholds("p99");
  o.precision = PrecisionGoal{0.01, 0.95, 0.05};
  const PrecisionReplay r = replay_precision(trace, o);
  ASSERT_TRUE(r.stopped_at) << "not met within 400 rounds";
  EXPECT_TRUE(is_look(*r.stopped_at));
  EXPECT_TRUE(r.estimate.met);
  EXPECT_EQ(r.estimate.rounds, *r.stopped_at);
  EXPECT_EQ(r.looks.back().rounds, *r.stopped_at);
  for (std::size_t i = 0; i + 1 < r.looks.size(); ++i) {
    EXPECT_FALSE(r.looks[i].mean_half_width <= 0.01 && r.looks[i].bad_round_half_width <= 0.01)
        << "met earlier, at " << r.looks[i].rounds;
  }
  EXPECT_LE(r.estimate.deadlines[0].mean.half_width(), 0.01 * (1 + 1e-9));
  EXPECT_LE(r.estimate.deadlines[0].bad_round.half_width(), 0.01 * (1 + 1e-9));
  // Replayed on the rounds up to the stop, the analysis gives the same intervals.
  TraceAnalysisOptions upto = o;
  upto.last_round = static_cast<std::int64_t>(*r.stopped_at);  // measured rounds from 0
  const TailQuality q = analyze_trace(trace, upto);
  EXPECT_DOUBLE_EQ(q.precision->deadlines[0].bad_round.low, r.estimate.deadlines[0].bad_round.low);
  EXPECT_DOUBLE_EQ(q.precision->deadlines[0].mean.high, r.estimate.deadlines[0].mean.high);
}

TEST_F(PrecisionTrace, AnUnreachableGoalRunsThroughEveryRound) {
  const TraceReader trace(path_);
  TraceAnalysisOptions o;
  o.request.thresholds = parse_thresholds("p90");
  o.precision = PrecisionGoal{1e-5, 0.95, 0.05};
  const PrecisionReplay r = replay_precision(trace, o);
  EXPECT_FALSE(r.stopped_at);
  EXPECT_EQ(r.estimate.rounds, 400u);
  EXPECT_FALSE(r.estimate.met);
}

TEST(Synthetic, RoundPhiMakesTheRoundFactorAnAr1Process) {
  const testing::TempDir dir;
  const auto path = dir / "phi.trace";
  SyntheticSpec spec;
  spec.rounds = 600;
  spec.instances = 200;
  spec.round_drift = 0.05;
  spec.round_phi = 0.8;
  spec.stall_probability = 0;
  spec.time_seed = 5;
  generate_synthetic_trace(spec, path, true);
  const TraceReader trace(path);
  std::vector<double> medians;
  std::vector<double> times(trace.batch_count());
  for (const RoundInfo& r : trace.rounds()) {
    if (r.warmup) continue;
    trace.read_times(r.index, TimeKind::inference, times);
    std::nth_element(times.begin(), times.begin() + 100, times.end());
    medians.push_back(times[100]);
  }
  const LongRunVariance v = long_run_variance(medians);
  EXPECT_NEAR(v.lag1, 0.8, 0.08);
  // The same instances with another time seed: identical outcomes, different times.
  spec.time_seed = 6;
  const auto other = dir / "phi2.trace";
  generate_synthetic_trace(spec, other, true);
  const TraceReader second(other);
  EXPECT_EQ(second.outcomes().predictions, trace.outcomes().predictions);
  std::vector<double> a(trace.batch_count()), b(trace.batch_count());
  trace.read_times(5, TimeKind::total, a);
  second.read_times(5, TimeKind::total, b);
  EXPECT_NE(a, b);
}

TEST(Synthetic, IndependentRoundsAreUnchangedByTheNewOptions) {
  // round_phi 0 and no time seed draw exactly what earlier versions drew (README's example).
  const testing::TempDir dir;
  const auto a = dir / "same.trace";
  SyntheticSpec spec;
  spec.rounds = 5;
  spec.instances = 50;
  generate_synthetic_trace(spec, a, true);
  const TraceReader trace(a);
  std::vector<double> t(trace.batch_count());
  trace.read_times(3, TimeKind::total, t);
  double sum = 0;
  for (double v : t) sum += v;
  // Round 3's total times summed by numpy from a trace of the version before round_phi and
  // time_seed existed (the same options).
  EXPECT_NEAR(sum, 0.23607368999850228, 1e-15);
}

}  // namespace
}  // namespace tailq
