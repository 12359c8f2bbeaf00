// The trace store: one SQLite file per experiment, in WAL mode. Each round's per-batch times
// are one BLOB of little-endian doubles per time kind, in its own table keyed by round, so a
// reader fetches one kind of one round with a single incremental-blob read.
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>

#include "store/sqlite.hpp"
#include "tailq/trace.hpp"

namespace tailq {

static_assert(std::endian::native == std::endian::little,
              "round times are stored as native little-endian doubles");

namespace {

// 'tail' in ASCII: marks the file as a tailq trace.
constexpr int kApplicationId = 0x7461696c;

constexpr const char* kSchema = R"sql(
CREATE TABLE experiment(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE instances(
  idx INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  batch INTEGER NOT NULL,
  input_size REAL,
  label TEXT);
CREATE TABLE outputs(
  instance INTEGER PRIMARY KEY REFERENCES instances(idx),
  prediction TEXT,
  score REAL);
CREATE TABLE rounds(
  idx INTEGER PRIMARY KEY,
  warmup INTEGER NOT NULL,
  started_unix_s REAL NOT NULL,
  output_hash INTEGER,
  offered_qps REAL);
CREATE TABLE inference_times(round INTEGER PRIMARY KEY REFERENCES rounds(idx), seconds BLOB NOT NULL);
CREATE TABLE total_times(round INTEGER PRIMARY KEY REFERENCES rounds(idx), seconds BLOB NOT NULL);
CREATE TABLE query_times(round INTEGER PRIMARY KEY REFERENCES rounds(idx), seconds BLOB NOT NULL);
)sql";

// What version 2 added to version 1.
constexpr const char* kMigrateFrom1 = R"sql(
ALTER TABLE rounds ADD COLUMN offered_qps REAL;
CREATE TABLE query_times(round INTEGER PRIMARY KEY REFERENCES rounds(idx), seconds BLOB NOT NULL);
PRAGMA user_version = 2;
)sql";

const char* times_table(TimeKind kind) {
  return kind == TimeKind::inference ? "inference_times" : "total_times";
}

// Returns the schema version, 1 or 2.
int check_schema(const sqlite::Database& db) {
  std::int64_t application_id = 0;
  try {
    sqlite::Statement app(db, "PRAGMA application_id");
    app.step();
    application_id = app.int64(0);
  } catch (const StoreError&) {
    throw StoreError(db.path() + ": not a tailq trace (" + sqlite3_errmsg(db.get()) + ")");
  }
  if (application_id != kApplicationId) {
    throw StoreError(db.path() + ": not a tailq trace");
  }
  sqlite::Statement version(db, "PRAGMA user_version");
  version.step();
  const std::int64_t v = version.int64(0);
  if (v != 1 && v != kTraceSchemaVersion) {
    throw StoreError(db.path() + ": trace schema version " + std::to_string(v) +
                     ", this tailq reads versions 1 to " + std::to_string(kTraceSchemaVersion));
  }
  return static_cast<int>(v);
}

sqlite::Database open_read_only(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw StoreError(path.string() + ": no such trace file");
  sqlite::Database db(path.string(), SQLITE_OPEN_READONLY);
  // No memory mapping: mapped pages would count toward the reader's resident memory (the whole
  // file after one pass), and reads through SQLite's small page cache cost only ~10% more.
  db.exec("PRAGMA mmap_size = 0");
  check_schema(db);
  return db;
}

}  // namespace

std::string_view to_string(TimeKind kind) {
  return kind == TimeKind::inference ? "inference" : "total";
}

std::string_view to_string(Outcomes::Kind kind) {
  switch (kind) {
    case Outcomes::Kind::score:
      return "score";
    case Outcomes::Kind::text:
      return "text";
    case Outcomes::Kind::classification:
      break;
  }
  return "classification";
}

TimeKind parse_time_kind(std::string_view text) {
  if (text == "inference") return TimeKind::inference;
  if (text == "total") return TimeKind::total;
  throw InputError("--time: expected 'inference' or 'total', got '" + std::string(text) + "'");
}

// ---------------------------------------------------------------------------------------------
// Writer

