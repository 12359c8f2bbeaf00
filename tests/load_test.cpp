// Load scenarios, checked with the `sleep` backend as ground truth: every query's timeline is
// consistent, latency runs from the scheduled arrival (no coordinated omission), a single FIFO
// worker behaves exactly as Lindley's recursion says it must, multi-stream queries end with
// their slowest instance, dynamic batching batches, and the trace keeps it all.
#include <gtest/gtest.h>

#include <functional>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>

#include "tailq/load_analysis.hpp"
#include "tailq/run.hpp"
#include "tailq/run_options.hpp"
#include "tailq/trace.hpp"
#include "test_util.hpp"

namespace tailq {
namespace {

using testing::TempDir;
using testing::ThrowsInputError;

RunSettings sleep_settings(const std::filesystem::path& out, Scenario scenario) {
  RunSettings s;
  s.workload = "sleep";
  s.output = out;
  s.sleep_instances = 200;
  s.sleep_distribution = "const:1ms";
  s.warmup_rounds = 1;
  s.max_rounds = 2;
  s.load.scenario = scenario;
  return s;
}

struct Round {
  std::vector<QueryTiming> timings;
  std::vector<double> inference, total;
  RoundInfo info;
};

std::vector<Round> measured(const std::filesystem::path& path) {
  const TraceReader trace(path);
  std::vector<Round> rounds;
  for (const RoundInfo& info : trace.rounds()) {
    if (info.warmup) continue;
    Round r;
    r.info = info;
    r.timings.resize(trace.instances().size());
    EXPECT_TRUE(trace.read_timings(info.index, r.timings));
    r.inference.resize(trace.batch_count());
    r.total.resize(trace.batch_count());
    trace.read_times(info.index, TimeKind::inference, r.inference);
    trace.read_times(info.index, TimeKind::total, r.total);
    rounds.push_back(std::move(r));
  }
  return rounds;
}

TEST(Load, ServerTimelinesAreConsistentAndLatencyRunsFromTheSchedule) {
  TempDir dir;
  RunSettings s = sleep_settings(dir / "server.trace", Scenario::server);
  s.load.qps = {200};
  const RunResult result = run_experiment(s);
  ASSERT_EQ(result.measured_rounds, 2u);
  ASSERT_TRUE(result.jitter.has_value());
  EXPECT_EQ(result.jitter->queries, 400u);
  for (const Round& r : measured(s.output)) {
    ASSERT_TRUE(r.info.offered_qps.has_value());
    EXPECT_EQ(*r.info.offered_qps, 200);
    double last_scheduled = -1;
    for (std::size_t i = 0; i < r.timings.size(); ++i) {
      const QueryTiming& t = r.timings[i];
      EXPECT_LE(t.scheduled_s, t.issued_s);
      EXPECT_LE(t.issued_s, t.started_s);
      EXPECT_LT(t.started_s, t.finished_s);
      EXPECT_GT(t.scheduled_s, last_scheduled);  // issued in instance order, Poisson gaps
      last_scheduled = t.scheduled_s;
      EXPECT_DOUBLE_EQ(r.inference[i], t.finished_s - t.started_s);
      EXPECT_DOUBLE_EQ(r.total[i], t.finished_s - t.scheduled_s);
      EXPECT_GE(r.inference[i], 1e-3);  // the sleep itself
    }
    EXPECT_EQ(r.timings.front().scheduled_s, 0);
    // 200 arrivals at 200/s: about one second (Poisson, so loosely).
    EXPECT_GT(last_scheduled, 0.6);
    EXPECT_LT(last_scheduled, 1.5);
  }
}

// One FIFO worker serving one query at a time starts each query at max(its arrival, the end of
// the previous one): Lindley's recursion, whatever the machine's noise did to service times.
// Sleeping on the queue or spinning on it (--busy-poll), the worker must keep to it.
class LindleyTest : public ::testing::TestWithParam<bool> {};

TEST_P(LindleyTest, OneWorkerFollowsLindleysRecursion) {
  TempDir dir;
  RunSettings s = sleep_settings(dir / "lindley.trace", Scenario::server);
  s.sleep_distribution = "exp:1ms";
  s.sleep_instances = 400;
  s.load.qps = {600};
  s.load.busy_poll = GetParam();
  const RunResult result = run_experiment(s);
  EXPECT_EQ(result.measured_rounds, 2u);
  const auto stored = nlohmann::json::parse(TraceReader(s.output).experiment().settings_json);
  EXPECT_EQ(stored["busy_poll"], GetParam() ? "true" : "false");  // a resume keeps to it
  for (const Round& r : measured(s.output)) {
    std::vector<double> overhead;
    double previous_end = -1e9;
    for (const QueryTiming& t : r.timings) {  // instance order == arrival order here
      const double due = std::max(t.issued_s, previous_end);
      overhead.push_back(t.started_s - due);
      previous_end = t.finished_s;
    }
    std::sort(overhead.begin(), overhead.end());
    EXPECT_GE(overhead.front(), -1e-9);  // never before it could
    EXPECT_LT(overhead[overhead.size() / 2], 200e-6) << "median hand-over";
  }
}

INSTANTIATE_TEST_SUITE_P(Load, LindleyTest, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "BusyPoll" : "Sleeping"; });

TEST(Load, OverloadShowsTheQueueInsteadOfHidingIt) {
  TempDir dir;
  RunSettings s = sleep_settings(dir / "overload.trace", Scenario::server);
  s.sleep_distribution = "const:2ms";
  s.sleep_instances = 100;
  s.load.qps = {1000};  // twice what one worker can serve
  s.warmup_rounds = 0;
  s.max_rounds = 1;
  run_experiment(s);
  const Round r = measured(s.output).front();
  // The last query waits for the 99 before it: ~100 x 2 ms - 99 ms of arrivals.
  EXPECT_GT(r.total.back(), 0.08);
  EXPECT_LT(r.inference.back(), 0.02);
  EXPECT_GT(r.total.back(), 4 * r.inference.back());
}

TEST(Load, MultiStreamQueriesEndWithTheirSlowestInstance) {
  TempDir dir;
  RunSettings s = sleep_settings(dir / "multi.trace", Scenario::multi_stream);
  s.sleep_distribution = "exp:500us";
  s.sleep_instances = 40;
  s.load.queries_per_interval = 4;
  s.load.interval_s = 0.02;
  s.load.workers = 2;
  run_experiment(s);
  for (const Round& r : measured(s.output)) {
    EXPECT_DOUBLE_EQ(*r.info.offered_qps, 200);  // 4 instances every 20 ms
    for (std::size_t q = 0; q < 10; ++q) {
      double slowest = 0;
      for (std::size_t i = 4 * q; i < 4 * q + 4; ++i) {
        EXPECT_DOUBLE_EQ(r.timings[i].scheduled_s, 0.02 * static_cast<double>(q));
        slowest = std::max(slowest, r.timings[i].finished_s);
      }
      for (std::size_t i = 4 * q; i < 4 * q + 4; ++i) {
        EXPECT_DOUBLE_EQ(r.total[i], slowest - r.timings[i].scheduled_s);
      }
    }
  }
}

TEST(Load, OfflineIssuesEverythingAtOnceAndBatches) {
  TempDir dir;
  RunSettings s = sleep_settings(dir / "offline.trace", Scenario::offline);
  s.sleep_distribution = "const:200us";
  s.load.max_batch = 8;
  const RunResult result = run_experiment(s);
  EXPECT_EQ(result.measured_rounds, 2u);
  for (const Round& r : measured(s.output)) {
    EXPECT_FALSE(r.info.offered_qps.has_value());
    std::vector<double> starts;
    for (const QueryTiming& t : r.timings) {
      EXPECT_EQ(t.scheduled_s, 0);
      starts.push_back(t.started_s);
    }
    std::sort(starts.begin(), starts.end());
    const auto batches = std::unique(starts.begin(), starts.end()) - starts.begin();
    EXPECT_EQ(batches, 25);  // 200 instances in full batches of 8
  }
}

TEST(Load, DynamicBatchingWaitsForTheBatchToFill) {
  TempDir dir;
  RunSettings s = sleep_settings(dir / "batching.trace", Scenario::server);
  s.sleep_distribution = "const:100us";
  s.load.qps = {2000};
  s.load.max_batch = 4;
  s.load.batch_timeout_s = 0.02;  // far longer than 4 arrivals take
  run_experiment(s);
  for (const Round& r : measured(s.output)) {
    std::vector<double> starts;
    for (const QueryTiming& t : r.timings) starts.push_back(t.started_s);
    std::sort(starts.begin(), starts.end());
    const auto batches = std::unique(starts.begin(), starts.end()) - starts.begin();
    EXPECT_LE(batches, 55);  // ~50 batches of 4; a few partial where rounds meet
  }
}

TEST(Load, SweepStoresOneSeriesPerLoadAndAnalysesQualityAgainstLoad) {
  TempDir dir;
  RunSettings s = sleep_settings(dir / "sweep.trace", Scenario::server);
  s.sleep_distribution = "const:2ms";
  s.sleep_instances = 100;
  s.load.qps = {100, 300, 450};
  run_experiment(s);
  const TraceReader trace(s.output);
  ASSERT_TRUE(is_load_trace(trace));
  LoadAnalysisOptions options;
  options.thresholds = parse_thresholds("50ms");
  options.max_drop = 0.05;  // a loaded CI machine may stall a query or two
  const LoadAnalysis a = analyze_load(trace, options);
  ASSERT_EQ(a.levels.size(), 3u);
  EXPECT_EQ(*a.levels[0].offered_qps, 100);
  EXPECT_EQ(*a.levels[2].offered_qps, 450);
  for (const LoadLevel& l : a.levels) EXPECT_EQ(l.rounds, 2u);
  // 2 ms of service, 50 ms deadline: (almost) all on time at 20% load.
  EXPECT_GE(a.levels[0].quality.thresholds[0].quality.min, 0.95);
  EXPECT_LT(a.levels[0].queue_wait.mean, a.levels[2].queue_wait.mean);
  ASSERT_EQ(a.capacity.size(), 1u);
  ASSERT_TRUE(a.capacity[0].capacity_qps.has_value());
  EXPECT_GE(*a.capacity[0].capacity_qps, 100);
  EXPECT_NE(to_json(a).find("\"capacity_qps\""), std::string::npos);
}

// The library names the setting by its key (front ends add their own names for it).
std::string refused_key(const std::function<void()>& action) {
  try {
    action();
  } catch (const OptionError& e) {
    return e.key();
  }
  return "(nothing refused)";
}

TEST(Load, BadSettingsAreRejectedBeforeAnythingIsWritten) {
  TempDir dir;
  RunSettings s = sleep_settings(dir / "bad.trace", Scenario::server);
  EXPECT_EQ(refused_key([&] { run_experiment(s); }), "qps");
  s.load.qps = {100, 100};
  EXPECT_TRUE(ThrowsInputError([&] { run_experiment(s); }, {"given twice"}));
  s.load.qps = {100};
  s.load.workers = 0;
  EXPECT_EQ(refused_key([&] { run_experiment(s); }), "workers");
  EXPECT_FALSE(std::filesystem::exists(s.output));
  EXPECT_TRUE(ThrowsInputError([] { parse_scenario("bursty"); }, {"'bursty'"}));
  RunSettings single = sleep_settings(dir / "single.trace", Scenario::single_stream);
  single.load.busy_poll = true;
  EXPECT_EQ(refused_key([&] { run_experiment(single); }), "busy_poll");
  EXPECT_FALSE(std::filesystem::exists(single.output));
  // From text, an option that does not apply is refused too.
  EXPECT_EQ(refused_key([] { run_settings_from({{"busy_poll", ""}}); }), "busy_poll");
  EXPECT_EQ(refused_key([] { run_settings_from({{"qps", "100"}}); }), "qps");
}

}  // namespace
}  // namespace tailq
