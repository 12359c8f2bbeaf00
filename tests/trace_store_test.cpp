#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <thread>

#include "store/writer_access.hpp"
#include "tailq/error.hpp"
#include "tailq/trace.hpp"
#include "test_util.hpp"

namespace tailq {
namespace {

struct Small {
  Experiment experiment;
  std::vector<Instance> instances;
  Outcomes outcomes;
  Small() {
    experiment.model = "m";
    experiment.dataset = "d";
    experiment.backend = "b";
    experiment.metric = "accuracy";
    experiment.extra_json = R"({"note":"<script>"})";
    // 5 instances in 3 batches.
    const std::uint32_t batch[] = {0, 0, 1, 2, 2};
    for (int i = 0; i < 5; ++i) {
      Instance in;
      in.name = "img" + std::to_string(i);
      in.batch = batch[i];
      if (i % 2) in.input_size = 100.0 * i;
      instances.push_back(in);
      outcomes.labels.push_back("l" + std::to_string(i % 2));
      outcomes.predictions.push_back(i == 4 ? "" : "l0 l1");
    }
  }
};

std::vector<double> round_times(std::int64_t round, double offset) {
  return {0.001 * static_cast<double>(round) + offset, 0.002 + offset, 0.003 + offset};
}

TEST(TraceStore, RoundTripsEverything) {
  testing::TempDir dir;
  const Small s;
  const auto path = dir / "t.trace";
  {
    auto w = TraceWriter::create(path, s.experiment, s.instances, s.outcomes);
    EXPECT_EQ(w.batch_count(), 3u);
    for (std::int64_t r = 0; r < 4; ++r) {
      w.append_round({r, r == 0, 1000.0 + static_cast<double>(r)}, round_times(r, 0),
                     round_times(r, 0.0005));
    }
    w.close();
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "t.trace-wal"));
  const TraceReader t(path);
  EXPECT_EQ(t.experiment().model, "m");
  EXPECT_EQ(t.experiment().dataset, "d");
  EXPECT_EQ(t.experiment().backend, "b");
  EXPECT_EQ(t.experiment().metric, "accuracy");
  EXPECT_EQ(t.experiment().extra_json, R"({"note":"<script>"})");
  ASSERT_EQ(t.instances().size(), 5u);
  EXPECT_EQ(t.instances()[3].name, "img3");
  EXPECT_EQ(t.instances()[3].input_size, 300.0);
  EXPECT_FALSE(t.instances()[2].input_size.has_value());
  EXPECT_EQ(t.batch_count(), 3u);
  EXPECT_EQ(std::vector<std::uint32_t>(t.batch_of_instance().begin(), t.batch_of_instance().end()),
            (std::vector<std::uint32_t>{0, 0, 1, 2, 2}));
  EXPECT_EQ(t.outcomes().labels, s.outcomes.labels);
  EXPECT_EQ(t.outcomes().predictions, s.outcomes.predictions);
  ASSERT_EQ(t.rounds().size(), 4u);
  EXPECT_TRUE(t.rounds()[0].warmup);
  EXPECT_FALSE(t.rounds()[1].warmup);
  EXPECT_EQ(t.rounds()[2].started_unix_s, 1002.0);
  std::vector<double> got(3);
  for (std::int64_t r = 0; r < 4; ++r) {
    t.read_times(r, TimeKind::inference, got);
    EXPECT_EQ(got, round_times(r, 0));
    t.read_times(r, TimeKind::total, got);
    EXPECT_EQ(got, round_times(r, 0.0005));
  }
  TimesCursor cursor(path, TimeKind::total);
  cursor.read(3, got);
  EXPECT_EQ(got, round_times(3, 0.0005));
  EXPECT_THROW(cursor.read(9, got), StoreError);
  cursor.read(1, got);  // usable again after a failed read
  EXPECT_EQ(got, round_times(1, 0.0005));
}

TEST(TraceStore, ScoreOutcomesRoundTrip) {
  testing::TempDir dir;
  Small s;
  s.outcomes = Outcomes{};
  s.outcomes.kind = Outcomes::Kind::score;
  s.outcomes.scores = {0.1, 0.2, 0.3, 0.4, 1.0};
  TraceWriter::create(dir / "s.trace", s.experiment, s.instances, s.outcomes).close();
  const TraceReader t(dir / "s.trace");
  EXPECT_EQ(t.outcomes().kind, Outcomes::Kind::score);
  EXPECT_EQ(t.outcomes().scores, s.outcomes.scores);
  EXPECT_TRUE(t.rounds().empty());
}

TEST(TraceStore, RejectsBadRoundsAndKeepsEarlierOnes) {
  testing::TempDir dir;
  const Small s;
  auto w = TraceWriter::create(dir / "t.trace", s.experiment, s.instances, s.outcomes);
  w.append_round({0, false, 0}, round_times(0, 0), round_times(0, 0));
  EXPECT_THROW(w.append_round({1, false, 0}, std::vector<double>{1, 2}, round_times(1, 0)),
               StoreError);
  EXPECT_THROW(w.append_round({1, false, 0}, std::vector<double>{0.1, NAN, 0.1}, round_times(1, 0)),
               InputError);
  EXPECT_THROW(
      w.append_round({1, false, 0}, round_times(1, 0), std::vector<double>{0.1, -0.2, 0.1}),
      InputError);
  EXPECT_THROW(w.append_round({0, false, 0}, round_times(0, 0), round_times(0, 0)), StoreError);
  w.append_round({1, false, 0}, round_times(1, 0), round_times(1, 0));
  w.close();
  const TraceReader t(dir / "t.trace");
  ASSERT_EQ(t.rounds().size(), 2u);
}

TEST(TraceStore, AppendsAfterReopening) {
  testing::TempDir dir;
  const Small s;
  auto w = TraceWriter::create(dir / "t.trace", s.experiment, s.instances, s.outcomes);
  w.append_round({0, false, 0}, round_times(0, 0), round_times(0, 0));
  w.close();
  auto again = TraceWriter::open_existing(dir / "t.trace");
  EXPECT_EQ(again.batch_count(), 3u);
  again.append_round({1, false, 0}, round_times(1, 0), round_times(1, 0));
  again.close();
  EXPECT_EQ(TraceReader(dir / "t.trace").rounds().size(), 2u);
}

TEST(TraceStore, KeepsLoadRoundsWithTheirQueryTimelines) {
  testing::TempDir dir;
  const Small s;
  auto w = TraceWriter::create(dir / "t.trace", s.experiment, s.instances, s.outcomes);
  std::vector<QueryTiming> timings;
  for (int i = 0; i < 5; ++i) {
    const double t = 0.01 * i;
    timings.push_back({t, t + 1e-6, t + 2e-3, t + 5e-3});
  }
  w.append_round({0, false, 0, std::nullopt, 250.0}, round_times(0, 0), round_times(0, 0),
                 {.timings = timings});
  w.append_round({1, false, 0}, round_times(1, 0), round_times(1, 0));
  timings[2].finished_s = std::nan("");
  EXPECT_THROW(w.append_round({2, false, 0, std::nullopt, 250.0}, round_times(2, 0),
                              round_times(2, 0), {.timings = timings}),
               InputError);
  EXPECT_THROW(
      w.append_round({2, false, 0, std::nullopt, -1.0}, round_times(2, 0), round_times(2, 0)),
      InputError);
  EXPECT_THROW(w.append_round({2, false, 0}, round_times(2, 0), round_times(2, 0),
                              {.timings = std::span(timings).first(4)}),
               StoreError);
  w.close();
  const TraceReader r(dir / "t.trace");
  ASSERT_EQ(r.rounds().size(), 2u);
  EXPECT_EQ(r.rounds()[0].offered_qps, 250.0);
  EXPECT_FALSE(r.rounds()[1].offered_qps.has_value());
  std::vector<QueryTiming> back(5);
  ASSERT_TRUE(r.read_timings(0, back));
  EXPECT_EQ(back[3].scheduled_s, 0.03);
  EXPECT_EQ(back[3].issued_s, 0.03 + 1e-6);
  EXPECT_EQ(back[3].started_s, 0.03 + 2e-3);
  EXPECT_EQ(back[3].finished_s, 0.03 + 5e-3);
  EXPECT_FALSE(r.read_timings(1, back));
}

// A trace written before load scenarios (schema 1) is read as it is, and migrated when a run
// appends to it.
TEST(TraceStore, ReadsAndMigratesVersionOneTraces) {
  testing::TempDir dir;
  const Small s;
  auto w =
      store::WriterAccess::create(dir / "v1.trace", s.experiment, s.instances, s.outcomes, true, 2);
  w.append_round({0, false, 0, 7u}, round_times(0, 0), round_times(0, 0));
  w.close();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "v1.trace").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TABLE query_times; ALTER TABLE rounds DROP COLUMN offered_qps; "
                         "ALTER TABLE rounds DROP COLUMN checksum; "
                         "ALTER TABLE inference_times DROP COLUMN checksum; "
                         "ALTER TABLE total_times DROP COLUMN checksum; "
                         "DELETE FROM experiment WHERE key = 'header_checksum'; "
                         "PRAGMA user_version = 1;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  {
    const TraceReader r(dir / "v1.trace");
    ASSERT_EQ(r.rounds().size(), 1u);
    EXPECT_EQ(r.rounds()[0].output_hash, 7u);
    std::vector<QueryTiming> back(5);
    EXPECT_FALSE(r.read_timings(0, back));
  }
  auto again = TraceWriter::open_existing(dir / "v1.trace");
  again.append_round({1, false, 0, std::nullopt, 10.0}, round_times(1, 0), round_times(1, 0));
  again.close();
  const TraceReader r(dir / "v1.trace");
  ASSERT_EQ(r.rounds().size(), 2u);
  EXPECT_EQ(r.rounds()[1].offered_qps, 10.0);
}