struct TraceWriter::Impl {
  sqlite::Database db;
  std::size_t batch_count = 0;
  std::size_t instance_count = 0;
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
  // Classification and text outcomes both hold a label and a prediction per instance.
  const bool labelled = outcomes.kind != Outcomes::Kind::score;
  if (labelled ? (outcomes.labels.size() != n || outcomes.predictions.size() != n)
               : outcomes.scores.size() != n) {
    throw StoreError(path.string() + ": outcomes do not match the " + std::to_string(n) +
                     " instances");
  }
  std::size_t batch_count = 0;
  for (const Instance& instance : instances) {
    batch_count = std::max<std::size_t>(batch_count, instance.batch + 1);
  }

  auto impl = std::make_unique<Impl>(Impl{
      sqlite::Database(path.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE), batch_count, n});
  const sqlite::Database& db = impl->db;
  // Large pages keep a round's BLOB in a short overflow chain.
  db.exec("PRAGMA page_size = 65536");
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(sync_each_round ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF");
  db.exec(("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str());
  db.exec(("PRAGMA user_version = " + std::to_string(kTraceSchemaVersion)).c_str());

  sqlite::Transaction tx(db);
  db.exec(kSchema);
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
      } else {
        out.bind_null(2).bind(3, outcomes.scores[i]);
      }
      out.run();
    }
  }
  tx.commit();
  return TraceWriter(std::move(impl));
}

TraceWriter TraceWriter::open_existing(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw StoreError(path.string() + ": no such trace file");
  auto impl =
      std::make_unique<Impl>(Impl{sqlite::Database(path.string(), SQLITE_OPEN_READWRITE), 0, 0});
  const int version = check_schema(impl->db);
  impl->db.exec("PRAGMA journal_mode = WAL");
  impl->db.exec("PRAGMA synchronous = FULL");
  if (version == 1) {
    sqlite::Transaction tx(impl->db);
    impl->db.exec(kMigrateFrom1);
    tx.commit();
  }
  sqlite::Statement instances(impl->db, "SELECT COUNT(*) FROM instances");
  instances.step();
  impl->instance_count = static_cast<std::size_t>(instances.int64(0));
  sqlite::Statement count(impl->db, "SELECT value FROM experiment WHERE key = 'batch_count'");
  if (!count.step()) throw StoreError(path.string() + ": trace has no batch count");
  impl->batch_count = std::stoull(count.text(0));
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
  for (std::size_t i = 0; i < timings.size(); ++i) {
    const QueryTiming& t = timings[i];
    for (double v : {t.scheduled_s, t.issued_s, t.started_s, t.finished_s}) {
      if (!std::isfinite(v)) {
        throw InputError("round " + std::to_string(round.index) + ", instance " +
                         std::to_string(i) + ": query timing " + std::to_string(v) +
                         " is not a finite number of seconds");
      }
    }
  }
  if (round.offered_qps && !(*round.offered_qps > 0 && std::isfinite(*round.offered_qps))) {
    throw InputError("round " + std::to_string(round.index) + ": offered load " +
                     std::to_string(*round.offered_qps) + " is not a positive number of queries/s");
  }
  sqlite::Transaction tx(db);
  sqlite::Statement info(db, "INSERT INTO rounds VALUES (?, ?, ?, ?, ?)");
  info.bind(1, round.index).bind(2, std::int64_t{round.warmup}).bind(3, round.started_unix_s);
  // SQLite integers are signed: the hash is stored as the same 64 bits.
  if (round.output_hash) {
    info.bind(4, static_cast<std::int64_t>(*round.output_hash));
  } else {
    info.bind_null(4);
  }
  if (round.offered_qps) {
    info.bind(5, *round.offered_qps);
  } else {
    info.bind_null(5);
  }
  info.run();
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
  const std::size_t bytes = impl_->batch_count * sizeof(double);
  sqlite::Statement inference(db, "INSERT INTO inference_times VALUES (?, ?)");
  inference.bind(1, round.index).bind_blob(2, inference_s.data(), bytes).run();
  sqlite::Statement total(db, "INSERT INTO total_times VALUES (?, ?)");
  total.bind(1, round.index).bind_blob(2, total_s.data(), bytes).run();
  if (!timings.empty()) {
    static_assert(sizeof(QueryTiming) == 4 * sizeof(double));
    sqlite::Statement query(db, "INSERT INTO query_times VALUES (?, ?)");
    query.bind(1, round.index).bind_blob(2, timings.data(), timings.size_bytes()).run();
  }
  tx.commit();
}

