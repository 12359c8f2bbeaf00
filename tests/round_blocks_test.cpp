// Schema version 3 (round blocks, docs/trace-format.md): a bulk writer packs many rounds per
// block and everything reads back exactly, across block boundaries and a last partial block;
// damage inside a packed block names its rounds; version 2 traces still read and take rounds.
#include "store/round_blocks.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "store/writer_access.hpp"
#include "tailq/check.hpp"
#include "tailq/error.hpp"
#include "tailq/trace.hpp"
#include "test_util.hpp"

namespace tailq {
namespace {

// 4 instances in 3 batches.
struct Shape {
  Experiment experiment{"m", "d", "b", "accuracy"};
  std::vector<Instance> instances;
  Outcomes outcomes;
  Shape() {
    const std::uint32_t batch[] = {0, 1, 1, 2};
    for (int i = 0; i < 4; ++i) {
      instances.push_back({"i" + std::to_string(i), batch[i], std::nullopt});
      outcomes.labels.push_back("x");
      outcomes.predictions.push_back("x");
    }
  }
};

// Every round's contents follow from its index, so that a reader can check any round alone.
// Round 12,345 is skipped: a gap starts a new block.
constexpr std::int64_t kRounds = 25'000;
bool exists(std::int64_t r) { return r != 12'345; }
RoundInfo info_of(std::int64_t r) {
  RoundInfo info{r, r < 2, 1e9 + static_cast<double>(r) / 3};
  if (r % 3 == 0) info.output_hash = 0xF000000000000000ull + static_cast<std::uint64_t>(r);
  if (r % 5 == 0) info.offered_qps = 10.0 + static_cast<double>(r);
  return info;
}
std::vector<double> times_of(std::int64_t r, double kind) {
  const auto x = static_cast<double>(r);
  return {x * 1e-6 + kind, x * 2e-6 + kind, x * 3e-6 + kind};
}
bool timed(std::int64_t r) { return r % 11 == 0; }
std::vector<QueryTiming> timings_of(std::int64_t r) {
  std::vector<QueryTiming> out;
  for (int i = 0; i < 4; ++i) {
    const double t = static_cast<double>(r) * 1e-3 + i;
    out.push_back({t, t + 1e-6, t + 2e-6, t + 3e-6});
  }
  return out;
}

std::int64_t query_int(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &q, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::int64_t value = -1;
  if (sqlite3_step(q) == SQLITE_ROW) value = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  sqlite3_close(db);
  return value;
}

std::filesystem::path write_bulk(const testing::TempDir& dir) {
  const Shape s;
  const auto path = dir / "bulk.trace";
  auto w = TraceWriter::create(path, s.experiment, s.instances, s.outcomes, false);
  for (std::int64_t r = 0; r < kRounds; ++r) {
    if (!exists(r)) continue;
    const std::vector<QueryTiming> timings = timed(r) ? timings_of(r) : std::vector<QueryTiming>{};
    w.append_round(info_of(r), times_of(r, 0), times_of(r, 1), {.timings = timings});
  }
  w.close();
  return path;
}

TEST(RoundBlocks, ABulkTraceReadsBackExactly) {
  testing::TempDir dir;
  const auto path = write_bulk(dir);
  // Many rounds per block, several blocks, and a last one that is only partly full.
  const std::int64_t blocks = query_int(path, "SELECT count(*) FROM round_blocks");
  EXPECT_GT(blocks, 3);
  EXPECT_LT(blocks, 100);
  EXPECT_LT(query_int(path, "SELECT count FROM round_blocks ORDER BY first DESC LIMIT 1"),
            query_int(path, "SELECT max(count) FROM round_blocks"));
  EXPECT_EQ(query_int(path, "SELECT first FROM round_blocks WHERE first = 12346"), 12346);
  EXPECT_EQ(query_int(path, "SELECT sum(measured) FROM round_blocks"), kRounds - 1 - 2);

  const TraceReader t(path);
  ASSERT_EQ(t.rounds().size(), static_cast<std::size_t>(kRounds - 1));
  std::vector<double> got(3);
  std::vector<QueryTiming> timeline(4);
  TimesCursor cursor(path, TimeKind::total);
  for (const RoundInfo& round : t.rounds()) {
    const std::int64_t r = round.index;
    const RoundInfo want = info_of(r);
    ASSERT_EQ(round.warmup, want.warmup) << r;
    ASSERT_EQ(round.started_unix_s, want.started_unix_s) << r;
    ASSERT_EQ(round.output_hash, want.output_hash) << r;
    ASSERT_EQ(round.offered_qps, want.offered_qps) << r;
    t.read_times(r, TimeKind::inference, got);
    ASSERT_EQ(got, times_of(r, 0)) << r;
    t.read_times(r, TimeKind::total, got);
    ASSERT_EQ(got, times_of(r, 1)) << r;
    cursor.read(r, got);
    ASSERT_EQ(got, times_of(r, 1)) << r;
    ASSERT_EQ(t.read_timings(r, timeline), timed(r)) << r;
    if (timed(r)) {
      const auto want_timeline = timings_of(r);
      for (int i = 0; i < 4; ++i) ASSERT_EQ(timeline[i].finished_s, want_timeline[i].finished_s);
    }
  }
  // Random access, backwards, and a round that is not there.
  for (const std::int64_t r : {24'999, 0, 12'344, 12'346, 7}) {
    t.read_times(r, TimeKind::total, got);
    EXPECT_EQ(got, times_of(r, 1)) << r;
    cursor.read(r, got);
    EXPECT_EQ(got, times_of(r, 1)) << r;
  }
  EXPECT_THROW(t.read_times(12'345, TimeKind::total, got), StoreError);
  EXPECT_THROW(cursor.read(12'345, got), StoreError);
  EXPECT_THROW(cursor.read(kRounds, got), StoreError);
  const TraceCheck check = check_trace(path);
  EXPECT_TRUE(check.ok()) << (check.problems.empty() ? "" : check.problems.front());
  EXPECT_EQ(check.schema_version, kTraceSchemaVersion);
  EXPECT_EQ(check.rounds, static_cast<std::size_t>(kRounds - 1));
}

// One byte of a packed block changed: check names the block's rounds, readers refuse it.
TEST(RoundBlocks, ADamagedByteInABlockNamesItsRounds) {
  testing::TempDir dir;
  const auto path = write_bulk(dir);
  const std::int64_t first =
      query_int(path, "SELECT first FROM round_blocks ORDER BY first LIMIT 1 OFFSET 1");
  const std::int64_t count = query_int(
      path, ("SELECT count FROM round_blocks WHERE first = " + std::to_string(first)).c_str());
  const std::string rounds = store::rounds_name(first, static_cast<std::size_t>(count));
  ASSERT_NE(rounds.find(" to "), std::string::npos);
  // (|| makes text: CAST keeps a BLOB.)
  testing::exec_sql(path,
                    "UPDATE inference_times SET seconds = CAST(substr(seconds, 1, 999) || x'55' || "
                    "substr(seconds, 1001) AS BLOB) WHERE first = " +
                        std::to_string(first));
  const TraceCheck check = check_trace(path);
  ASSERT_EQ(check.problem_count, 1u);
  EXPECT_EQ(check.problems[0], rounds + ": inference times do not match their checksum");
  const TraceReader t(path);  // the small tables are intact
  std::vector<double> got(3);
  try {
    t.read_times(first + count - 1, TimeKind::inference, got);
    FAIL() << "read a damaged block";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(rounds + ": inference times do not match"),
              std::string::npos)
        << e.what();
  }
  // The same for the packed metadata (a byte of a start time): the block checksum covers it.
  const std::string at = std::to_string(count + 10);
  testing::exec_sql(path, "UPDATE round_blocks SET info = CAST(substr(info, 1, " + at +
                              ") || x'77' || " + "substr(info, " + at +
                              " + 2) AS BLOB) WHERE first = " + std::to_string(first));
  EXPECT_NE(check_trace(path).problems.front().find(rounds + ": the block does not match"),
            std::string::npos);
  EXPECT_THROW(TraceReader{path}, StoreError);
}

// Appends rounds [first, last), a query timeline to those that are timed().
void append_rounds(TraceWriter& w, std::int64_t first, std::int64_t last) {
  for (std::int64_t r = first; r < last; ++r) {
    const std::vector<QueryTiming> timings = timed(r) ? timings_of(r) : std::vector<QueryTiming>{};
    w.append_round(info_of(r), times_of(r, 0), times_of(r, 1), {.timings = timings});
  }
}

// A version 2 trace (as tailq wrote it before round blocks) reads as before, takes appended
// rounds as version 2 rows, and stays a clean version 2 trace.
TEST(RoundBlocks, AVersionTwoTraceReadsAndResumes) {
  testing::TempDir dir;
  const Shape s;
  const auto path = dir / "v2.trace";
  {
    auto w = store::WriterAccess::create(path, s.experiment, s.instances, s.outcomes, true, 2);
    append_rounds(w, 0, 5);
    w.close();
  }
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM rounds"), 5);
  auto w = TraceWriter::open_existing(path);
  EXPECT_THROW(w.append_round(info_of(4), times_of(4, 0), times_of(4, 1)), StoreError);
  append_rounds(w, 5, 12);
  w.close();
  EXPECT_EQ(query_int(path, "PRAGMA user_version"), 2);
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM rounds"), 12);
  const TraceReader t(path);
  ASSERT_EQ(t.rounds().size(), 12u);
  std::vector<double> got(3);
  std::vector<QueryTiming> timeline(4);
  for (const RoundInfo& round : t.rounds()) {
    EXPECT_EQ(round.output_hash, info_of(round.index).output_hash);
    EXPECT_EQ(round.offered_qps, info_of(round.index).offered_qps);
    t.read_times(round.index, TimeKind::total, got);
    EXPECT_EQ(got, times_of(round.index, 1));
    EXPECT_EQ(t.read_timings(round.index, timeline), timed(round.index));
  }
  const TraceCheck check = check_trace(path);
  EXPECT_TRUE(check.ok()) << (check.problems.empty() ? "" : check.problems.front());
  EXPECT_EQ(check.schema_version, 2);
}

// A version 3 trace (checksums after the BLOBs) reads, takes appended rounds as version 3
// blocks, and stays a clean version 3 trace.
TEST(RoundBlocks, AVersionThreeTraceReadsAndResumes) {
  testing::TempDir dir;
  const Shape s;
  const auto path = dir / "v3.trace";
  {
    auto w = store::WriterAccess::create(path, s.experiment, s.instances, s.outcomes, true, 3);
    append_rounds(w, 0, 5);
    w.close();
  }
  auto w = TraceWriter::open_existing(path);
  append_rounds(w, 5, 9);
  w.close();
  EXPECT_EQ(query_int(path, "PRAGMA user_version"), 3);
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM round_blocks"), 9);
  const TraceReader t(path);
  ASSERT_EQ(t.rounds().size(), 9u);
  std::vector<double> got(3);
  std::vector<QueryTiming> timeline(4);
  for (const RoundInfo& round : t.rounds()) {
    t.read_times(round.index, TimeKind::inference, got);
    EXPECT_EQ(got, times_of(round.index, 0));
    t.read_times(round.index, TimeKind::total, got);
    EXPECT_EQ(got, times_of(round.index, 1));
    EXPECT_EQ(t.read_timings(round.index, timeline), timed(round.index));
  }
  const TraceCheck check = check_trace(path);
  EXPECT_TRUE(check.ok()) << (check.problems.empty() ? "" : check.problems.front());
  EXPECT_EQ(check.schema_version, 3);
}

// A writer that commits per round stores one round per block (crash safety as before), and a
// new trace reopened by a writer stays in the current version.
TEST(RoundBlocks, PerRoundWritersStoreOneRoundBlocks) {
  testing::TempDir dir;
  const Shape s;
  const auto path = dir / "live.trace";
  auto w = TraceWriter::create(path, s.experiment, s.instances, s.outcomes);
  w.append_round(info_of(0), times_of(0, 0), times_of(0, 1));
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM round_blocks"), 1);  // committed at once
  w.append_round(info_of(1), times_of(1, 0), times_of(1, 1));
  w.close();
  auto again = TraceWriter::open_existing(path);
  again.append_round(info_of(2), times_of(2, 0), times_of(2, 1));
  again.close();
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM round_blocks WHERE count = 1"), 3);
  EXPECT_EQ(query_int(path, "PRAGMA user_version"), kTraceSchemaVersion);
  EXPECT_TRUE(check_trace(path).ok());
}

}  // namespace
}  // namespace tailq
