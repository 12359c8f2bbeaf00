// The convergence monitor, the Monte Carlo time models and hold-out validation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "model/distinct_count.hpp"
#include "model/tasks.hpp"
#include "model/time_columns.hpp"
#include "tailq/convergence.hpp"
#include "tailq/error.hpp"
#include "tailq/fit.hpp"
#include "tailq/predict.hpp"
#include "tailq/round_source.hpp"
#include "tailq/synthetic.hpp"
#include "test_util.hpp"

namespace tailq {
namespace {

std::vector<double> normal_round(std::mt19937_64& rng, double mean, double sd, std::size_t n) {
  std::normal_distribution<double> d(mean, sd);
  std::vector<double> v(n);
  for (double& x : v) x = std::max(0.0, d(rng));
  return v;
}

TEST(RjsdMonitor, ConvergesOnAStationaryDistributionAndNotOnADriftingOne) {
  std::mt19937_64 rng(1);
  ConvergenceSettings settings;
  settings.tau = 0.05;
  RjsdMonitor stationary(settings), drifting(settings);
  for (int r = 0; r < 60; ++r) {
    stationary.add_round(normal_round(rng, 0.004, 0.0003, 5000));
    drifting.add_round(normal_round(rng, 0.004 * (1 + 0.01 * r), 0.0003, 5000));
  }
  ASSERT_FALSE(stationary.series().empty());
  EXPECT_TRUE(stationary.converged()) << stationary.series().back().rjsd;
  EXPECT_LT(stationary.series().back().rjsd, stationary.series().front().rjsd);
  EXPECT_FALSE(drifting.converged()) << drifting.series().back().rjsd;
  EXPECT_GT(drifting.series().back().rjsd, 0.05);
}

TEST(RjsdMonitor, EvaluatesOnTheSlidingOrThePaperSchedule) {
  std::mt19937_64 rng(2);
  ConvergenceSettings sliding;  // fit every 2, window 5
  ConvergenceSettings paper = sliding;
  paper.schedule = ConvergenceSettings::Schedule::paper;
  RjsdMonitor a(sliding), b(paper);
  std::vector<std::size_t> at_a, at_b;
  for (int r = 0; r < 40; ++r) {
    const auto times = normal_round(rng, 1.0, 0.1, 100);
    if (a.add_round(times)) at_a.push_back(a.rounds());
    if (b.add_round(times)) at_b.push_back(b.rounds());
  }
  // Sliding: from the 6th fit (round 12) on, at every fit. Paper: at every 5th fit.
  EXPECT_EQ(at_a.front(), 12u);
  EXPECT_EQ(at_a.size(), 15u);
  EXPECT_EQ(at_b, (std::vector<std::size_t>{20, 30, 40}));
  // Both schedules compare the same fits at round 20, 30, 40.
  EXPECT_DOUBLE_EQ(a.series()[4].rjsd, b.series()[0].rjsd);
}

TEST(RjsdMonitor, IsUnitInvariant) {
  std::mt19937_64 rng(3);
  RjsdMonitor seconds, milliseconds;
  for (int r = 0; r < 20; ++r) {
    auto times = normal_round(rng, 0.004, 0.0004, 300);
    seconds.add_round(times);
    for (double& t : times) t *= 1000;
    milliseconds.add_round(times);
  }
  ASSERT_EQ(seconds.series().size(), milliseconds.series().size());
  for (std::size_t i = 0; i < seconds.series().size(); ++i) {
    // Not exact: the monitor bins times at 2^-16 relative width, and binary bin edges fall
    // elsewhere in milliseconds; and the 1e-8 floor added to densities is not unit-free.
    EXPECT_NEAR(seconds.series()[i].rjsd, milliseconds.series()[i].rjsd, 1e-4);
    EXPECT_NEAR(seconds.series()[i].bandwidth * 1000, milliseconds.series()[i].bandwidth,
                1e-4 * milliseconds.series()[i].bandwidth);
  }
}

TEST(RjsdMonitor, RejectsBadTimesAndSettings) {
  RjsdMonitor m;
  EXPECT_THROW(m.add_round(std::vector<double>{0.1, -1}), InputError);
  EXPECT_THROW(m.add_round(std::vector<double>{NAN}), InputError);
  EXPECT_THROW(m.add_round(std::vector<double>{}), InputError);
  ConvergenceSettings bad;
  bad.window = 0;
  EXPECT_THROW(RjsdMonitor{bad}, InputError);
  EXPECT_THROW(parse_schedule("weekly"), InputError);
}

TEST(InstanceRjsdMonitor, CountsTheInstancesThatConverged) {
  std::mt19937_64 rng(6);
  ConvergenceSettings settings;
  settings.tau = 0.1;
  InstanceRjsdMonitor stationary(settings, {0, 2, 4, 6}), drifting(settings, {1, 3});
  std::optional<double> last_stationary, last_drifting;
  for (int r = 0; r < 250; ++r) {
    auto times = normal_round(rng, 0.004, 0.0003, 8);
    for (std::size_t b = 1; b < 8; b += 2) times[b] *= 1 + 0.01 * r;  // odd batches slow down
    if (auto f = stationary.add_round(times)) last_stationary = f;
    if (auto f = drifting.add_round(times)) last_drifting = f;
  }
  ASSERT_TRUE(last_stationary && last_drifting);
  EXPECT_EQ(*last_stationary, 1.0);
  EXPECT_EQ(*last_drifting, 0.0);
  EXPECT_THROW(stationary.add_round(std::vector<double>{0.1}), InputError);
}

TEST(DistinctCount, ExactThenWithinAFewPercent) {
  detail::DistinctCount small;
  for (int i = 0; i < 1000; ++i) small.add(static_cast<double>(i % 100));
  EXPECT_EQ(small.count(), 100.0);
  detail::DistinctCount large;
  const int n = 2'000'000;
  for (int i = 0; i < n; ++i) large.add(1e-9 * i);
  for (int i = 0; i < n; i += 2) large.add(1e-9 * i);  // repeats change nothing
  EXPECT_NEAR(large.count(), n, 0.03 * n);
}

TEST(TimeModel, SimulationIsCounterBasedAndMatchesTheKde) {
  // 3 batches x 200 training rounds.
  std::mt19937_64 rng(4);
  const std::size_t batches = 3, rounds = 200;
  std::vector<double> training(rounds * batches);
  std::normal_distribution<double> d(0.01, 0.001);
  for (double& t : training) t = d(rng);
  const TimeModel model(training, batches, TimeModelKind::independent);
  std::vector<double> a(batches), b(batches), c(batches);
  model.simulate(7, 11, a);
  model.simulate(7, 12, b);
  model.simulate(7, 11, c);
  EXPECT_EQ(a, c);
  EXPECT_NE(a, b);
  // Mean and variance of draws: the data's mean, and its variance plus h^2.
  double sum = 0, squares = 0;
  const int draws = 200000;
  for (int s = 0; s < draws; ++s) {
    model.simulate(1, static_cast<std::uint64_t>(s), a);
    sum += a[0];
    squares += a[0] * a[0];
  }
  double mean = 0, var = 0;
  for (std::size_t r = 0; r < rounds; ++r) mean += training[r * batches];
  mean /= rounds;
  for (std::size_t r = 0; r < rounds; ++r) var += std::pow(training[r * batches] - mean, 2);
  var /= rounds;
  const double h = model.bandwidths()[0];
  EXPECT_NEAR(sum / draws, mean, 1e-5);
  EXPECT_NEAR(squares / draws - std::pow(sum / draws, 2), var + h * h, 0.03 * (var + h * h));
}

TEST(TimeModel, RoundEffectScalesWholeRounds) {
  // Every batch of round r takes r + 1 ms: the rounds differ, batches within one do not.
  const std::size_t batches = 50, rounds = 20;
  std::vector<double> training(rounds * batches);
  for (std::size_t r = 0; r < rounds; ++r) {
    for (std::size_t b = 0; b < batches; ++b)
      training[r * batches + b] = 1e-3 * static_cast<double>(r + 1);
  }
  const TimeModel independent(training, batches, TimeModelKind::independent);
  const TimeModel round_effect(training, batches, TimeModelKind::round_effect);
  std::vector<double> out(batches);
  // Within a simulated round the round-effect model keeps batches together; the independent
  // one spreads them over the whole range.
  auto spread = [&](const TimeModel& m) {
    m.simulate(3, 0, out);
    const auto [lo, hi] = std::minmax_element(out.begin(), out.end());
    return *hi - *lo;
  };
  EXPECT_LT(spread(round_effect), 2e-3);
  EXPECT_GT(spread(independent), 10e-3);
}

// The checks of the prediction issue, on generated traces whose truth is known.
// A generated trace of rounds x instances (the synthetic generator's defaults otherwise).
std::filesystem::path generated(const testing::TempDir& dir, std::size_t rounds,
                                std::size_t instances, const char* name) {
  SyntheticSpec spec;
  spec.rounds = rounds;
  spec.instances = instances;
  generate_synthetic_trace(spec, dir / name);
  return dir / name;
}

PredictionReport predict_generated(double round_drift, const testing::TempDir& dir) {
  SyntheticSpec spec;
  spec.rounds = 150;
  spec.instances = 2000;
  spec.round_drift = round_drift;
  spec.seed = 9;
  generate_synthetic_trace(spec, dir / "g.trace");
  PredictionRequest request;
  request.thresholds = parse_thresholds("p90,p99");
  request.holdout = 30;
  request.simulations = 600;
  return predict_trace(TraceReader(dir / "g.trace"), request);
}

TEST(Predict, IndependentTimesPredictTheWorstCaseWithinOnePoint) {
  testing::TempDir dir;
  const PredictionReport r = predict_generated(0.0, dir);
  EXPECT_EQ(r.training_rounds, 120u);
  const ThresholdPrediction& p99 = r.models[0].thresholds[1];
  ASSERT_EQ(p99.label, "p99");
  EXPECT_LT(std::abs(p99.min_of_holdout_median - p99.measured.min), 0.01)
      << p99.min_of_holdout_median << " vs " << p99.measured.min;
}

TEST(Predict, RoundEffectModelWinsWhenRoundsAreCorrelated) {
  testing::TempDir dir;
  const PredictionReport r = predict_generated(0.05, dir);
  ASSERT_EQ(r.models.size(), 2u);
  EXPECT_EQ(r.models[r.best_model].model, TimeModelKind::round_effect);
  EXPECT_LT(r.models[1].mean_abs_error, r.models[0].mean_abs_error);
}

TEST(Predict, RejectsTooFewRounds) {
  testing::TempDir dir;
  const auto path = generated(dir, 10, 50, "s.trace");
  PredictionRequest request;
  request.holdout = 9;
  EXPECT_THROW(predict_trace(TraceReader(path), request), InputError);
}

TEST(Fit, DescribesPooledAndPerInstanceTimes) {
  testing::TempDir dir;
  const auto path = generated(dir, 40, 300, "f.trace");
  FitRequest request;
  request.slowest = 5;
  const FitReport r = describe_trace(TraceReader(path), request);
  EXPECT_EQ(r.rounds, 40u);
  EXPECT_EQ(r.pooled.count, 40u * 300u);
  EXPECT_GT(r.pooled.bandwidth.value, 0);
  ASSERT_EQ(r.slowest.size(), 5u);
  EXPECT_GE(r.slowest[0].stats.mean, r.slowest[4].stats.mean);
  // The generator makes time grow with input size: a clear positive slope.
  ASSERT_TRUE(r.mean_vs_size.has_value());
  EXPECT_GT(r.mean_vs_size->slope, 0);
  EXPECT_GT(r.mean_vs_size->r_squared, 0.5);
  // A pooled budget smaller than the trace uses evenly spaced rounds.
  request.pooled_budget = 300 * 10;
  const FitReport sampled = describe_trace(TraceReader(path), request);
  EXPECT_EQ(sampled.pooled_rounds, 10u);
  EXPECT_EQ(sampled.slowest[0].name, r.slowest[0].name);  // per-instance figures unchanged
}

// Enough values (3 x 10^5) for the trace to be read on several connections.
TEST(Fit, SameFiguresOnOneThreadOrMany) {
  testing::TempDir dir;
  const auto path = generated(dir, 300, 1000, "t.trace");
  const TraceReader trace(path);
  FitRequest request;
  request.threads = 1;
  const FitReport one = describe_trace(trace, request);
  request.threads = 3;
  const FitReport three = describe_trace(trace, request);
  EXPECT_EQ(one.pooled.mean, three.pooled.mean);
  EXPECT_EQ(one.pooled.kurtosis, three.pooled.kurtosis);
  EXPECT_EQ(one.pooled.outliers_mad, three.pooled.outliers_mad);
  EXPECT_EQ(one.pooled.bandwidth.value, three.pooled.bandwidth.value);
  ASSERT_EQ(one.per_instance.size(), three.per_instance.size());
  for (std::size_t i = 0; i < one.per_instance.size(); ++i) {
    EXPECT_EQ(one.per_instance[i].min, three.per_instance[i].min);
    EXPECT_EQ(one.per_instance[i].median, three.per_instance[i].median);
    EXPECT_EQ(one.per_instance[i].max, three.per_instance[i].max);
  }
  // Columns read on three connections hold what the reader reads, batch by batch.
  const std::vector<std::int64_t> rounds = measured_rounds(trace);
  const detail::TimeColumns columns(trace, TimeKind::inference, rounds, 10, 5, 3);
  std::vector<double> times(trace.batch_count());
  for (std::size_t r = 0; r < rounds.size(); r += 37) {
    trace.read_times(rounds[r], TimeKind::inference, times);
    for (std::size_t b = 0; b < 5; ++b) EXPECT_EQ(columns.column(b)[r], times[10 + b]);
  }
}

TEST(RunTasks, RunsEveryTaskAndRethrowsTheFirstErrorByIndex) {
  std::vector<int> done(100, 0);
  bool led = false;
  detail::run_tasks(
      3, done.size(), [&] { led = true; }, [&](std::size_t i) { ++done[i]; });
  EXPECT_TRUE(led);
  EXPECT_EQ(std::count(done.begin(), done.end(), 1), 100);
  for (int trial = 0; trial < 20; ++trial) {
    try {
      detail::run_tasks(
          3, 50, [] {},
          [](std::size_t i) {
            if (i == 7 || i == 30) throw InputError("task " + std::to_string(i));
          });
      ADD_FAILURE() << "no error";
    } catch (const InputError& e) {
      EXPECT_STREQ(e.what(), "task 7");
    }
  }
  EXPECT_THROW(detail::run_tasks(
                   2, 10, [] { throw InputError("lead"); }, [](std::size_t) {}),
               InputError);
}

}  // namespace
}  // namespace tailq

