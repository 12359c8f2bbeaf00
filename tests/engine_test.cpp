#include "tailq/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "analyse/deadline_index.hpp"
#include "analyse/pooled_latency.hpp"
#include "tailq/error.hpp"
#include "tailq/stats.hpp"

namespace tailq {
namespace {

Outcomes classification(std::size_t n, std::mt19937_64& rng, std::size_t classes = 5) {
  Outcomes o;
  std::uniform_int_distribution<std::size_t> c(0, classes - 1);
  for (std::size_t i = 0; i < n; ++i) {
    o.labels.push_back(std::to_string(c(rng)));
    o.predictions.push_back(std::to_string(c(rng)) + " " + std::to_string(c(rng)));
  }
  return o;
}

// Hides the additive form, so the engine takes its generic path.
class Opaque final : public Metric {
 public:
  explicit Opaque(const Metric& inner) : inner_(inner) {}
  std::string_view name() const override { return inner_.name(); }
  double quality(std::span<const std::uint8_t> on_time) const override {
    return inner_.quality(on_time);
  }

 private:
  const Metric& inner_;
};

// The additive path on one thread, checked against the generic path (same late fractions,
// qualities to 1e-12) and against four threads (the same bits).
TailQuality expect_as_generic_path(const RoundSource& source,
                                   std::span<const std::uint32_t> batch_of, const Metric& metric,
                                   AnalysisRequest request) {
  request.threads = 1;
  const TailQuality one = analyze(source, batch_of, metric, request);
  const Opaque opaque(metric);
  const TailQuality generic = analyze(source, batch_of, opaque, request);
  request.threads = 4;
  const TailQuality four = analyze(source, batch_of, metric, request);
  for (std::size_t k = 0; k < one.thresholds.size(); ++k) {
    for (std::size_t r = 0; r < one.rounds; ++r) {
      EXPECT_NEAR(one.thresholds[k].per_round[r], generic.thresholds[k].per_round[r], 1e-12)
          << metric.name() << " threshold " << k << " round " << r;
      EXPECT_EQ(one.thresholds[k].per_round_late_fraction[r],
                generic.thresholds[k].per_round_late_fraction[r]);
      EXPECT_EQ(one.thresholds[k].per_round[r], four.thresholds[k].per_round[r]);
    }
  }
  return one;
}

TEST(Engine, LateInstancesFailAndBatchesShareTheirTime) {
  // 4 instances in 2 batches, all answers right; 3 rounds.
  const std::vector<std::uint32_t> batch_of = {0, 0, 1, 1};
  const std::vector<double> times = {0.001, 0.003,    // round 0: batch 1 late at 2 ms
                                     0.002, 0.002,    // round 1: exactly at 2 ms: on time
                                     0.005, 0.0001};  // round 2: batch 0 late
  Outcomes o;
  o.labels = {"a", "b", "a", "b"};
  o.predictions = o.labels;
  const auto metric = make_metric("accuracy", o);
  AnalysisRequest request;
  request.thresholds = parse_thresholds("2ms,1ms,10us,1s");
  const TailQuality r = analyze(MatrixRoundSource(times, 2), batch_of, *metric, request);
  EXPECT_EQ(r.nominal_quality, 1.0);
  EXPECT_EQ(r.thresholds[0].per_round, (std::vector<double>{0.5, 1.0, 0.5}));
  EXPECT_EQ(r.thresholds[1].per_round, (std::vector<double>{0.5, 0.0, 0.5}));
  EXPECT_EQ(r.thresholds[2].per_round, (std::vector<double>{0.0, 0.0, 0.0}));  // all late
  EXPECT_EQ(r.thresholds[3].per_round, (std::vector<double>{1.0, 1.0, 1.0}));  // none late
  EXPECT_EQ(r.thresholds[0].quality.min, 0.5);
  EXPECT_DOUBLE_EQ(r.thresholds[0].late_fraction_mean, 1.0 / 3);
  EXPECT_EQ(r.thresholds[2].late_fraction_max, 1.0);
  EXPECT_EQ(r.latency.count, 6u);
  EXPECT_EQ(r.latency.min, 0.0001);
  EXPECT_EQ(r.latency.max, 0.005);
}

TEST(Engine, GenericPathAgreesWithAdditivePathAndThreadCountDoesNotMatter) {
  std::mt19937_64 rng(7);
  const std::size_t n = 300, batch = 3, rounds = 25;
  std::vector<std::uint32_t> batch_of(n);
  for (std::size_t i = 0; i < n; ++i) batch_of[i] = static_cast<std::uint32_t>(i / batch);
  std::lognormal_distribution<double> t(std::log(0.004), 0.3);
  std::vector<double> times(rounds * (n / batch));
  for (double& v : times) v = t(rng);
  const Outcomes o = classification(n, rng);
  AnalysisRequest request;
  request.thresholds = parse_thresholds("p50,p90,p99,p99.9,3ms");
  request.sweep = 40;
  const MatrixRoundSource source(times, n / batch);
  for (const char* name : {"accuracy", "top2", "f1-macro", "f1-weighted", "recall-macro"}) {
    const auto metric = make_metric(name, o);
    const TailQuality fast = expect_as_generic_path(source, batch_of, *metric, request);
    ASSERT_EQ(fast.thresholds.size(), 45u);
    // The quality-time curve of every round never falls as the deadline grows.
    for (std::size_t r = 0; r < rounds && std::string(name) == "accuracy"; ++r) {
      for (std::size_t k = 6; k < fast.thresholds.size(); ++k) {
        EXPECT_GE(fast.thresholds[k].per_round[r], fast.thresholds[k - 1].per_round[r]);
      }
    }
  }
}

// Rounds whose batches mostly meet the first deadline are scored from the batches past it only
// (scoring.cpp): alternating fast and slow rounds switch a thread between that and the full
// lookup every round, and the numbers stay those of the generic path, the same on any threads.
TEST(Engine, RoundsMostlyOnTimeAtTheFirstDeadlineScoreAsTheGenericPath) {
  std::mt19937_64 rng(11);
  const std::size_t n = 400, batch = 2, rounds = 30;
  std::vector<std::uint32_t> batch_of(n);
  for (std::size_t i = 0; i < n; ++i) batch_of[i] = static_cast<std::uint32_t>(i / batch);
  std::lognormal_distribution<double> fast(std::log(0.004), 0.2), slow(std::log(0.009), 0.2);
  std::vector<double> times(rounds * (n / batch));
  for (std::size_t k = 0; k < times.size(); ++k) {
    times[k] = (k / (n / batch)) % 2 ? slow(rng) : fast(rng);
  }
  const Outcomes o = classification(n, rng);
  AnalysisRequest request;
  request.thresholds = parse_thresholds("p50,p95,7ms");  // no sweep: the first deadline is p50
  const MatrixRoundSource source(times, n / batch);
  for (const char* name : {"accuracy", "f1-macro"}) {
    const auto metric = make_metric(name, o);
    const TailQuality one = expect_as_generic_path(source, batch_of, *metric, request);
    // The slow rounds are late at p50 for most of their instances, the fast ones on time.
    EXPECT_GT(one.thresholds[0].per_round_late_fraction[1], 0.9);
    EXPECT_LT(one.thresholds[0].per_round_late_fraction[0], 0.1);
  }
}

// A report's sweep ends at a percentile (an outlier does not stretch the axis) and may space its
// deadlines evenly in log(time); both ends are exact and every point scores like a deadline.
TEST(Engine, SweepToAPercentileAndGeometricSpacing) {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> t(std::log(0.002), 0.3);
  const std::size_t instances = 400, rounds = 20;
  std::vector<double> times(instances * rounds);
  for (double& v : times) v = t(rng);
  times[7] = 0.5;  // a stall far beyond the bulk
  std::vector<std::uint32_t> batch_of(instances);
  for (std::size_t i = 0; i < instances; ++i) batch_of[i] = static_cast<std::uint32_t>(i);
  const Outcomes o = classification(instances, rng);
  const auto metric = make_metric("accuracy", o);
  const MatrixRoundSource source(times, instances);

  AnalysisRequest request;
  request.sweep = 50;
  request.sweep_top = 99.9;
  request.sweep_geometric = true;
  const TailQuality r = analyze(source, batch_of, *metric, request);
  ASSERT_EQ(r.thresholds.size(), 50u);
  std::vector<double> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  // numpy's percentile(..., 99.9, method="inverted_cdf") as numpy computes it, in doubles:
  // the ceil(n * (99.9 / 100))-th smallest (99.9 / 100 rounds up, so 8000 -> rank 7993).
  const auto k =
      static_cast<std::size_t>(std::ceil(static_cast<double>(sorted.size()) * (99.9 / 100))) - 1;
  EXPECT_EQ(r.thresholds.front().seconds, sorted.front());
  EXPECT_EQ(r.thresholds.back().seconds, sorted[k]);
  EXPECT_LT(r.thresholds.back().seconds, 0.5);
  const double ratio = r.thresholds[1].seconds / r.thresholds[0].seconds;
  for (std::size_t g = 1; g < r.thresholds.size(); ++g) {
    EXPECT_NEAR(r.thresholds[g].seconds / r.thresholds[g - 1].seconds, ratio, 1e-9 * ratio);
  }
  // Each sweep point equals an explicit deadline at the same time.
  AnalysisRequest at_point;
  at_point.thresholds = {{ThresholdSpec::Kind::absolute, r.thresholds[17].seconds, "x"}};
  const TailQuality x = analyze(source, batch_of, *metric, at_point);
  EXPECT_EQ(x.thresholds[0].per_round, r.thresholds[17].per_round);

  // Linear spacing without the flag, and no geometric spacing from a zero minimum.
  request.sweep_geometric = false;
  const TailQuality lin = analyze(source, batch_of, *metric, request);
  const double step = lin.thresholds[1].seconds - lin.thresholds[0].seconds;
  EXPECT_NEAR(lin.thresholds[30].seconds - lin.thresholds[29].seconds, step, 1e-12);
  times[3] = 0.0;
  request.sweep_geometric = true;
  const TailQuality zero = analyze(MatrixRoundSource(times, instances), batch_of, *metric, request);
  EXPECT_EQ(zero.thresholds.front().seconds, 0.0);
  EXPECT_NEAR(zero.thresholds[2].seconds - zero.thresholds[1].seconds,
              zero.thresholds[1].seconds - zero.thresholds[0].seconds, 1e-12);
}

TEST(Engine, LatencyOnlyWithoutDeadlines) {
  Outcomes o;
  o.labels = {"a", "b"};
  o.predictions = {"a", "a"};
  const auto metric = make_metric("accuracy", o);
  const std::vector<std::uint32_t> batch_of = {0, 1};
  const std::vector<double> times = {0.1, 0.2, 0.3, 0.4};
  for (const char* name : {"additive", "generic"}) {
    const Opaque opaque(*metric);
    const Metric& m =
        std::string(name) == "additive" ? static_cast<const Metric&>(*metric) : opaque;
    const TailQuality r = analyze(MatrixRoundSource(times, 2), batch_of, m, {});
    EXPECT_TRUE(r.thresholds.empty()) << name;
    EXPECT_EQ(r.latency.max, 0.4) << name;
    EXPECT_EQ(r.nominal_quality, 0.5) << name;
  }
}

TEST(Engine, RejectsEmptyInput) {
  Outcomes o;
  o.labels = {"a"};
  o.predictions = {"a"};
  const auto metric = make_metric("accuracy", o);
  const std::vector<std::uint32_t> batch_of = {0};
  const std::vector<double> none;
  EXPECT_THROW(analyze(MatrixRoundSource(none, 1), batch_of, *metric, {}), InputError);
  const std::vector<std::uint32_t> bad_batch = {3};
  const std::vector<double> one = {0.1};
  EXPECT_THROW(analyze(MatrixRoundSource(one, 1), bad_batch, *metric, {}), InputError);
}

TEST(PooledTimes, ExactPercentilesEvenWithTiesZerosAndWideRange) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> t(std::log(0.004), 1.5);
  std::vector<double> times(50 * 997);
  for (double& v : times) v = t(rng);
  for (std::size_t i = 0; i < times.size(); i += 7) times[i] = 0.004;  // one heavy bin
  for (std::size_t i = 3; i < times.size(); i += 101) times[i] = 0.0;
  times[5] = -0.0;
  const MatrixRoundSource source(times, 997);
  std::vector<double> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  const std::vector<double> q = {0, 0.5, 1, 14.2857, 25, 50, 75, 90, 99, 99.9, 99.99, 100};
  for (unsigned threads : {1u, 3u}) {
    const auto pooled = detail::PooledTimes::scan(source, threads);
    EXPECT_EQ(pooled.count(), times.size());
    EXPECT_EQ(pooled.min(), sorted.front());
    EXPECT_EQ(pooled.max(), sorted.back());
    const auto got = pooled.percentiles(source, q, threads);
    for (std::size_t k = 0; k < q.size(); ++k) {
      EXPECT_EQ(got[k], percentile_sorted(sorted, q[k])) << "q=" << q[k];
    }
    const auto [lo, hi] = pooled.range_within(source, 0.001, 0.01, threads);
    EXPECT_EQ(lo, *std::lower_bound(sorted.begin(), sorted.end(), 0.001));
    EXPECT_EQ(hi, *(std::upper_bound(sorted.begin(), sorted.end(), 0.01) - 1));
  }
}

// A thread's 32-bit tally moves into its 64-bit histogram before it could overflow: with the
// limit lowered to 7 times, rounds of 3 move it every few rounds and a round of 9 goes straight
// to 64 bits, and every percentile stays what one tally for all gives.
TEST(PooledTimes, TheThirtyTwoBitTallyMovesBeforeItCouldOverflow) {
  std::mt19937_64 rng(13);
  std::lognormal_distribution<double> t(std::log(0.004), 0.5);
  for (std::size_t batches : {3, 9}) {
    std::vector<double> times(40 * batches);
    for (double& v : times) v = t(rng);
    const MatrixRoundSource source(times, batches);
    const std::vector<double> q = {0, 10, 50, 90, 99, 100};
    const auto all = detail::PooledTimes::scan(source, 1);
    const auto moved = detail::PooledTimes::scan(source, 1, 7);
    EXPECT_EQ(moved.count(), times.size());
    EXPECT_EQ(moved.percentiles(source, q, 1), all.percentiles(source, q, 1));
    std::vector<double> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(moved.percentiles(source, q, 1).back(), sorted.back());
    EXPECT_EQ(moved.percentiles(source, std::vector<double>{50}, 1)[0],
              sorted[inverted_cdf_index(sorted.size(), 50)]);
  }
}

TEST(PooledTimes, RejectsInvalidTimesFromACorruptSource) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (const auto& [bad, text] : {std::pair{std::nan(""), "nan"}, std::pair{-0.5, "-0.500000"},
                                  std::pair{kInf, "inf"}, std::pair{-kInf, "-inf"}}) {
    std::vector<double> times = {0.1, 0.3, 0.2, 0.4, 0.5, 0.1, 0.2, 0.3, 0.4, 0.2};
    times[8] = bad;
    try {
      detail::PooledTimes::scan(MatrixRoundSource(times, 5), 1);
      ADD_FAILURE() << "an invalid time was accepted: " << text;
    } catch (const StoreError& e) {
      // The time itself, not a neighbour.
      EXPECT_EQ(std::string(e.what()), std::string("round 1, batch 3: invalid time ") + text);
    }
  }
  // Times whose sum overflows are still valid.
  const double huge = std::numeric_limits<double>::max();
  const std::vector<double> large = {huge, huge, huge, -0.0, huge};
  EXPECT_EQ(detail::PooledTimes::scan(MatrixRoundSource(large, 5), 1).max(), huge);
}

