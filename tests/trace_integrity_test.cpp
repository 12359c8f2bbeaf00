// Checksums, corruption detection, the writer lock and the v1 migration of checksums: a trace
// changed after it was written is refused by every reader with one line and reported in full by
// check_trace; a second writer is refused while readers keep reading.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <random>

#include "store/checksum.hpp"
#include "store/trace_schema.hpp"
#include "store/writer_access.hpp"
#include "tailq/check.hpp"
#include "tailq/error.hpp"
#include "tailq/trace.hpp"
#include "test_util.hpp"

namespace tailq {
namespace {

// A trace of 3 instances in 2 batches: a warm-up round, a measured round and a load round with
// its query timeline; written as schema `version`, one round per block from version 3 on.
std::filesystem::path make_trace(const testing::TempDir& dir, int version = kTraceSchemaVersion,
                                 const std::string& name = "t.trace") {
  const auto path = dir / name;
  Experiment e{"m", "d", "b", "accuracy"};
  std::vector<Instance> instances(3);
  Outcomes o;
  for (std::uint32_t i = 0; i < 3; ++i) {
    instances[i].name = "i" + std::to_string(i);
    instances[i].batch = i / 2;
    o.labels.push_back("x");
    o.predictions.push_back("x");
  }
  auto w = store::WriterAccess::create(path, e, instances, o, true, version);
  w.append_round({0, true, 10.0}, std::vector<double>{0.1, 0.2}, std::vector<double>{0.3, 0.4});
  w.append_round({1, false, 11.0, 5u}, std::vector<double>{0.1, 0.2},
                 std::vector<double>{0.3, 0.4});
  const std::vector<QueryTiming> timings = {
      {0, 0.001, 0.002, 0.1}, {0.01, 0.011, 0.012, 0.2}, {0.02, 0.021, 0.1, 0.3}};
  w.append_round({2, false, 12.0, 5u, 50.0}, std::vector<double>{0.1, 0.2},
                 std::vector<double>{0.3, 0.4}, {.timings = timings});
  w.close();
  return path;
}

// Everything a command does with a trace: open it, read every round's times and timeline.
void read_everything(const std::filesystem::path& path) {
  const TraceReader trace(path);
  std::vector<double> times(trace.batch_count());
  std::vector<QueryTiming> timings(trace.instances().size());
  for (const RoundInfo& round : trace.rounds()) {
    trace.read_times(round.index, TimeKind::inference, times);
    trace.read_times(round.index, TimeKind::total, times);
    trace.read_timings(round.index, timings);
    TimesCursor(path, TimeKind::total).read(round.index, times);
  }
}

// The message every reader gives: one line, the trace, "corrupt trace", the problem.
::testing::AssertionResult RefusedAsCorrupt(const std::filesystem::path& path,
                                            const std::string& problem) {
  try {
    read_everything(path);
  } catch (const StoreError& e) {
    const std::string message = e.what();
    if (message.find('\n') != std::string::npos ||
        message.find(path.string() + ": corrupt trace: ") != 0 ||
        message.find(problem) == std::string::npos) {
      return ::testing::AssertionFailure() << "message: " << message;
    }
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "read a corrupt trace without complaint";
}

::testing::AssertionResult CheckReports(const std::filesystem::path& path,
                                        const std::string& problem) {
  const TraceCheck check = check_trace(path);
  for (const std::string& p : check.problems) {
    if (p.find(problem) != std::string::npos) return ::testing::AssertionSuccess();
  }
  auto failure = ::testing::AssertionFailure() << "check_trace did not report '" << problem << "':";
  for (const std::string& p : check.problems) failure << "\n  " << p;
  return failure;
}

TEST(TraceIntegrity, ACleanTracePassesEveryCheck) {
  for (const int version : {2, 3, 4}) {
    testing::TempDir dir;
    const auto path = make_trace(dir, version);
    read_everything(path);
    const TraceCheck check = check_trace(path);
    EXPECT_TRUE(check.ok()) << (check.problems.empty() ? "" : check.problems.front());
    EXPECT_EQ(check.schema_version, version);
    EXPECT_EQ(check.rounds, 3u);
    EXPECT_EQ(check.measured_rounds, 2u);
    EXPECT_EQ(check.unchecked_rounds, 0u);
  }
}

// Each edit below changes bytes that were measured or written; every one must be caught by the
// readers (first problem, one line) and by check_trace (listed).
struct Corruption {
  const char* name;
  const char* sql;
  const char* problem;
  int version = 2;  // of the trace edited
};

class TraceCorruption : public ::testing::TestWithParam<Corruption> {};

// What load_checked says of `path` ("" when it loads), the instances read on two connections
// from `split_from` instances on (0: on one).
std::string load_message(const std::filesystem::path& path, std::size_t split_from) {
  std::optional<sqlite::Database> db;
  store::open_for_reading(path, db);
  try {
    store::load_checked(*db, store::read_schema_version(*db), split_from);
  } catch (const StoreError& e) {
    return e.what();
  }
  return "";
}

TEST_P(TraceCorruption, IsRefusedByReadersAndReportedByCheck) {
  testing::TempDir dir;
  const auto path = make_trace(dir, GetParam().version);
  testing::exec_sql(path, GetParam().sql);
  EXPECT_TRUE(RefusedAsCorrupt(path, GetParam().problem));
  EXPECT_TRUE(CheckReports(path, GetParam().problem));
  EXPECT_EQ(load_message(path, 2), load_message(path, 0));
}

// A flipped bit in a time: 0x3FB999999999999A (0.1) becomes 0x3FB999999999999B.
const Corruption kCorruptions[] = {
    {"FlippedTimeBit",
     "UPDATE inference_times SET seconds = x'9B9999999999B93F9A9999999999C93F' WHERE round = 1",
     "round 1: inference times do not match their checksum"},
    {"TimesOfAnotherRound",
     "UPDATE total_times SET seconds = (SELECT seconds FROM total_times WHERE round = 0), "
     "checksum = (SELECT checksum FROM total_times WHERE round = 0) WHERE round = 1",
     "round 1: the round does not match its checksum"},
    {"ShortBlob", "UPDATE total_times SET seconds = zeroblob(8) WHERE round = 2",
     "round 2: total times hold 8 bytes"},
    {"MissingBlob", "DELETE FROM inference_times WHERE round = 0", "round 0: no inference times"},
    {"OrphanBlob", "INSERT INTO total_times VALUES (7, zeroblob(16), 0)",
     "total_times: 1 rows for no round"},
    {"EditedRoundRow", "UPDATE rounds SET warmup = 1 WHERE idx = 1",
     "round 1: the round does not match its checksum"},
    {"BadWarmupFlag", "UPDATE rounds SET warmup = 3 WHERE idx = 1", "warm-up flag '3'"},
    {"EditedLabel", "UPDATE instances SET label = 'y' WHERE idx = 2",
     "the experiment, instances or outputs tables do not match their checksum"},
    {"MissingInstance", "DELETE FROM instances WHERE idx = 1", "indices are not 0..N-1"},
    {"BatchOutOfRange", "UPDATE instances SET batch = 9 WHERE idx = 0", "batch 9 outside 0..2-1"},
    // Values of another type than the column's (each column is read once, then again as the
    // statement converts it when the type is not the expected one).
    {"BatchAsText", "UPDATE instances SET batch = 'one' WHERE idx = 0",
     "instance 0 ('i0'): batch one outside 0..2-1"},
    {"NameAsBlob", "UPDATE instances SET name = x'41' WHERE idx = 1",
     "instance 1: the name is not text"},
    {"InputSizeAsText", "UPDATE instances SET input_size = 'big' WHERE idx = 0",
     "instance 0: input size is not a finite number"},
    {"LabelAsBlob", "UPDATE instances SET label = x'42' WHERE idx = 2",
     "instance 2: the label is not text"},
    {"PredictionAsBlob", "UPDATE outputs SET prediction = x'00' WHERE instance = 0",
     "instance 0: the prediction is not text"},
    {"BadBatchCount", "UPDATE experiment SET value = 'two' WHERE key = 'batch_count'",
     "batch count 'two' is not a count"},
    {"NoMetric", "DELETE FROM experiment WHERE key = 'metric'", "no 'metric' entry"},
    {"SettingsNotJson", "UPDATE experiment SET value = '[1,' WHERE key = 'settings'",
     "'settings' is not a JSON object"},
    {"QueryChecksumRemoved",
     "UPDATE query_times SET seconds = zeroblob(96), checksum = NULL WHERE round = 2",
     "round 2: a checksum is missing"},
    {"AView", "CREATE VIEW extra AS SELECT 1", "unexpected view 'extra'"},
    {"ATrigger", "CREATE TRIGGER t AFTER INSERT ON rounds BEGIN SELECT 1; END",
     "unexpected trigger 't'"},
    {"AnExtraColumn", "ALTER TABLE rounds ADD COLUMN note TEXT", "table 'rounds' has columns"},
    {"RoundsAsAView",
     "DROP TABLE rounds; CREATE VIEW rounds AS WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL "
     "SELECT i + 1 FROM n) SELECT i AS idx FROM n",
     "unexpected view 'rounds'"},
    // Versions 3 and 4 (round blocks, docs/trace-format.md): the same edits on blocks of one round.
    {"BlockFlippedTimeBit",
     "UPDATE inference_times SET seconds = x'9B9999999999B93F9A9999999999C93F' WHERE first = 1",
     "round 1: inference times do not match their checksum", 4},
    {"BlockTimesOfAnotherBlock",
     "UPDATE total_times SET seconds = (SELECT seconds FROM total_times WHERE first = 0), "
     "checksum = (SELECT checksum FROM total_times WHERE first = 0) WHERE first = 1",
     "round 1: the block does not match its checksum", 4},
    {"BlockShortBlob", "UPDATE total_times SET seconds = zeroblob(8) WHERE first = 2",
     "round 2: total times hold 8 bytes", 4},
    {"BlockMissingBlob", "DELETE FROM inference_times WHERE first = 0",
     "round 0: no inference times", 4},
    {"BlockOrphanBlob",
     "INSERT INTO total_times(first, seconds, checksum) VALUES (7, zeroblob(16), 0)",
     "total_times: 1 rows for no block", 4},
    // The warm-up flag of round 1 (the first byte of its metadata) set; || makes text, so CAST.
    {"BlockEditedFlags",
     "UPDATE round_blocks SET info = CAST(x'03' || substr(info, 2) AS BLOB), measured = 0 "
     "WHERE first = 1",
     "round 1: the block does not match its checksum", 4},
    {"BlockUnknownFlag",
     "UPDATE round_blocks SET info = CAST(x'40' || substr(info, 2) AS BLOB) WHERE first = 1",
     "round 1: unknown round flags 64", 4},
    {"BlockShortInfo", "UPDATE round_blocks SET info = substr(info, 1, 5) WHERE first = 1",
     "round 1: round metadata holds 5 bytes", 4},
    {"BlockMeasuredCount", "UPDATE round_blocks SET measured = 1 WHERE first = 0",
     "round 0: measured count '1'", 4},
    {"BlockQueryRemoved", "DELETE FROM query_times WHERE first = 2", "round 2: no query timelines",
     4},
    {"BlockAnExtraColumn", "ALTER TABLE round_blocks ADD COLUMN note TEXT",
     "table 'round_blocks' has columns", 4},
    // Version 3 traces are still read: their checksums after the BLOB are still checked.
    {"V3BlockFlippedTimeBit",
     "UPDATE inference_times SET seconds = x'9B9999999999B93F9A9999999999C93F' WHERE first = 1",
     "round 1: inference times do not match their checksum", 3},
    {"V3BlockTimesOfAnotherBlock",
     "UPDATE total_times SET seconds = (SELECT seconds FROM total_times WHERE first = 0), "
     "checksum = (SELECT checksum FROM total_times WHERE first = 0) WHERE first = 1",
     "round 1: the block does not match its checksum", 3},
};

INSTANTIATE_TEST_SUITE_P(Edits, TraceCorruption, ::testing::ValuesIn(kCorruptions),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// A block that claims the rounds of the next one: its own size problems, and the overlap.
TEST(TraceIntegrity, OverlappingBlocksAreReported) {
  testing::TempDir dir;
  const auto path = make_trace(dir, 3);
  testing::exec_sql(path, "UPDATE round_blocks SET count = 2 WHERE first = 0");
  EXPECT_TRUE(RefusedAsCorrupt(path, "rounds 0 to 1: round metadata holds 9 bytes"));
  EXPECT_TRUE(CheckReports(path, "round 1: overlaps the block before it"));
}

TEST(TraceIntegrity, CheckReportsEveryProblemNotJustTheFirst) {
  testing::TempDir dir;
  const auto path = make_trace(dir, 2);
  testing::exec_sql(
      path,
      "UPDATE inference_times SET seconds = x'9B9999999999B93F9A9999999999C93F' WHERE round = 1;"
      "UPDATE rounds SET started_unix_s = 99 WHERE idx = 2");
  const TraceCheck check = check_trace(path);
  EXPECT_FALSE(check.ok());
  EXPECT_EQ(check.problem_count, 2u);
  EXPECT_TRUE(CheckReports(path, "round 1: inference times do not match their checksum"));
  EXPECT_TRUE(CheckReports(path, "round 2: the round does not match its checksum"));
}

TEST(TraceIntegrity, ATruncatedFileIsReportedNotCrashedOn) {
  testing::TempDir dir;
  const auto path = make_trace(dir);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 3);
  EXPECT_THROW(read_everything(path), StoreError);
  EXPECT_FALSE(check_trace(path).ok());
  std::ofstream(dir / "junk.trace") << "not a trace";
  const TraceCheck junk = check_trace(dir / "junk.trace");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.schema_version, 0);
  EXPECT_FALSE(check_trace(dir / "missing.trace").ok());
}

TEST(TraceIntegrity, ASecondWriterIsRefusedWhileReadersRead) {
  testing::TempDir dir;
  const auto path = make_trace(dir);
  auto writer = TraceWriter::open_existing(path);
  try {
    TraceWriter::open_existing(path);
    FAIL() << "a second writer opened the trace";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("another process is writing this trace"),
              std::string::npos)
        << e.what();
  }
  read_everything(path);  // readers are not blocked
  writer.append_round({3, false, 13.0}, std::vector<double>{0.1, 0.2},
                      std::vector<double>{0.3, 0.4});
  EXPECT_EQ(TraceReader(path).rounds().size(), 4u);  // and see committed rounds at once
  writer.close();
  TraceWriter::open_existing(path).close();  // free again once closed
  EXPECT_TRUE(check_trace(path).ok());
}

// A version 1 trace has no checksums: read as it is, migrated on append, and from then on the
// new rounds are checked while the old ones are reported as unchecked.
TEST(TraceIntegrity, VersionOneRoundsAreReadAndNewOnesChecked) {
  testing::TempDir dir;
  const auto path = make_trace(dir, 2);
  testing::exec_sql(
      path,
      "DROP TABLE query_times; DELETE FROM rounds WHERE idx = 2; "
      "DELETE FROM inference_times WHERE round = 2; DELETE FROM total_times WHERE round = 2; "
      "ALTER TABLE rounds DROP COLUMN offered_qps; ALTER TABLE rounds DROP COLUMN checksum; "
      "ALTER TABLE inference_times DROP COLUMN checksum; "
      "ALTER TABLE total_times DROP COLUMN checksum; "
      "DELETE FROM experiment WHERE key = 'header_checksum'; PRAGMA user_version = 1;");
  read_everything(path);
  TraceCheck check = check_trace(path);
  EXPECT_TRUE(check.ok()) << (check.problems.empty() ? "" : check.problems.front());
  EXPECT_EQ(check.schema_version, 1);
  EXPECT_EQ(check.unchecked_rounds, 2u);

  auto w = TraceWriter::open_existing(path);
  w.append_round({2, false, 12.0}, std::vector<double>{0.1, 0.2}, std::vector<double>{0.3, 0.4});
  w.close();
  check = check_trace(path);
  EXPECT_TRUE(check.ok()) << (check.problems.empty() ? "" : check.problems.front());
  EXPECT_EQ(check.schema_version, 2);
  EXPECT_EQ(check.unchecked_rounds, 2u);
  // The migrated round is checked: editing it is caught.
  testing::exec_sql(path, "UPDATE rounds SET started_unix_s = 1 WHERE idx = 2");
  EXPECT_TRUE(RefusedAsCorrupt(path, "round 2: the round does not match its checksum"));
}

TEST(TraceIntegrity, AppendingToACorruptTraceIsRefused) {
  testing::TempDir dir;
  testing::exec_sql(make_trace(dir, 2, "v2.trace"), "UPDATE rounds SET warmup = 1 WHERE idx = 1");
  EXPECT_THROW(TraceWriter::open_existing(dir / "v2.trace"), StoreError);
  testing::exec_sql(make_trace(dir, 3, "v3.trace"),
                    "UPDATE round_blocks SET checksum = checksum + 1 WHERE first = 1");
  EXPECT_THROW(TraceWriter::open_existing(dir / "v3.trace"), StoreError);
}

// Every round read is checked value by value through a sum and a minimum (trace_schema.cpp):
// each kind of bad time, wherever it sits (even and odd places, the odd last one), is found and
// named by its own batch, and the good extremes pass.
// The BLOB checksum's fast form (AVX2 on CPUs that have it) gives the portable form's bits, for
// every length around XXH3's internal block sizes and a round's worth of times.
TEST(TraceIntegrity, TheFastChecksumIsThePortableOne) {
  std::mt19937_64 rng(7);
  std::vector<unsigned char> bytes(400000 + 64);
  for (unsigned char& b : bytes) b = static_cast<unsigned char>(rng());
  std::vector<std::size_t> lengths = {400000, 400001, 1024 * 1024 / 8};
  for (std::size_t n = 0; n <= 2100; n += n < 300 ? 1 : 37) lengths.push_back(n);
  for (std::size_t n : lengths) {
    for (std::size_t offset : {0, 3}) {
      if (offset + n > bytes.size()) continue;
      const std::uint64_t seed = rng();
      ASSERT_EQ(store::detail::xxh3_fast(bytes.data() + offset, n, seed),
                store::detail::xxh3_portable(bytes.data() + offset, n, seed))
          << n << " bytes at offset " << offset;
    }
  }
}

TEST(TraceIntegrity, EveryBadTimeIsFoundWhereverItSits) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (double bad : {std::nan(""), -1e-9, kInf, -kInf}) {
    // Every lane of the vector loop's two turns (eight values each), and the rest after them.
    for (std::size_t at = 0; at < 19; ++at) {
      std::vector<double> times(19);
      for (std::size_t b = 0; b < times.size(); ++b) times[b] = 0.1 * static_cast<double>(b + 1);
      times[at] = bad;
      const std::string problem = store::check_times(3, TimeKind::total, times, std::nullopt);
      EXPECT_NE(problem.find("batch " + std::to_string(at) + ":"), std::string::npos)
          << bad << " at " << at << ": " << problem;
    }
  }
  const double huge = std::numeric_limits<double>::max();
  for (const std::vector<double>& good :
       {std::vector<double>{-0.0, 0.0, 1e-300}, std::vector<double>(17, -0.0),
        std::vector<double>{huge, huge, huge}, std::vector<double>(17, huge)}) {
    EXPECT_EQ(store::check_times(3, TimeKind::total, good, std::nullopt), "");  // a sum of inf
  }
}

}  // namespace
}  // namespace tailq