#include <fstream>
#include <nlohmann/json.hpp>

namespace tailq {
namespace {

// Against exact KDEs and scipy's jensenshannon (tests/reference/make_rjsd_fixtures.py). The
// monitor bins times (2^-16 relative, then a 2^14 grid) and interpolates its densities, so it
// agrees to 0.2% rather than to round-off.
TEST(RjsdMonitor, MatchesTheScipyReference) {
  std::ifstream in(std::string(TAILQ_FIXTURES) + "/rjsd.json");
  const auto cases = nlohmann::json::parse(in);
  for (const auto& c : cases) {
    ConvergenceSettings settings;
    settings.fit_every = c["fit_every"].get<std::size_t>();
    settings.window = c["window"].get<std::size_t>();
    RjsdMonitor monitor(settings);
    for (const auto& round : c["rounds"]) monitor.add_round(round.get<std::vector<double>>());
    const auto& expected = c["expected"];
    ASSERT_EQ(monitor.series().size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const RjsdPoint& got = monitor.series()[i];
      EXPECT_EQ(got.round, expected[i]["round"].get<std::size_t>());
      const double want = expected[i]["rjsd"].get<double>();
      EXPECT_NEAR(got.rjsd, want, 0.002 * want) << c["name"] << " round " << got.round;
      const double h = expected[i]["bandwidth"].get<double>();
      EXPECT_NEAR(got.bandwidth, h, 0.002 * h) << c["name"] << " round " << got.round;
    }
  }
}

}  // namespace
}  // namespace tailq
