// Reading the instances and outputs on two connections (store/instance_rows.hpp): it gives what
// one connection reads, and it is refused, leaving the trace to the one-connection read that
// names the problem, whenever the two could disagree or something is wrong.
#include "store/instance_rows.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <optional>

#include "store/trace_schema.hpp"
#include "tailq/error.hpp"
#include "tailq/trace.hpp"
#include "test_util.hpp"

namespace tailq {
namespace {

// `count` instances in batches of 3, of outcome kind `kind`, every fifth without an input size.
std::filesystem::path make_trace(const testing::TempDir& dir, std::size_t count,
                                 Outcomes::Kind kind) {
  const auto path = dir / "t.trace";
  Experiment e{"m", "d", "b",
               kind == Outcomes::Kind::score  ? "score"
               : kind == Outcomes::Kind::none ? "on-time"
                                              : "accuracy"};
  std::vector<Instance> instances(count);
  Outcomes o;
  o.kind = kind;
  for (std::size_t i = 0; i < count; ++i) {
    instances[i].name = "instance-" + std::to_string(i * 7919 % 100003);
    instances[i].batch = static_cast<std::uint32_t>(i / 3);
    if (i % 5 != 0) instances[i].input_size = static_cast<double>(i) * 0.5;
    if (has_labels(kind)) {
      o.labels.push_back(std::to_string(i % 10));
      o.predictions.push_back(i % 4 == 0 ? "" : std::to_string(i % 7) + " 3 4");
    } else if (kind == Outcomes::Kind::score) {
      o.scores.push_back(static_cast<double>(i % 11) / 10);
    }
  }
  auto w = TraceWriter::create(path, e, instances, o);
  const std::vector<double> times((count + 2) / 3, 0.01);
  w.append_round({0, false, 10.0}, times, times);
  w.close();
  return path;
}

// What one read of the instance tables gives, inside a read transaction of its own.
struct Read {
  bool taken = false;  // load_instances_split: whether it read them
  store::LoadedTrace trace;
};

Read read_instances(const std::filesystem::path& path, bool split, std::size_t split_from = 2,
                    std::optional<std::uint64_t> stored = std::nullopt) {  // as stored
  std::optional<sqlite::Database> db;
  store::open_for_reading(path, db);
  const int version = store::read_schema_version(*db);
  db->exec("BEGIN");
  Read read;
  // The experiment as load_trace reads it; only the batch count and outcome kind matter here.
  store::Problems problems(path.string(), false);
  read.trace = store::load_trace(*db, version, problems);
  store::LoadedTrace& t = read.trace;
  t.instances.clear();
  t.batch_of_instance.clear();
  t.outcomes.labels.clear();
  t.outcomes.predictions.clear();
  t.outcomes.scores.clear();
  store::ValueHasher header;
  store::hash_experiment(*db, header);
  if (split) {
    if (!stored) {
      sqlite::Statement q(*db, "SELECT value FROM experiment WHERE key = 'header_checksum'");
      EXPECT_TRUE(q.step());
      stored = std::stoull(q.text(0));
    }
    read.taken = store::load_instances_split(*db, t, header, *stored, split_from);
  } else {
    read.taken = store::load_instances(*db, t, problems, header);
  }
  db->exec("COMMIT");
  return read;
}

void expect_same(const store::LoadedTrace& a, const store::LoadedTrace& b) {
  ASSERT_EQ(a.instances.size(), b.instances.size());
  for (std::size_t i = 0; i < a.instances.size(); ++i) {
    EXPECT_EQ(a.instances[i].name, b.instances[i].name) << i;
    EXPECT_EQ(a.instances[i].batch, b.instances[i].batch) << i;
    EXPECT_EQ(a.instances[i].input_size, b.instances[i].input_size) << i;
  }
  EXPECT_EQ(a.batch_of_instance, b.batch_of_instance);
  EXPECT_EQ(a.outcomes.labels, b.outcomes.labels);
  EXPECT_EQ(a.outcomes.predictions, b.outcomes.predictions);
  EXPECT_EQ(a.outcomes.scores, b.outcomes.scores);
}

// Edits a trace of 1,000 instances with `sql` (then stores its header checksum again when
// `restamp`, as a writer with a bug would): the split read refuses it, and a reader names
// `problem`.
void expect_left_to_one_connection(const std::string& sql, const std::string& problem,
                                   bool restamp) {
  testing::TempDir dir;
  const auto path = make_trace(dir, 1000, Outcomes::Kind::classification);
  testing::exec_sql(path, sql);
  if (restamp) {
    const sqlite::Database db(path.string(), SQLITE_OPEN_READWRITE);
    store::store_header_checksum(db);
  }
  EXPECT_FALSE(read_instances(path, true).taken);
  try {
    TraceReader trace(path);
    ADD_FAILURE() << "opened a corrupt trace";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(problem), std::string::npos) << e.what();
  }
}

TEST(InstanceRows, TwoConnectionsReadWhatOneReads) {
  for (const auto kind :
       {Outcomes::Kind::classification, Outcomes::Kind::score, Outcomes::Kind::none}) {
    for (const std::size_t count : {2, 3, 1000, 1001}) {
      SCOPED_TRACE(std::string(to_string(kind)) + ", " + std::to_string(count) + " instances");
      testing::TempDir dir;
      const auto path = make_trace(dir, count, kind);
      const Read one = read_instances(path, false), two = read_instances(path, true);
      ASSERT_TRUE(one.taken);
      ASSERT_TRUE(two.taken);
      ASSERT_EQ(two.trace.instances.size(), count);
      expect_same(one.trace, two.trace);
    }
  }
}

TEST(InstanceRows, ASmallTraceIsReadOnOneConnection) {
  testing::TempDir dir;
  const auto path = make_trace(dir, 100, Outcomes::Kind::classification);
  EXPECT_FALSE(read_instances(path, true, 101).taken);
  EXPECT_TRUE(read_instances(path, true, 100).taken);
}

TEST(InstanceRows, AReaderOpensLargeTracesAsBefore) {
  testing::TempDir dir;
  const auto path = make_trace(dir, store::kSplitInstancesFrom + 5, Outcomes::Kind::classification);
  const TraceReader trace(path);
  expect_same(read_instances(path, false).trace, [&] {
    store::LoadedTrace t;
    t.instances = trace.instances();
    t.batch_of_instance.assign(trace.batch_of_instance().begin(), trace.batch_of_instance().end());
    t.outcomes = trace.outcomes();
    return t;
  }());
  EXPECT_TRUE(read_instances(path, true, store::kSplitInstancesFrom).taken);
}

// In WAL mode a writer may commit between the two connections' snapshots.
TEST(InstanceRows, AWriteAheadLogTraceIsReadOnOneConnection) {
  testing::TempDir dir;
  const auto path = make_trace(dir, 1000, Outcomes::Kind::classification);
  testing::exec_sql(path, "PRAGMA journal_mode = WAL");
  EXPECT_FALSE(read_instances(path, true).taken);
}

TEST(InstanceRows, RowsThatDoNotHashToTheStoredChecksumAreLeftToOneConnection) {
  testing::TempDir dir;
  const auto path = make_trace(dir, 1000, Outcomes::Kind::classification);
  std::optional<sqlite::Database> db;
  store::open_for_reading(path, db);
  const std::uint64_t digest = store::header_checksum(*db);
  db.reset();
  EXPECT_TRUE(read_instances(path, true, 2, digest).taken);
  const Read read = read_instances(path, true, 2, digest + 1);
  EXPECT_FALSE(read.taken);
  EXPECT_TRUE(read.trace.instances.empty()) << "the refused read left instances behind";
}

// Each edit lies in the first or the second half of the rows, or spans both; the split read
// refuses them all, and the one-connection read names them as before.
TEST(InstanceRows, ProblemsInEitherHalfAreLeftToOneConnection) {
  const std::pair<const char*, const char*> edits[] = {
      {"UPDATE instances SET label = 'y' WHERE idx = 10", "do not match their checksum"},
      {"UPDATE instances SET label = 'y' WHERE idx = 990", "do not match their checksum"},
      {"DELETE FROM instances WHERE idx = 200", "indices are not 0..N-1 (instance 201"},
      {"DELETE FROM instances WHERE idx = 700", "indices are not 0..N-1 (instance 701"},
      {"DELETE FROM instances WHERE idx = 999", "batch 333 of 334 has no instance"},
      {"UPDATE instances SET idx = -1 WHERE idx = 0", "indices are not 0..N-1 (instance -1"},
      {"UPDATE instances SET idx = 5000 WHERE idx = 999", "indices are not 0..N-1 (instance 5000"},
      {"UPDATE instances SET batch = 9999 WHERE idx = 800", "batch 9999 outside"},
      {"UPDATE instances SET name = x'41' WHERE idx = 600", "instance 600: the name is not text"},
      {"DELETE FROM outputs WHERE instance = 900", "instance 900: no row in outputs"},
      {"INSERT INTO outputs VALUES (5000, '1', NULL)", "outputs: 1 rows for no instance"},
      {"UPDATE outputs SET prediction = x'00' WHERE instance = 100",
       "instance 100: the prediction is not text"},
      {"UPDATE instances SET batch = 0 WHERE idx BETWEEN 996 AND 999",
       "batch 332 of 334 has no instance"},
  };
  for (const auto& [sql, problem] : edits) {
    SCOPED_TRACE(sql);
    expect_left_to_one_connection(sql, problem, false);
  }
}

// Edits whose header checksum is stored again afterwards, as a writer with a bug would: only
// the row checks can tell, and the split read must make them as one connection does.
TEST(InstanceRows, ProblemsUnderAMatchingChecksumAreLeftToOneConnection) {
  const std::pair<const char*, const char*> edits[] = {
      {"UPDATE instances SET name = x'41' WHERE idx = 100", "instance 100: the name is not text"},
      {"UPDATE outputs SET prediction = x'00' WHERE instance = 900",
       "instance 900: the prediction is not text"},
      {"UPDATE instances SET batch = 9999 WHERE idx = 800", "batch 9999 outside"},
      {"DELETE FROM outputs WHERE instance = 300", "instance 300: no row in outputs"},
      {"DELETE FROM outputs WHERE instance = 700", "instance 700: no row in outputs"},
      {"INSERT INTO outputs VALUES (5000, '1', NULL)", "outputs: 1 rows for no instance"},
      // The first half ends early and the second starts where it should: rows 400..499 gone,
      // with their outputs, and every batch still used.
      {"DELETE FROM instances WHERE idx BETWEEN 400 AND 499; "
       "DELETE FROM outputs WHERE instance BETWEEN 400 AND 499; "
       "UPDATE instances SET batch = 0 WHERE idx >= 500; "
       "UPDATE experiment SET value = '134' WHERE key = 'batch_count'",
       "indices are not 0..N-1 (instance 500 follows 400 instances)"},
  };
  for (const auto& [sql, problem] : edits) {
    SCOPED_TRACE(sql);
    expect_left_to_one_connection(sql, problem, true);
  }
}

// SQLite finds a corrupt b-tree as it loads its pages, so what a connection reports depends on
// what it loaded before. A corrupt file opened with the split read tried first must get the
// refusal (or the rows) that the one-connection read gives alone: 200 bytes spread over a
// trace of 1,000 instances, each set to 0x00 and to 0xff in turn.
TEST(InstanceRows, ACorruptFileGetsTheSameAnswerWithTheSplitReadTriedFirst) {
  testing::TempDir dir;
  const auto path = make_trace(dir, 1000, Outcomes::Kind::classification);
  const std::string original = testing::read_file(path);
  auto open = [&](const std::filesystem::path& file, std::size_t split_from) {
    try {
      std::optional<sqlite::Database> db;
      store::open_for_reading(file, db);
      return std::to_string(
          store::load_checked(*db, store::read_schema_version(*db), split_from).instances.size());
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
  };
  const auto copy = dir / "corrupt.trace";
  int refused = 0;
  for (std::size_t at = 100; at < original.size(); at += original.size() / 200) {
    for (const char byte : {'\x00', '\xff'}) {
      std::string bytes = original;
      if (bytes[at] == byte) continue;
      bytes[at] = byte;
      testing::write_file(copy, bytes);
      const std::string one = open(copy, 0), two = open(copy, 2);
      EXPECT_EQ(one, two) << "byte " << at << " set to " << int(static_cast<unsigned char>(byte));
      refused += one != "1000";
    }
  }
  EXPECT_GT(refused, 20) << "too few of the corrupted files were refused to test anything";
}

}  // namespace
}  // namespace tailq