void TraceWriter::close() {
  if (!impl_) return;
  // Sync everything and fold the WAL into the main file. A finished trace leaves WAL mode, so
  // it is one self-contained file that readers (even on read-only media) open without
  // creating -wal and -shm files next to it.
  impl_->db.exec("PRAGMA synchronous = FULL");
  try {
    impl_->db.exec("PRAGMA journal_mode = DELETE");
  } catch (const StoreError&) {
    // Another connection is reading: every round is committed already, so the trace simply
    // stays in WAL mode (its -wal file is folded in by the next writer or checkpoint).
    impl_->db.exec("PRAGMA wal_checkpoint(PASSIVE)");
  }
  impl_.reset();
}

// ---------------------------------------------------------------------------------------------
// Reader

struct TraceReader::Impl {
  explicit Impl(const std::filesystem::path& p)
      : path(p), db(open_read_only(p)), version(check_schema(db)) {}
  std::filesystem::path path;
  sqlite::Database db;
  int version;
  Experiment experiment;
  std::vector<Instance> instances;
  std::vector<std::uint32_t> batch_of_instance;
  std::size_t batch_count = 0;
  Outcomes outcomes;
  std::vector<RoundInfo> rounds;
  mutable sqlite3_blob* blob[2] = {nullptr, nullptr};

  ~Impl() {
    for (sqlite3_blob* b : blob) sqlite3_blob_close(b);
  }
};

namespace {

void read_round_blob(const sqlite::Database& db, sqlite3_blob*& blob, TimeKind kind,
                     std::int64_t round, std::span<double> out) {
  const int rc =
      blob ? sqlite3_blob_reopen(blob, round)
           : sqlite3_blob_open(db.get(), "main", times_table(kind), "seconds", round, 0, &blob);
  if (rc != SQLITE_OK) {
    sqlite3_blob_close(blob);  // a failed reopen leaves the handle unusable
    blob = nullptr;
    throw StoreError(db.path() + ": round " + std::to_string(round) + " has no " +
                     std::string(to_string(kind)) + " times");
  }
  const auto expected = out.size() * sizeof(double);
  if (static_cast<std::size_t>(sqlite3_blob_bytes(blob)) != expected) {
    throw StoreError(db.path() + ": round " + std::to_string(round) + ": " +
                     std::string(to_string(kind)) + " times hold " +
                     std::to_string(sqlite3_blob_bytes(blob)) + " bytes, expected " +
                     std::to_string(expected));
  }
  if (sqlite3_blob_read(blob, out.data(), static_cast<int>(expected), 0) != SQLITE_OK) {
    db.fail("reading round " + std::to_string(round));
  }
}

}  // namespace

TraceReader::TraceReader(const std::filesystem::path& path) : impl_(std::make_unique<Impl>(path)) {
  Impl& d = *impl_;
  const auto& db = d.db;
  std::string outcome_kind;
  {
    sqlite::Statement q(db, "SELECT key, value FROM experiment");
    while (q.step()) {
      const std::string key = q.text(0);
      std::string value = q.text(1);
      if (key == "model")
        d.experiment.model = value;
      else if (key == "dataset")
        d.experiment.dataset = value;
      else if (key == "backend")
        d.experiment.backend = value;
      else if (key == "metric")
        d.experiment.metric = value;
      else if (key == "system")
        d.experiment.system_json = value;
      else if (key == "settings")
        d.experiment.settings_json = value;
      else if (key == "extra")
        d.experiment.extra_json = value;
      else if (key == "outcome_kind")
        outcome_kind = value;
      else if (key == "batch_count")
        d.batch_count = std::stoull(value);
    }
  }
  d.outcomes.kind = outcome_kind == "score"  ? Outcomes::Kind::score
                    : outcome_kind == "text" ? Outcomes::Kind::text
                                             : Outcomes::Kind::classification;
  const bool labelled = d.outcomes.kind != Outcomes::Kind::score;
  {
    sqlite::Statement q(db,
                        "SELECT i.idx, i.name, i.batch, i.input_size, i.label, o.prediction, "
                        "o.score FROM instances i LEFT JOIN outputs o ON o.instance = i.idx "
                        "ORDER BY i.idx");
    while (q.step()) {
      if (q.int64(0) != static_cast<std::int64_t>(d.instances.size())) {
        throw StoreError(path.string() + ": instance indices are not 0..N-1");
      }
      Instance instance;
      instance.name = q.text(1);
      const std::int64_t batch = q.int64(2);
      if (batch < 0 || static_cast<std::size_t>(batch) >= d.batch_count) {
        throw StoreError(path.string() + ": instance '" + instance.name + "' has batch " +
                         std::to_string(batch) + " outside 0.." + std::to_string(d.batch_count) +
                         "-1");
      }
      instance.batch = static_cast<std::uint32_t>(batch);
      if (!q.is_null(3)) instance.input_size = q.real(3);
      if (labelled) {
        d.outcomes.labels.push_back(q.text(4));
        d.outcomes.predictions.push_back(q.text(5));
      } else {
        d.outcomes.scores.push_back(q.real(6));
      }
      d.batch_of_instance.push_back(instance.batch);
      d.instances.push_back(std::move(instance));
    }
  }
  {
    sqlite::Statement q(db, d.version == 1 ? "SELECT idx, warmup, started_unix_s, output_hash, "
                                             "NULL FROM rounds ORDER BY idx"
                                           : "SELECT idx, warmup, started_unix_s, output_hash, "
                                             "offered_qps FROM rounds ORDER BY idx");
    while (q.step()) {
      RoundInfo round{q.int64(0), q.int64(1) != 0, q.real(2), std::nullopt};
      if (!q.is_null(3)) round.output_hash = static_cast<std::uint64_t>(q.int64(3));
      if (!q.is_null(4)) round.offered_qps = q.real(4);
      d.rounds.push_back(round);
    }
  }
}

