// The trace readers: TraceReader (the small tables at open, round times on demand) and
// TimesCursor (times only, one per worker thread). Version 3 traces are read a block of rounds
// at a time (docs/trace-format.md, "Round blocks"), older ones a window of round rows.
#include <algorithm>
#include <climits>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "store/checksum.hpp"
#include "store/instance_rows.hpp"
#include "store/round_blocks.hpp"
#include "store/sqlite.hpp"
#include "store/trace_schema.hpp"
#include "tailq/output_path.hpp"
#include "tailq/trace.hpp"

namespace tailq {
namespace {

using store::BlobKind;
using store::from_stored;

const char* times_table(TimeKind kind) {
  return kind == TimeKind::inference ? "inference_times" : "total_times";
}

// Opens a trace read-only and checks its application id and version; returns the version.
int open_read_only(const std::filesystem::path& path, std::optional<sqlite::Database>& db) {
  if (!std::filesystem::exists(path)) throw StoreError(path.string() + ": no such trace file");
  check_input_file(path, "trace file");
  store::open_for_reading(path, db);
  return store::read_schema_version(*db);
}

// Refuses times that are not what was measured, with the readers' one-line message.
void verify(const std::string& path, const std::string& problem) {
  if (!problem.empty()) {
    throw StoreError(path + ": corrupt trace: " + problem + " (tailq check " + path +
                     " lists every problem)");
  }
}

// Version 3: the last block read of one BLOB kind, decoded and verified, so that reading its
// rounds one after another costs one SQLite read per block.
struct CachedBlock {
  store::StoredBlock block;
  bool valid = false;
  std::vector<double> values;
  std::optional<sqlite::Statement> read;  // prepared once

  bool holds(std::int64_t round) const {
    return valid && round >= block.first &&
           static_cast<std::uint64_t>(round - block.first) < block.count;
  }
};

// Reads `block`'s BLOB of `kind` from `table` into `into` (its size in bytes expected), checked
// against the block's checksum; `read` is the statement that selects the BLOB, prepared once.
void read_blob(const sqlite::Database& db, std::optional<sqlite::Statement>& read,
               const char* table, const store::StoredBlock& block, BlobKind kind,
               std::span<double> into) {
  // The incremental BLOB interface reads the value straight into `into` (SQLite reads overflow
  // pages into the caller's buffer); a value it cannot open, or of another size, takes the
  // statement below, which names what is wrong.
  sqlite3_blob* handle = nullptr;
  if (sqlite3_blob_open(db.get(), "main", table, "seconds", block.first, 0, &handle) == SQLITE_OK) {
    const bool whole =
        static_cast<std::size_t>(sqlite3_blob_bytes(handle)) == into.size_bytes() &&
        into.size_bytes() <= INT_MAX &&
        sqlite3_blob_read(handle, into.data(), static_cast<int>(into.size_bytes()), 0) == SQLITE_OK;
    sqlite3_blob_close(handle);  // ends the read transaction, so that a live writer can checkpoint
    if (whole) {
      verify(db.path(), store::check_block_blob(block, kind, into.data(), into.size_bytes()));
      return;
    }
  } else {
    sqlite3_blob_close(handle);  // null or a handle in error: both may be closed
  }
  if (!read) {
    read.emplace(db, (std::string("SELECT seconds FROM ") + table + " WHERE first = ?").c_str());
  }
  sqlite::Statement& q = *read;
  q.bind(1, block.first);
  try {
    if (!q.step()) {
      throw StoreError(db.path() + ": " + store::rounds_name(block.first, block.count) +
                       " have no " + table + " row");
    }
    const std::string_view blob = q.blob(0);
    if (blob.size() != into.size_bytes()) {
      verify(db.path(), store::rounds_name(block.first, block.count) + ": " + table + " holds " +
                            std::to_string(blob.size()) + " bytes, expected " +
                            std::to_string(into.size_bytes()));
    }
    if (!blob.empty()) std::memcpy(into.data(), blob.data(), blob.size());
  } catch (...) {
    q.reset();
    throw;
  }
  q.reset();  // ends the read transaction, so that a live writer can checkpoint
  verify(db.path(), store::check_block_blob(block, kind, into.data(), into.size_bytes()));
}

// Reads `block`'s BLOB into `cache`, `bytes` long.
void load_blob(const sqlite::Database& db, const char* table, const store::StoredBlock& block,
               BlobKind kind, std::size_t bytes, CachedBlock& cache) {
  cache.valid = false;
  cache.values.resize(bytes / sizeof(double));
  read_blob(db, cache.read, table, block, kind, cache.values);
  cache.block = block;
  cache.valid = true;
}

// Round times read ahead: a miss after a forward step reads the next `window` stored rows with
// one statement, doubling the window up to kReadaheadValues times; a backward step resets it
// to one row. A lookup per round (an incremental-blob reopen, a query) cost more than the whole
// row of a one-instance round, so 10^6 tiny rounds took seconds; rows read together cost what
// their values do, and random access still reads one row at a time.
constexpr std::size_t kReadaheadValues = std::size_t{1} << 14;

class RoundWindow {
 public:
  RoundWindow(TimeKind kind, int version, std::size_t batches)
      : kind_(kind),
        batches_(batches),
        cap_(std::max<std::size_t>(1, kReadaheadValues / std::max<std::size_t>(1, batches))),
        sql_(std::string("SELECT round, seconds, ") + (version >= 2 ? "checksum" : "NULL") +
             " FROM " + times_table(kind) + " WHERE round >= ? ORDER BY round LIMIT ?") {}

