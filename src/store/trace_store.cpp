// The trace store: one SQLite file per experiment, in WAL mode. Each round's per-batch times
// are one BLOB of little-endian doubles per time kind, in its own table keyed by round, so a
// reader fetches one kind of a run of rounds with one range scan of that table.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "store/checksum.hpp"
#include "store/sqlite.hpp"
#include "store/trace_schema.hpp"
#include "store/writer_lock.hpp"
#include "tailq/output_path.hpp"
#include "tailq/run_options.hpp"
#include "tailq/trace.hpp"

namespace tailq {

static_assert(std::endian::native == std::endian::little,
              "round times are stored as native little-endian doubles");

namespace {

using store::BlobKind;
using store::from_stored;
using store::to_stored;

// What version 2 added to version 1. Rounds written before carry no checksums: the experiment
// notes from which round on they do.
constexpr const char* kMigrateFrom1 = R"sql(
ALTER TABLE rounds ADD COLUMN offered_qps REAL;
ALTER TABLE rounds ADD COLUMN checksum INTEGER;
ALTER TABLE inference_times ADD COLUMN checksum INTEGER;
ALTER TABLE total_times ADD COLUMN checksum INTEGER;
CREATE TABLE query_times(round INTEGER PRIMARY KEY REFERENCES rounds(idx), seconds BLOB NOT NULL,
                         checksum INTEGER);
INSERT INTO experiment(key, value) VALUES ('migrated_from_version', '1');
INSERT INTO experiment(key, value)
  SELECT 'checksums_from_round', coalesce(max(idx) + 1, 0) FROM rounds;
PRAGMA user_version = 2;
)sql";

// One writer per file and no concurrent calls (see TraceWriter), so SQLite's connection mutex,
// taken by every bind and step of a million-round import, buys nothing.
constexpr int kWriterFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

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

// Reads and checks the small tables in one read transaction, so that a trace being written is
// seen as of one moment (the first measured round updates the outputs with its own row).
store::LoadedTrace load_checked(const sqlite::Database& db, int version) {
  store::Problems problems(db.path(), true);
  db.exec("BEGIN");
  try {
    store::check_tables(db, version, problems);
    store::LoadedTrace trace = store::load_trace(db, version, problems);
    db.exec("COMMIT");
    return trace;
  } catch (...) {
    sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace

std::string_view to_string(TimeKind kind) {
  return kind == TimeKind::inference ? "inference" : "total";
}

namespace {
constexpr std::pair<Outcomes::Kind, std::string_view> kOutcomeKinds[] = {
    {Outcomes::Kind::classification, "classification"},
    {Outcomes::Kind::score, "score"},
    {Outcomes::Kind::text, "text"},
    {Outcomes::Kind::ranking, "ranking"},
    {Outcomes::Kind::none, "none"},
    {Outcomes::Kind::detection, "detection"},
};
}  // namespace

std::string_view to_string(Outcomes::Kind kind) {
  for (const auto& [k, name] : kOutcomeKinds)
    if (k == kind) return name;
  return "classification";
}

std::optional<Outcomes::Kind> parse_outcome_kind(std::string_view text) {
  for (const auto& [k, name] : kOutcomeKinds)
    if (name == text) return k;
  return std::nullopt;
}

bool has_labels(Outcomes::Kind kind) {
  return kind == Outcomes::Kind::classification || kind == Outcomes::Kind::text ||
         kind == Outcomes::Kind::ranking || kind == Outcomes::Kind::detection;
}

TimeKind parse_time_kind(std::string_view text) {
  if (text == "inference") return TimeKind::inference;
  if (text == "total") return TimeKind::total;
  throw OptionError("time", "expected 'inference' or 'total', got '" + std::string(text) + "'");
}

// ---------------------------------------------------------------------------------------------
// Writer

struct TraceWriter::Impl {
  Impl(store::WriterLock writer_lock, sqlite::Database database, std::size_t batches,
       std::size_t instances)
      : lock(std::move(writer_lock)),
        db(std::move(database)),
        batch_count(batches),
        instance_count(instances) {}
  // Declared first, so it is released after the connection closes (see writer_lock.hpp).
  store::WriterLock lock;
  sqlite::Database db;
  std::size_t batch_count = 0;
  std::size_t instance_count = 0;
  // A bulk writer (sync_each_round false: import and generate, into a temporary file) keeps one
  // transaction open from create() to close(): a commit per round would write every touched
  // 64 KiB page to the WAL again, which made 10^6 one-instance rounds cost minutes. A round
  // that fails then fails the whole file, which its caller discards.
  bool bulk = false;
  // Prepared once, after `db` so that they are finalized before it closes: parsing the SQL
  // again for every round cost more than storing a small round.
  std::optional<sqlite::Statement> insert_round, insert_inference, insert_total, insert_query;

  sqlite::Statement& statement(std::optional<sqlite::Statement>& slot, const char* sql) {
    if (!slot) slot.emplace(db, sql);
    slot->reset();  // a round that failed may have left it mid-step
    return *slot;
  }
};

TraceWriter::TraceWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TraceWriter::TraceWriter(TraceWriter&&) noexcept = default;
TraceWriter& TraceWriter::operator=(TraceWriter&&) noexcept = default;
TraceWriter::~TraceWriter() = default;

TraceWriter TraceWriter::create(const std::filesystem::path& path, const Experiment& experiment,
                                std::span<const Instance> instances, const Outcomes& outcomes,
                                bool sync_each_round) {
  if (std::filesystem::exists(path)) throw StoreError(path.string() + ": file exists");
  const std::size_t n = instances.size();
  const bool labelled = has_labels(outcomes.kind);
  const bool scored = outcomes.kind == Outcomes::Kind::score;
  if (labelled ? (outcomes.labels.size() != n || outcomes.predictions.size() != n)
               : scored && outcomes.scores.size() != n) {
    throw StoreError(path.string() + ": outcomes do not match the " + std::to_string(n) +
                     " instances");
  }
  std::size_t batch_count = 0;
  for (const Instance& instance : instances) {
    batch_count = std::max<std::size_t>(batch_count, instance.batch + 1);
  }

  // The lock creates the (empty) file: SQLite starts a new database in it.
  store::WriterLock lock(path, true);
  auto impl = std::make_unique<Impl>(std::move(lock), sqlite::Database(path.string(), kWriterFlags),
                                     batch_count, n);
  const sqlite::Database& db = impl->db;
  // Large pages keep a round's BLOB in a short overflow chain.
  db.exec("PRAGMA page_size = 65536");
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(sync_each_round ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF");
  db.exec(("PRAGMA application_id = " + std::to_string(store::kApplicationId)).c_str());
  db.exec(("PRAGMA user_version = " + std::to_string(kTraceSchemaVersion)).c_str());

  sqlite::Transaction tx(db);
  db.exec(store::kSchema);
  {
    sqlite::Statement put(db, "INSERT INTO experiment(key, value) VALUES (?, ?)");
    const auto now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const std::pair<const char*, std::string> entries[] = {
        {"model", experiment.model},
        {"dataset", experiment.dataset},
        {"backend", experiment.backend},
        {"metric", experiment.metric},
        {"outcome_kind", std::string(to_string(outcomes.kind))},
        {"system", experiment.system_json},
        {"settings", experiment.settings_json},
        {"extra", experiment.extra_json},
        {"batch_count", std::to_string(batch_count)},
        {"created_unix_s", std::to_string(now)},
        {"tailq_version", TAILQ_VERSION},
    };
    for (const auto& [key, value] : entries) put.bind(1, key).bind(2, value).run();
    // Only when there are any, so that a trace without them reads in older tailq versions.
    if (!experiment.warnings.empty()) {
      put.bind(1, "warnings").bind(2, nlohmann::json(experiment.warnings).dump()).run();
    }
  }
  {
    sqlite::Statement put(db, "INSERT INTO instances VALUES (?, ?, ?, ?, ?)");
    sqlite::Statement out(db, "INSERT INTO outputs VALUES (?, ?, ?)");
    for (std::size_t i = 0; i < n; ++i) {
      const Instance& instance = instances[i];
      const auto idx = static_cast<std::int64_t>(i);
      put.bind(1, idx).bind(2, instance.name).bind(3, static_cast<std::int64_t>(instance.batch));
      if (instance.input_size)
        put.bind(4, *instance.input_size);
      else
        put.bind_null(4);
      if (labelled)
        put.bind(5, outcomes.labels[i]);
      else
        put.bind_null(5);
      put.run();
      out.bind(1, idx);
      if (labelled) {
        out.bind(2, outcomes.predictions[i]).bind_null(3);
      } else if (scored) {
        out.bind_null(2).bind(3, outcomes.scores[i]);
      } else {
        out.bind_null(2).bind_null(3);  // latency only: the row says "no answer recorded"
      }
      out.run();
    }
  }
  store::store_header_checksum(db);
  tx.commit();
  if (!sync_each_round) {
    db.exec("BEGIN IMMEDIATE");
    impl->bulk = true;
  }
  return TraceWriter(std::move(impl));
}

TraceWriter TraceWriter::open_existing(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw StoreError(path.string() + ": no such trace file");
  store::WriterLock lock(path, false);
  auto impl =
      std::make_unique<Impl>(std::move(lock), sqlite::Database(path.string(), kWriterFlags), 0, 0);
  const sqlite::Database& db = impl->db;
  const int version = store::read_schema_version(db);
  // Nothing is appended to a trace that a reader would refuse.
  load_checked(db, version);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  if (version == 1) {
    sqlite::Transaction tx(db);
    db.exec(kMigrateFrom1);
    store::store_header_checksum(db);
    tx.commit();
  }
  const store::LoadedTrace trace = load_checked(db, kTraceSchemaVersion);
  impl->instance_count = trace.instances.size();
  impl->batch_count = trace.batch_count;
  return TraceWriter(std::move(impl));
}

std::size_t TraceWriter::batch_count() const { return impl_->batch_count; }

void TraceWriter::append_round(const RoundInfo& round, std::span<const double> inference_s,
                               std::span<const double> total_s, const RoundExtras& extras) {
  const auto& [predictions, scores, timings] = extras;
  const sqlite::Database& db = impl_->db;
  if (inference_s.size() != impl_->batch_count || total_s.size() != impl_->batch_count) {
    throw StoreError(db.path() + ": round " + std::to_string(round.index) + " has " +
                     std::to_string(inference_s.size()) + "/" + std::to_string(total_s.size()) +
                     " batch times, the trace has " + std::to_string(impl_->batch_count) +
                     " batches");
  }
  for (const auto& [name, times] : {std::pair{"inference", inference_s}, {"total", total_s}}) {
    for (std::size_t b = 0; b < times.size(); ++b) {
      if (!(times[b] >= 0) || std::isinf(times[b])) {
        throw InputError("round " + std::to_string(round.index) + ", batch " + std::to_string(b) +
                         ": " + name + " time " + std::to_string(times[b]) +
                         " is not a finite non-negative number of seconds");
      }
    }
  }
  if (!timings.empty() && timings.size() != impl_->instance_count) {
    throw StoreError(db.path() + ": round " + std::to_string(round.index) + " has " +
                     std::to_string(timings.size()) + " query timings, the trace has " +
                     std::to_string(impl_->instance_count) + " instances");
  }
  if (!timings.empty()) {
    const std::string problem = store::check_timings(round.index, timings, std::nullopt);
    if (!problem.empty()) throw InputError(problem);
  }
  if (round.offered_qps && !(*round.offered_qps > 0 && std::isfinite(*round.offered_qps))) {
    throw InputError("round " + std::to_string(round.index) + ": offered load " +
                     std::to_string(*round.offered_qps) + " is not a positive number of queries/s");
  }
  if (!std::isfinite(round.started_unix_s)) {
    throw InputError("round " + std::to_string(round.index) + ": start time " +
                     std::to_string(round.started_unix_s) + " is not a finite number");
  }
  if (!predictions.empty() && predictions.size() != impl_->instance_count) {
    throw StoreError(db.path() + ": round " + std::to_string(round.index) + " has " +
                     std::to_string(predictions.size()) + " predictions, the trace has " +
                     std::to_string(impl_->instance_count) + " instances");
  }
  if (!scores.empty() && scores.size() != impl_->instance_count) {
    throw StoreError(db.path() + ": round " + std::to_string(round.index) + " has " +
                     std::to_string(scores.size()) + " scores, the trace has " +
                     std::to_string(impl_->instance_count) + " instances");
  }
  // The checksums of what was measured, computed before anything is stored, and stored with it.
  RoundInfo info = round;
  info.started_unix_s = round.started_unix_s + 0.0;  // -0 reads back as +0
  const std::size_t bytes = impl_->batch_count * sizeof(double);
  store::BlobChecksums sums;
  sums.inference = store::blob_checksum(info.index, BlobKind::inference, inference_s.data(), bytes);
  sums.total = store::blob_checksum(info.index, BlobKind::total, total_s.data(), bytes);
  if (!timings.empty()) {
    sums.query =
        store::blob_checksum(info.index, BlobKind::query, timings.data(), timings.size_bytes());
  }
  try {
    sqlite::Transaction tx(db, impl_->bulk);
    sqlite::Statement& row =
        impl_->statement(impl_->insert_round, "INSERT INTO rounds VALUES (?, ?, ?, ?, ?, ?)");
    row.bind(1, info.index).bind(2, std::int64_t{info.warmup}).bind(3, info.started_unix_s);
    if (info.output_hash) {
      row.bind(4, to_stored(*info.output_hash));
    } else {
      row.bind_null(4);
    }
    if (info.offered_qps) {
      row.bind(5, *info.offered_qps);
    } else {
      row.bind_null(5);
    }
    row.bind(6, to_stored(store::round_checksum(info, sums)));
    row.run();
    if (!predictions.empty()) {
      sqlite::Statement update(db, "UPDATE outputs SET prediction = ? WHERE instance = ?");
      for (std::size_t i = 0; i < predictions.size(); ++i) {
        update.bind(1, predictions[i]).bind(2, static_cast<std::int64_t>(i)).run();
      }
    }
    if (!scores.empty()) {
      sqlite::Statement update(db, "UPDATE outputs SET score = ? WHERE instance = ?");
      for (std::size_t i = 0; i < scores.size(); ++i) {
        update.bind(1, scores[i]).bind(2, static_cast<std::int64_t>(i)).run();
      }
    }
    if (!predictions.empty() || !scores.empty()) store::store_header_checksum(db);
    sqlite::Statement& inference =
        impl_->statement(impl_->insert_inference, "INSERT INTO inference_times VALUES (?, ?, ?)");
    inference.bind(1, info.index)
        .bind_blob(2, inference_s.data(), bytes)
        .bind(3, to_stored(sums.inference))
        .run();
    sqlite::Statement& total =
        impl_->statement(impl_->insert_total, "INSERT INTO total_times VALUES (?, ?, ?)");
    total.bind(1, info.index)
        .bind_blob(2, total_s.data(), bytes)
        .bind(3, to_stored(sums.total))
        .run();
    if (!timings.empty()) {
      static_assert(sizeof(QueryTiming) == 4 * sizeof(double));
      sqlite::Statement& query =
          impl_->statement(impl_->insert_query, "INSERT INTO query_times VALUES (?, ?, ?)");
      query.bind(1, info.index)
          .bind_blob(2, timings.data(), timings.size_bytes())
          .bind(3, to_stored(*sums.query))
          .run();
    }
    tx.commit();
  } catch (const StoreError& e) {
    // A full disk or an I/O error: SQLite rolled the round back, every earlier one is intact.
    throw StoreError(std::string(e.what()) + " (round " + std::to_string(info.index) +
                     " was not stored)");
  }
}

void TraceWriter::close() {
  if (!impl_) return;
  // Sync everything and fold the WAL into the main file. A finished trace leaves WAL mode, so
  // it is one self-contained file that readers (even on read-only media) open without
  // creating -wal and -shm files next to it.
  if (impl_->bulk) {
    impl_->db.exec("COMMIT");
    impl_->bulk = false;
  }
  try {
    impl_->db.exec("PRAGMA synchronous = FULL");
    impl_->db.exec("PRAGMA journal_mode = DELETE");
  } catch (const StoreError&) {
    // Another connection is reading, or the disk is full: every round is committed already, so
    // the trace simply stays in WAL mode (its -wal file is folded in by the next writer or
    // checkpoint).
    sqlite3_exec(impl_->db.get(), "PRAGMA wal_checkpoint(PASSIVE)", nullptr, nullptr, nullptr);
  }
  impl_.reset();
}

// ---------------------------------------------------------------------------------------------
// Reader

namespace {

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
    trace = load_checked(*db, version);
  }
  std::filesystem::path path;
  std::optional<sqlite::Database> db;
  store::LoadedTrace trace;
  std::vector<RoundInfo> rounds;
  // After `db`, so that their statements are finalized before it closes.
  mutable std::optional<RoundWindow> window[2];

  const store::StoredRound* find(std::int64_t index) const {
    const auto at = std::lower_bound(
        trace.rounds.begin(), trace.rounds.end(), index,
        [](const store::StoredRound& r, std::int64_t i) { return r.info.index < i; });
    return at != trace.rounds.end() && at->info.index == index ? &*at : nullptr;
  }
};

namespace {

// Refuses times that are not what was measured, with the readers' one-line message.
void verify(const std::string& path, const std::string& problem) {
  if (!problem.empty()) {
    throw StoreError(path + ": corrupt trace: " + problem + " (tailq check " + path +
                     " lists every problem)");
  }
}

}  // namespace

TraceReader::TraceReader(const std::filesystem::path& path) : impl_(std::make_unique<Impl>(path)) {
  impl_->rounds.reserve(impl_->trace.rounds.size());
  for (const store::StoredRound& round : impl_->trace.rounds) impl_->rounds.push_back(round.info);
}

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
const std::vector<RoundInfo>& TraceReader::rounds() const { return impl_->rounds; }

void TraceReader::read_times(std::int64_t round_index, TimeKind kind, std::span<double> out) const {
  const Impl& d = *impl_;
  auto& window = d.window[kind == TimeKind::inference ? 0 : 1];
  if (!window) window.emplace(kind, d.trace.version, d.trace.batch_count);
  window->read(*d.db, round_index, out);
  const store::StoredRound* round = d.find(round_index);
  const auto& stored = round == nullptr              ? std::nullopt
                       : kind == TimeKind::inference ? round->inference_checksum
                                                     : round->total_checksum;
  verify(d.path.string(), store::check_times(round_index, kind, out, stored));
}

bool TraceReader::read_timings(std::int64_t round_index, std::span<QueryTiming> out) const {
  const Impl& d = *impl_;
  if (d.trace.version == 1) return false;
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
  const store::StoredRound* round = d.find(round_index);
  verify(d.path.string(),
         store::check_timings(round_index, out, round ? round->query_checksum : std::nullopt));
  return true;
}

struct TimesCursor::Impl {
  Impl(const std::filesystem::path& path, TimeKind k) : kind(k) {
    version = open_read_only(path, db);
  }
  std::optional<sqlite::Database> db;
  int version = 0;
  TimeKind kind;
  std::optional<RoundWindow> window;  // sized by the first read
};

TimesCursor::TimesCursor(const std::filesystem::path& path, TimeKind kind)
    : impl_(std::make_unique<Impl>(path, kind)) {}
TimesCursor::TimesCursor(TimesCursor&&) noexcept = default;
TimesCursor::~TimesCursor() = default;

void TimesCursor::read(std::int64_t round_index, std::span<double> out) {
  Impl& d = *impl_;
  if (!d.window) d.window.emplace(d.kind, d.version, out.size());
  const std::optional<std::uint64_t> stored = d.window->read(*d.db, round_index, out);
  verify(d.db->path(), store::check_times(round_index, d.kind, out, stored));
}

}  // namespace tailq

namespace tailq {

void write_trace_atomically(const std::filesystem::path& path, bool overwrite,
                            const std::function<void(const std::filesystem::path&)>& fill) {
  check_output_path(path, {.overwrite = overwrite});
  PartialFile tmp(path);
  fill(tmp.path());
  tmp.commit();
}

}  // namespace tailq
