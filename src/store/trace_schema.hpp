// What a valid trace looks like, and the loader that reads its small tables while checking
// them. TraceReader, TraceWriter::open_existing and `tailq check` share it, so a command never
// computes on a trace that `tailq check` would call corrupt. Private to src/store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "store/checksum.hpp"
#include "store/round_blocks.hpp"
#include "store/sqlite.hpp"
#include "tailq/trace.hpp"

namespace tailq::store {

// 'tail' in ASCII: marks the file as a tailq trace.
inline constexpr int kApplicationId = 0x7461696c;

// The CREATE statements of schema `version` (2 to 4) as a writer makes them: 4 for new traces,
// 2 and 3 for the tests of the readers and writers of older traces.
const char* schema_sql(int version);

// The problems found in a trace. A strict list (the readers) throws StoreError at the first,
// "<trace>: corrupt trace: <problem> (tailq check <trace> lists every problem)"; a collecting
// one (`tailq check`) keeps them all.
class Problems {
 public:
  Problems(std::string path, bool strict) : path_(std::move(path)), strict_(strict) {}
  void add(const std::string& problem);
  const std::vector<std::string>& all() const { return problems_; }
  bool empty() const { return problems_.empty(); }
  std::size_t count() const { return count_; }

 private:
  std::string path_;
  bool strict_;
  std::vector<std::string> problems_;
  std::size_t count_ = 0;  // problems_ keeps the first kMaxKept
};

// Opens a trace for reading: read-only, without memory mapping. When the last writer died at a
// moment that leaves the WAL index for a writable connection to rebuild (SQLite answers
// SQLITE_READONLY_* to a read-only one), and the file is writable, it opens read-write instead:
// SQLite's recovery runs, nothing else is written (no checkpoint when it closes).
void open_for_reading(const std::filesystem::path& path, std::optional<sqlite::Database>& db);

// Application id and schema version (1 to 3); throws StoreError for a file that is no trace of
// a version this tailq reads: nothing else can be checked then.
int read_schema_version(const sqlite::Database& db);

// Exactly the tables and columns of `version`, and no views or triggers.
void check_tables(const sqlite::Database& db, int version, Problems& problems);

// Versions 1 and 2: one round's checksums as stored (absent in version 1 and in rounds
// migrated from it).
struct StoredRound {
  std::optional<std::uint64_t> checksum;
  std::optional<std::uint64_t> inference_checksum, total_checksum, query_checksum;
  bool has_query = false;
};

// Version 3: one block of consecutive rounds (docs/trace-format.md, "Round blocks").
struct StoredBlock {
  std::int64_t first = 0;
  std::size_t count = 0;
  std::size_t position = 0;  // of its first round in LoadedTrace::rounds
  std::uint64_t inference_checksum = 0, total_checksum = 0;
  std::optional<std::uint64_t> query_checksum;  // when some round has a query timeline
  std::size_t query_rounds = 0;                 // the rounds with a query timeline
};

struct LoadedTrace {
  int version = 0;
  Experiment experiment;
  std::vector<Instance> instances;
  std::vector<std::uint32_t> batch_of_instance;
  std::size_t batch_count = 0;
  Outcomes outcomes;
  std::vector<RoundInfo> rounds;    // ascending index
  std::vector<StoredRound> stored;  // versions 1 and 2: one per round
  std::vector<StoredBlock> blocks;  // version 3, ascending
  std::vector<std::uint8_t> flags;  // version 3: one per round (RoundFlag bits)
  RoundTags tags;                   // version 3: nodes and end times, when rounds have them
  // Rounds below this index carry no checksums (written as schema version 1).
  std::int64_t checksums_from_round = std::numeric_limits<std::int64_t>::min();

  // The position of round `index` in `rounds`, or rounds.size(). `hint` is a position to try
  // first (readers ask for rounds in order).
  std::size_t position(std::int64_t index, std::size_t hint = 0) const;
  // Version 3: the block that holds the round at `position`.
  std::size_t block_of(std::size_t position, std::size_t hint = 0) const;
};

// Reads the experiment, instances, outputs and rounds, checking on the way everything that
// needs no BLOB content: required keys, dense instances and batches, one output per instance,
// both time BLOBs of every round present and of the right size, no orphan BLOBs, and the round
// and header checksums. Call check_tables first.
// `round_list` false (`tailq check` of a version 3 trace): `rounds` stays empty, `flags` and
// `blocks` say what it would hold. `split_instances_from` > 0: a trace of that many instances
// or more reads them on two connections when it can (load_instances_split, instance_rows.hpp),
// for a caller inside a read transaction.
LoadedTrace load_trace(const sqlite::Database& db, int version, Problems& problems,
                       bool round_list = true, std::size_t split_instances_from = 0);

// Version 3's part of load_trace: the blocks and their rounds (block_schema.cpp).
void load_blocks(const sqlite::Database& db, LoadedTrace& t, Problems& problems, bool round_list);

// load_trace with the strict list, in one read transaction, so that a trace being written is
// seen as of one moment (the first measured round updates the outputs with its own row). A
// reader passes kSplitInstancesFrom (instance_rows.hpp); a writer's connection keeps 0.
LoadedTrace load_checked(const sqlite::Database& db, int version,
                         std::size_t split_instances_from = 0);

// The header checksum of the experiment, instances and outputs tables (see checksum.hpp).
std::uint64_t header_checksum(const sqlite::Database& db);
// Its first part: the experiment table, fed to `hasher`.
void hash_experiment(const sqlite::Database& db, ValueHasher& hasher);
// Stores it (key `header_checksum`), inside the caller's transaction.
void store_header_checksum(const sqlite::Database& db);

// Checks one round's times as read: `bytes` against the stored checksum (when there is one),
// and every value finite and >= 0. Returns the problem, or an empty string.
std::string check_times(std::int64_t round, TimeKind kind, std::span<const double> times,
                        const std::optional<std::uint64_t>& stored_checksum);
// The same for a query timeline, which must also be in order: scheduled <= issued <= started <=
// finished for every instance.
std::string check_timings(std::int64_t round, std::span<const QueryTiming> timings,
                          const std::optional<std::uint64_t>& stored_checksum);

// Version 3: a block's BLOB of `kind` as read, against the checksum loaded with the block.
// Returns the problem (naming the block's rounds), or an empty string; the values are checked
// per round with check_times.
std::string check_block_blob(const StoredBlock& block, BlobKind kind, const void* data,
                             std::size_t bytes);

}  // namespace tailq::store