  // Copies round `round`'s times into `out` (batches entries); returns the checksum stored in
  // its row, when that is an integer.
  std::optional<std::uint64_t> read(const sqlite::Database& db, std::int64_t round,
                                    std::span<double> out) {
    const bool forward = round > last_;
    last_ = round;
    std::size_t at = find(round);
    if (at == kMissing) {
      window_ = forward ? std::min(cap_, window_ * 2) : 1;
      fill(db, round);
      at = find(round);
      if (at == kMissing) {
        throw StoreError(db.path() + ": round " + std::to_string(round) + " has no " +
                         std::string(to_string(kind_)) + " times");
      }
    }
    const auto expected = static_cast<std::int64_t>(out.size() * sizeof(double));
    if (bytes_[at] != expected || out.size() != batches_) {
      throw StoreError(db.path() + ": corrupt trace: round " + std::to_string(round) + ": " +
                       std::string(to_string(kind_)) + " times hold " + std::to_string(bytes_[at]) +
                       " bytes, expected " + std::to_string(expected));
    }
    std::copy_n(times_.begin() + static_cast<std::ptrdiff_t>(at * batches_), out.size(),
                out.begin());
    return has_checksum_[at] ? std::optional(checksum_[at]) : std::nullopt;
  }

 private:
  static constexpr std::size_t kMissing = static_cast<std::size_t>(-1);

  std::size_t find(std::int64_t round) {
    // Sequential readers ask for the row after the one found last.
    if (hint_ < rounds_.size() && rounds_[hint_] == round) return hint_++;
    const auto it = std::lower_bound(rounds_.begin(), rounds_.end(), round);
    if (it == rounds_.end() || *it != round) return kMissing;
    hint_ = static_cast<std::size_t>(it - rounds_.begin()) + 1;
    return hint_ - 1;
  }