TEST(DeadlineIndex, AgreesWithBinarySearch) {
  std::mt19937_64 rng(3);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> cases = {
      {1e-3, 1.0001e-3, 2e-3, 2.5e-3, 9e-3, 1.0},  // uneven
      // Crowded: a stand-in and a top one bin apart, the first and the last deadline included.
      {std::nextafter(4e-3, 0.0), 4e-3, 4.00001e-3, 5e-3, std::nextafter(6e-3, 0.0), 6e-3},
  };
  // Clusters of one to four deadlines a few ulps apart, at random places: cells of up to two
  // deadlines take the compares, fuller ones the loop.
  std::vector<double> clustered;
  std::uniform_real_distribution<double> place(1e-3, 1e-2);
  for (int c = 0; c < 60; ++c) {
    double d = place(rng);
    for (int k = 0; k <= c % 4; ++k) clustered.push_back(d = std::nextafter(d, kInf));
  }
  std::sort(clustered.begin(), clustered.end());
  clustered.erase(std::unique(clustered.begin(), clustered.end()), clustered.end());
  cases.push_back(clustered);
  for (const std::vector<double>& deadlines : cases) {
    const detail::DeadlineIndex index(deadlines);
    std::uniform_real_distribution<double> u(0, 0.012);
    std::vector<double> probes = {0, 2.0, kInf, 1e300};
    for (double d : deadlines) {
      probes.insert(probes.end(), {d, std::nextafter(d, 0.0), std::nextafter(d, kInf)});
    }
    for (int i = 0; i < 20000; ++i) probes.push_back(u(rng));
    for (double t : probes) {
      const auto expected = static_cast<std::size_t>(
          std::lower_bound(deadlines.begin(), deadlines.end(), t) - deadlines.begin());
      ASSERT_EQ(index.first_not_below(t), expected) << t;
    }
  }
  const std::vector<double> single = {0.5};
  const detail::DeadlineIndex one(single);
  EXPECT_EQ(one.first_not_below(0.5), 0u);
  EXPECT_EQ(one.first_not_below(0.6), 1u);
}

}  // namespace
}  // namespace tailq