TEST(TraceStore, RefusesFilesThatAreNotTraces) {
  testing::TempDir dir;
  std::ofstream(dir / "junk.trace") << "this is not sqlite at all, just some text";
  EXPECT_THROW(TraceReader(dir / "junk.trace"), StoreError);
  EXPECT_THROW(TraceReader(dir / "missing.trace"), StoreError);
  const Small s;
  TraceWriter::create(dir / "t.trace", s.experiment, s.instances, s.outcomes).close();
  EXPECT_THROW(TraceWriter::create(dir / "t.trace", s.experiment, s.instances, s.outcomes),
               StoreError);
}

TEST(TraceStore, RefusesAnotherSchemaVersion) {
  testing::TempDir dir;
  const Small s;
  TraceWriter::create(dir / "t.trace", s.experiment, s.instances, s.outcomes).close();
  ASSERT_EQ(
      std::system(("sqlite3 " + (dir / "t.trace").string() + " 'PRAGMA user_version=99'").c_str()),
      0);
  try {
    TraceReader t(dir / "t.trace");
    FAIL() << "opened a version 99 trace";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("version 99"), std::string::npos) << e.what();
  }
}

TEST(TraceStore, AtomicWriteLeavesNothingOnFailure) {
  testing::TempDir dir;
  const Small s;
  const auto path = dir / "a.trace";
  EXPECT_THROW(write_trace_atomically(path, false,
                                      [&](const std::filesystem::path& tmp) {
                                        auto w = TraceWriter::create(tmp, s.experiment, s.instances,
                                                                     s.outcomes);
                                        throw InputError("bad data");
                                      }),
               InputError);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  write_trace_atomically(path, false, [&](const std::filesystem::path& tmp) {
    TraceWriter::create(tmp, s.experiment, s.instances, s.outcomes).close();
  });
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_THROW(write_trace_atomically(path, false, [](const auto&) {}), InputError);
}