  void fill(const sqlite::Database& db, std::int64_t first) {
    if (!scan_) scan_.emplace(db, sql_.c_str());
    rounds_.clear();
    bytes_.clear();
    checksum_.clear();
    has_checksum_.clear();
    times_.resize(window_ * batches_);
    hint_ = 0;
    sqlite::Statement& q = *scan_;
    q.bind(1, first).bind(2, static_cast<std::int64_t>(window_));
    try {
      while (q.step()) {
        // sqlite3_blob_open, which this replaced, took BLOB and TEXT values; anything else
        // counts as no times.
        if (q.type(1) != SQLITE_BLOB && q.type(1) != SQLITE_TEXT) continue;
        const std::string_view value = q.blob(1);
        const std::size_t row = rounds_.size();
        rounds_.push_back(q.int64(0));
        bytes_.push_back(static_cast<std::int64_t>(value.size()));
        if (value.size() == batches_ * sizeof(double)) {
          std::memcpy(times_.data() + row * batches_, value.data(), value.size());
        }
        const bool integer = q.type(2) == SQLITE_INTEGER;
        has_checksum_.push_back(integer);
        checksum_.push_back(integer ? from_stored(q.int64(2)) : 0);
      }
    } catch (...) {
      q.reset();
      throw;
    }
    q.reset();  // ends the read transaction, so that a live writer can checkpoint
  }

  TimeKind kind_;
  std::size_t batches_;
  std::size_t cap_;
  std::string sql_;
  std::optional<sqlite::Statement> scan_;
  std::size_t window_ = 1, hint_ = 0;
  std::int64_t last_ = std::numeric_limits<std::int64_t>::max();
  std::vector<std::int64_t> rounds_, bytes_;
  std::vector<std::uint64_t> checksum_;
  std::vector<std::uint8_t> has_checksum_;
  std::vector<double> times_;
};

}  // namespace

struct TraceReader::Impl {
  explicit Impl(const std::filesystem::path& p) : path(p) {
    const int version = open_read_only(p, db);
    trace = store::load_checked(*db, version, store::kSplitInstancesFrom);
  }
  std::filesystem::path path;
  std::optional<sqlite::Database> db;
  store::LoadedTrace trace;
  // After `db`, so that their statements are finalized before it closes.
  mutable std::optional<RoundWindow> window[2];  // versions 1 and 2
  mutable CachedBlock cache[3];                  // version 3, by BlobKind
  mutable std::size_t hint = 0, block_hint = 0;