namespace tailq {
namespace {

TEST(BinMatcher, FindsExactlyThePlannedKeys) {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<std::uint64_t> any_key(0, (std::uint64_t{1} << 28) - 1);
  for (std::size_t size : {0u, 1u, 2u, 5u, 8u, 9u, 31u, 200u}) {
    std::vector<std::uint64_t> keys;
    while (keys.size() < size) {
      const std::uint64_t k = any_key(rng);
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
    std::sort(keys.begin(), keys.end());
    const detail::BinMatcher matcher(keys);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      // Every time inside a planned bin matches it: its floor and the largest double in it.
      const double floor = detail::bin_floor(keys[i]);
      const double top = std::nextafter(detail::bin_floor(keys[i] + 1), 0.0);
      EXPECT_EQ(matcher.match(floor), static_cast<long>(i));
      EXPECT_EQ(matcher.match(top), static_cast<long>(i));
    }
    for (int probe = 0; probe < 2000; ++probe) {
      const std::uint64_t k = any_key(rng);
      const auto it = std::lower_bound(keys.begin(), keys.end(), k);
      const long expected = it != keys.end() && *it == k ? it - keys.begin() : -1;
      EXPECT_EQ(matcher.match(detail::bin_floor(k)), expected);
    }
  }
}

}  // namespace
}  // namespace tailq