// A writer killed with SIGKILL at an arbitrary moment loses at most the round in flight: every
// round that a reader finds afterwards is complete and intact.
TEST(TraceStore, SurvivesKillMinusNine) {
  testing::TempDir dir;
  const Small s;
  const auto path = dir / "k.trace";
  TraceWriter::create(path, s.experiment, s.instances, s.outcomes).close();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto w = TraceWriter::open_existing(path);
    for (std::int64_t r = 0;; ++r)
      w.append_round({r, false, 0}, round_times(r, 0), round_times(r, 1));
  }
  // Let it commit a few rounds, then kill it mid-write.
  for (int i = 0; i < 2000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    try {
      if (TraceReader(path).rounds().size() >= 20) break;
    } catch (const StoreError&) {
    }
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  const TraceReader t(path);
  ASSERT_GE(t.rounds().size(), 20u);
  std::vector<double> got(3);
  for (std::size_t i = 0; i < t.rounds().size(); ++i) {
    const std::int64_t r = t.rounds()[i].index;
    EXPECT_EQ(r, static_cast<std::int64_t>(i));  // no gap
    t.read_times(r, TimeKind::inference, got);
    EXPECT_EQ(got, round_times(r, 0));
    t.read_times(r, TimeKind::total, got);
    EXPECT_EQ(got, round_times(r, 1));
  }
}

}  // namespace
}  // namespace tailq

namespace tailq {
namespace {

TEST(TraceStore, StoresOutputHashesAndPredictionsWithARound) {
  testing::TempDir dir;
  Experiment e;
  std::vector<Instance> instances(2);
  instances[0].name = "a";
  instances[1].name = "b";
  instances[1].batch = 1;
  Outcomes o;
  o.labels = {"x", "y"};
  o.predictions = {"", ""};
  auto w = TraceWriter::create(dir / "t.trace", e, instances, o);
  const std::vector<double> times = {0.1, 0.2};
  w.append_round({0, true, 0}, times, times);
  const std::vector<std::string> predictions = {"x z", "q"};
  w.append_round({1, false, 0, 0xFEDCBA9876543210ull}, times, times, {.predictions = predictions});
  w.close();
  const TraceReader t(dir / "t.trace");
  EXPECT_EQ(t.outcomes().predictions, predictions);
  EXPECT_FALSE(t.rounds()[0].output_hash.has_value());
  EXPECT_EQ(t.rounds()[1].output_hash, 0xFEDCBA9876543210ull);
}

}  // namespace
}  // namespace tailq