  // The position of round `index` in trace.rounds; throws when there is none.
  std::size_t position(std::int64_t index, const char* what) const {
    const std::size_t at = trace.position(index, hint);
    if (at == trace.rounds.size()) {
      throw StoreError(path.string() + ": round " + std::to_string(index) + " has no " + what);
    }
    hint = at + 1;
    return at;
  }
  // Version 3: the block of the round at `at`, its BLOB of `kind` read into the cache.
  const CachedBlock& block(std::size_t at, BlobKind kind) const {
    CachedBlock& cached = cache[static_cast<int>(kind)];
    const std::size_t b = trace.block_of(at, block_hint);
    block_hint = b;
    const store::StoredBlock& stored = trace.blocks[b];
    if (cached.valid && cached.block.first == stored.first) return cached;
    const std::size_t bytes =
        kind == BlobKind::query ? stored.query_rounds * trace.instances.size() * sizeof(QueryTiming)
                                : stored.count * trace.batch_count * sizeof(double);
    const char* table = kind == BlobKind::query       ? "query_times"
                        : kind == BlobKind::inference ? "inference_times"
                                                      : "total_times";
    load_blob(*db, table, stored, kind, bytes, cached);
    return cached;
  }
  // Version 3: round `index`'s query timeline, false when it has none.
  bool block_timings(std::int64_t index, std::span<QueryTiming> out) const {
    const std::size_t at = trace.position(index, hint);
    if (at == trace.rounds.size() || (trace.flags[at] & store::kQueryFlag) == 0) return false;
    const CachedBlock& cached = block(at, BlobKind::query);
    if (query_place_of != cached.block.first) {
      query_place_of = cached.block.first;
      // Each round's place among the block's rounds that have a timeline.
      query_place.assign(cached.block.count, 0);
      std::size_t place = 0;
      for (std::size_t k = 0; k < cached.block.count; ++k) {
        query_place[k] = place;
        place += (trace.flags[cached.block.position + k] & store::kQueryFlag) != 0;
      }
    }
    const std::size_t place = query_place[at - cached.block.position];
    std::memcpy(static_cast<void*>(out.data()), cached.values.data() + place * out.size() * 4,
                out.size_bytes());
    verify(path.string(), store::check_timings(index, out, std::nullopt));
    return true;
  }
  mutable std::vector<std::size_t> query_place;  // of the rounds of block `query_place_of`
  mutable std::int64_t query_place_of = std::numeric_limits<std::int64_t>::min();
};

TraceReader::TraceReader(const std::filesystem::path& path) : impl_(std::make_unique<Impl>(path)) {}
TraceReader::TraceReader(TraceReader&&) noexcept = default;
TraceReader::~TraceReader() = default;

const std::filesystem::path& TraceReader::path() const { return impl_->path; }
const Experiment& TraceReader::experiment() const { return impl_->trace.experiment; }
const std::vector<Instance>& TraceReader::instances() const { return impl_->trace.instances; }
std::span<const std::uint32_t> TraceReader::batch_of_instance() const {
  return impl_->trace.batch_of_instance;
}
std::size_t TraceReader::batch_count() const { return impl_->trace.batch_count; }
const Outcomes& TraceReader::outcomes() const { return impl_->trace.outcomes; }
const std::vector<RoundInfo>& TraceReader::rounds() const { return impl_->trace.rounds; }
std::span<const std::uint32_t> TraceReader::round_nodes() const { return impl_->trace.tags.nodes; }
std::span<const double> TraceReader::round_ends() const { return impl_->trace.tags.ended_unix_s; }

void TraceReader::read_times(std::int64_t round_index, TimeKind kind, std::span<double> out) const {
  const Impl& d = *impl_;
  const std::size_t batches = d.trace.batch_count;
  if (out.size() != batches) {
    throw StoreError(d.path.string() + ": read_times: " + std::to_string(out.size()) +
                     " places for the times of " + std::to_string(batches) + " batches");
  }
  const bool inference = kind == TimeKind::inference;
  if (d.trace.version >= 3) {
    const std::size_t at = d.position(round_index, inference ? "inference times" : "total times");
    const CachedBlock& cached = d.block(at, inference ? BlobKind::inference : BlobKind::total);
    const std::size_t offset = (at - cached.block.position) * batches;
    std::copy_n(cached.values.begin() + static_cast<std::ptrdiff_t>(offset), batches, out.begin());
    verify(d.path.string(), store::check_times(round_index, kind, out, std::nullopt));
    return;
  }
  auto& window = d.window[inference ? 0 : 1];
  if (!window) window.emplace(kind, d.trace.version, batches);
  window->read(*d.db, round_index, out);
  const std::size_t at = d.trace.position(round_index, d.hint);
  std::optional<std::uint64_t> stored;
  if (at < d.trace.stored.size()) {
    d.hint = at + 1;
    stored = inference ? d.trace.stored[at].inference_checksum : d.trace.stored[at].total_checksum;
  }
  verify(d.path.string(), store::check_times(round_index, kind, out, stored));
}

bool TraceReader::read_timings(std::int64_t round_index, std::span<QueryTiming> out) const {
  const Impl& d = *impl_;
  if (d.trace.version == 1) return false;
  if (out.size() != d.trace.instances.size()) {
    throw StoreError(d.path.string() + ": read_timings: " + std::to_string(out.size()) +
                     " places for the timings of " + std::to_string(d.trace.instances.size()) +
                     " instances");
  }
  if (d.trace.version >= 3) return d.block_timings(round_index, out);
  sqlite::Statement q(*d.db, "SELECT seconds FROM query_times WHERE round = ?");
  q.bind(1, round_index);
  if (!q.step()) return false;
  const std::string_view bytes = q.blob(0);
  if (bytes.size() != out.size_bytes()) {
    throw StoreError(d.path.string() + ": corrupt trace: round " + std::to_string(round_index) +
                     ": query timings hold " + std::to_string(bytes.size()) + " bytes, expected " +
                     std::to_string(out.size_bytes()));
  }
  std::memcpy(out.data(), bytes.data(), bytes.size());
  const std::size_t at = d.trace.position(round_index);
  verify(d.path.string(),
         store::check_timings(
             round_index, out,
             at < d.trace.stored.size() ? d.trace.stored[at].query_checksum : std::nullopt));
  return true;
}

struct TimesCursor::Impl {
  Impl(const std::filesystem::path& path, TimeKind k) : kind(k) {
    version = open_read_only(path, db);
  }
  std::optional<sqlite::Database> db;
  int version = 0;
  TimeKind kind;
  std::optional<RoundWindow> window;  // versions 1 and 2, sized by the first read
  // Version 3: the block that holds a round, found by its first round and checked against the
  // checksum in its row (the block checksum that covers it is checked by load_trace, which
  // every command runs first).
  std::optional<sqlite::Statement> find;
  CachedBlock cache;
};

TimesCursor::TimesCursor(const std::filesystem::path& path, TimeKind kind)
    : impl_(std::make_unique<Impl>(path, kind)) {}
TimesCursor::TimesCursor(TimesCursor&&) noexcept = default;
TimesCursor::~TimesCursor() = default;

void TimesCursor::read(std::int64_t round_index, std::span<double> out) {
  Impl& d = *impl_;
  if (d.version < 3) {
    if (!d.window) d.window.emplace(d.kind, d.version, out.size());
    const std::optional<std::uint64_t> stored = d.window->read(*d.db, round_index, out);
    verify(d.db->path(), store::check_times(round_index, d.kind, out, stored));
    return;
  }
  const bool inference = d.kind == TimeKind::inference;
  if (!d.cache.holds(round_index)) {
    if (!d.find) {
      d.find.emplace(
          *d.db, (std::string("SELECT b.first, b.count, t.checksum FROM ") + times_table(d.kind) +
                  " t JOIN round_blocks b ON b.first = t.first WHERE t.first <= ? "
                  "ORDER BY t.first DESC LIMIT 1")
                     .c_str());
    }
    store::StoredBlock block;
    sqlite::Statement& q = *d.find;
    q.bind(1, round_index);
    const bool found = q.step();
    if (found) {
      block.first = q.int64(0);
      block.count = static_cast<std::size_t>(std::max<std::int64_t>(0, q.int64(1)));
      (inference ? block.inference_checksum : block.total_checksum) = from_stored(q.int64(2));
    }
    q.reset();
    if (!found || static_cast<std::uint64_t>(round_index - block.first) >= block.count) {
      throw StoreError(d.db->path() + ": round " + std::to_string(round_index) + " has no " +
                       std::string(to_string(d.kind)) + " times");
    }
    const BlobKind blob_kind = inference ? BlobKind::inference : BlobKind::total;
    if (block.count == 1) {  // the round's own block: straight into `out`, with no copy between
      d.cache.valid = false;
      read_blob(*d.db, d.cache.read, times_table(d.kind), block, blob_kind, out);
      verify(d.db->path(), store::check_times(round_index, d.kind, out, std::nullopt));
      return;
    }
    load_blob(*d.db, times_table(d.kind), block, blob_kind,
              block.count * out.size() * sizeof(double), d.cache);
  }
  const auto offset = static_cast<std::size_t>(round_index - d.cache.block.first) * out.size();
  std::copy_n(d.cache.values.begin() + static_cast<std::ptrdiff_t>(offset), out.size(),
              out.begin());
  verify(d.db->path(), store::check_times(round_index, d.kind, out, std::nullopt));
}

}  // namespace tailq