TraceReader::TraceReader(TraceReader&&) noexcept = default;
TraceReader::~TraceReader() = default;

const std::filesystem::path& TraceReader::path() const { return impl_->path; }
const Experiment& TraceReader::experiment() const { return impl_->experiment; }
const std::vector<Instance>& TraceReader::instances() const { return impl_->instances; }
std::span<const std::uint32_t> TraceReader::batch_of_instance() const {
  return impl_->batch_of_instance;
}
std::size_t TraceReader::batch_count() const { return impl_->batch_count; }
const Outcomes& TraceReader::outcomes() const { return impl_->outcomes; }
const std::vector<RoundInfo>& TraceReader::rounds() const { return impl_->rounds; }

void TraceReader::read_times(std::int64_t round_index, TimeKind kind, std::span<double> out) const {
  const int slot = kind == TimeKind::inference ? 0 : 1;
  read_round_blob(impl_->db, impl_->blob[slot], kind, round_index, out);
}

bool TraceReader::read_timings(std::int64_t round_index, std::span<QueryTiming> out) const {
  const Impl& d = *impl_;
  if (d.version == 1) return false;
  sqlite::Statement q(d.db, "SELECT seconds FROM query_times WHERE round = ?");
  q.bind(1, round_index);
  if (!q.step()) return false;
  const std::string_view bytes = q.blob(0);
  if (bytes.size() != out.size_bytes()) {
    throw StoreError(d.path.string() + ": round " + std::to_string(round_index) +
                     ": query timings hold " + std::to_string(bytes.size()) + " bytes, expected " +
                     std::to_string(out.size_bytes()));
  }
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return true;
}

struct TimesCursor::Impl {
  Impl(const std::filesystem::path& path, TimeKind k) : db(open_read_only(path)), kind(k) {}
  sqlite::Database db;
  TimeKind kind;
  sqlite3_blob* blob = nullptr;
  ~Impl() { sqlite3_blob_close(blob); }
};

TimesCursor::TimesCursor(const std::filesystem::path& path, TimeKind kind)
    : impl_(std::make_unique<Impl>(path, kind)) {}
TimesCursor::TimesCursor(TimesCursor&&) noexcept = default;
TimesCursor::~TimesCursor() = default;

void TimesCursor::read(std::int64_t round_index, std::span<double> out) {
  read_round_blob(impl_->db, impl_->blob, impl_->kind, round_index, out);
}

}  // namespace tailq

namespace tailq {

void write_trace_atomically(const std::filesystem::path& path, bool overwrite,
                            const std::function<void(const std::filesystem::path&)>& fill) {
  namespace fs = std::filesystem;
  if (!overwrite && fs::exists(path)) {
    throw InputError(path.string() + ": file exists (use --force to replace it)");
  }
  fs::path tmp = path;
  tmp += ".partial";
  auto remove_all = [&] {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      fs::path p = tmp;
      p += suffix;
      fs::remove(p, ignored);
    }
  };
  remove_all();  // left over from a crash of an earlier attempt
  try {
    fill(tmp);
    fs::rename(tmp, path);
  } catch (...) {
    remove_all();
    throw;
  }
  remove_all();
}

}  // namespace tailq
