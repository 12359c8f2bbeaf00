// The trace writer: one SQLite file per experiment, in WAL mode. A block of rounds' per-batch
// times is one BLOB of little-endian doubles per time kind, in its own table keyed by block, so
// a reader fetches one kind of a block with one read (docs/trace-format.md).
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
#include "store/round_blocks.hpp"
#include "store/sqlite.hpp"
#include "store/trace_schema.hpp"
#include "store/writer_access.hpp"
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

void store_experiment(const sqlite::Database& db, const Experiment& experiment,
                      const Outcomes& outcomes, std::size_t batch_count) {
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

void store_instances(const sqlite::Database& db, std::span<const Instance> instances,
                     const Outcomes& outcomes) {
  const bool labelled = has_labels(outcomes.kind);
  const bool scored = outcomes.kind == Outcomes::Kind::score;
  sqlite::Statement put(db, "INSERT INTO instances VALUES (?, ?, ?, ?, ?)");
  sqlite::Statement out(db, "INSERT INTO outputs VALUES (?, ?, ?)");
  for (std::size_t i = 0; i < instances.size(); ++i) {
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

// Everything append_round refuses before it stores anything.
void check_round(const std::string& path, const RoundInfo& round,
                 std::span<const double> inference_s, std::span<const double> total_s,
                 const RoundExtras& extras, std::size_t batch_count, std::size_t instance_count) {
  const auto& predictions = extras.predictions;
  const auto& scores = extras.scores;
  const auto& timings = extras.timings;
  const std::string name = "round " + std::to_string(round.index);
  if (inference_s.size() != batch_count || total_s.size() != batch_count) {
    throw StoreError(path + ": " + name + " has " + std::to_string(inference_s.size()) + "/" +
                     std::to_string(total_s.size()) + " batch times, the trace has " +
                     std::to_string(batch_count) + " batches");
  }
  for (const auto& [what, times] : {std::pair{"inference", inference_s}, {"total", total_s}}) {
    for (std::size_t b = 0; b < times.size(); ++b) {
      if (!(times[b] >= 0) || std::isinf(times[b])) {
        throw InputError(name + ", batch " + std::to_string(b) + ": " + what + " time " +
                         std::to_string(times[b]) +
                         " is not a finite non-negative number of seconds");
      }
    }
  }
  for (const auto& [what, size] : {std::pair{"query timings", timings.size()},
                                   {"predictions", predictions.size()},
                                   {"scores", scores.size()}}) {
    if (size != 0 && size != instance_count) {
      throw StoreError(path + ": " + name + " has " + std::to_string(size) + " " + what +
                       ", the trace has " + std::to_string(instance_count) + " instances");
    }
  }
  if (!timings.empty()) {
    const std::string problem = store::check_timings(round.index, timings, std::nullopt);
    if (!problem.empty()) throw InputError(problem);
  }
  if (round.offered_qps && !(*round.offered_qps > 0 && std::isfinite(*round.offered_qps))) {
    throw InputError(name + ": offered load " + std::to_string(*round.offered_qps) +
                     " is not a positive number of queries/s");
  }
  if (!std::isfinite(round.started_unix_s)) {
    throw InputError(name + ": start time " + std::to_string(round.started_unix_s) +
                     " is not a finite number");
  }
  if (extras.ended_unix_s &&
      !(std::isfinite(*extras.ended_unix_s) && *extras.ended_unix_s >= round.started_unix_s)) {
    throw InputError(name + ": end time " + std::to_string(*extras.ended_unix_s) +
                     " is not a finite time after its start");
  }
}

void insert_blob(sqlite::Statement& insert, std::int64_t key, const void* data, std::size_t bytes,
                 std::uint64_t checksum) {
  insert.bind(1, key).bind_blob(2, data, bytes).bind(3, to_stored(checksum)).run();
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
        instance_count(instances),
        block(batches, instances) {}
  // Declared first, so it is released after the connection closes (see writer_lock.hpp).
  store::WriterLock lock;
  sqlite::Database db;
  std::size_t batch_count = 0;
  std::size_t instance_count = 0;
  // The schema version written: 4, or the version of an older trace that a run resumes (a
  // version 2 trace's rounds stay rows of their own, docs/trace-format.md).
  int version = kTraceSchemaVersion;
  // Rounds are stored in ascending order: the least index the next round may have.
  std::int64_t next_index = std::numeric_limits<std::int64_t>::min();
  // A bulk writer (sync_each_round false: import and generate, into a temporary file) keeps one
  // transaction open from create() to close(): a commit per round would write every touched
  // 64 KiB page to the WAL again, which made 10^6 one-instance rounds cost minutes. A round
  // that fails then fails the whole file, which its caller discards. It also packs many rounds
  // into each block; a writer that commits per round stores one-round blocks.
  bool bulk = false;
  // A group of rounds (WriterAccess::begin_group): a bulk transaction of a per-round writer,
  // rolled back whole when a round of it fails; next_index as it was before the group.
  bool grouped = false;
  std::int64_t group_next = 0;
  void roll_back_group() {
    sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    block.clear();
    bulk = grouped = false;
    next_index = group_next;
  }
  store::BlockBuilder block;  // version 3: the rounds not stored yet
  // Prepared once, after `db` so that they are finalized before it closes: parsing the SQL
  // again for every round cost more than storing a small round.
  std::optional<sqlite::Statement> insert_round, insert_inference, insert_total, insert_query;

  sqlite::Statement& statement(std::optional<sqlite::Statement>& slot, const char* sql) {
    if (!slot) slot.emplace(db, sql);
    slot->reset();  // a round that failed may have left it mid-step
    return *slot;
  }
  void store_outputs(const RoundExtras& extras);
  void append_v2(const RoundInfo& info, std::span<const double> inference_s,
                 std::span<const double> total_s, std::span<const QueryTiming> timings);
  void store_block();
};

TraceWriter::TraceWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TraceWriter::TraceWriter(TraceWriter&&) noexcept = default;
TraceWriter& TraceWriter::operator=(TraceWriter&&) noexcept = default;
TraceWriter::~TraceWriter() = default;

TraceWriter TraceWriter::create(const std::filesystem::path& path, const Experiment& experiment,
                                std::span<const Instance> instances, const Outcomes& outcomes,
                                bool sync_each_round) {
  return store::WriterAccess::create(path, experiment, instances, outcomes, sync_each_round,
                                     kTraceSchemaVersion);
}

TraceWriter store::WriterAccess::create(const std::filesystem::path& path,
                                        const Experiment& experiment,
                                        std::span<const Instance> instances,
                                        const Outcomes& outcomes, bool sync_each_round,
                                        int version) {
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
  auto impl = std::make_unique<TraceWriter::Impl>(
      std::move(lock), sqlite::Database(path.string(), kWriterFlags), batch_count, n);
  impl->version = version;
  const sqlite::Database& db = impl->db;
  // Large pages keep a round's BLOB in a short overflow chain.
  db.exec("PRAGMA page_size = 65536");
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(sync_each_round ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF");
  db.exec(("PRAGMA application_id = " + std::to_string(store::kApplicationId)).c_str());
  db.exec(("PRAGMA user_version = " + std::to_string(version)).c_str());

  sqlite::Transaction tx(db);
  db.exec(store::schema_sql(version));
  store_experiment(db, experiment, outcomes, batch_count);
  store_instances(db, instances, outcomes);
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
  store::LoadedTrace trace = store::load_checked(db, version);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  if (version == 1) {
    sqlite::Transaction tx(db);
    db.exec(kMigrateFrom1);
    store::store_header_checksum(db);
    tx.commit();
  }
  // Read again, as migrated and in WAL mode: without a read here, close() of a writer that
  // appended nothing (a resumed run that was complete) failed to leave WAL mode and left the
  // -wal file behind (run_test).
  trace = store::load_checked(db, version == 1 ? 2 : version);
  impl->version = trace.version;
  impl->instance_count = trace.instances.size();
  impl->batch_count = trace.batch_count;
  impl->block = store::BlockBuilder(trace.batch_count, trace.instances.size());
  if (!trace.rounds.empty()) impl->next_index = trace.rounds.back().index + 1;
  return TraceWriter(std::move(impl));
}

std::size_t TraceWriter::batch_count() const { return impl_->batch_count; }

void TraceWriter::append_round(const RoundInfo& round, std::span<const double> inference_s,
                               std::span<const double> total_s, const RoundExtras& extras) {
  Impl& d = *impl_;
  try {
    check_round(d.db.path(), round, inference_s, total_s, extras, d.batch_count, d.instance_count);
    if (round.index < d.next_index) {
      throw StoreError(d.db.path() + ": round " + std::to_string(round.index) +
                       " does not follow round " + std::to_string(d.next_index - 1) +
                       ", the last one stored (rounds are stored in ascending order)");
    }
  } catch (...) {
    if (d.grouped) d.roll_back_group();  // a group is stored whole or not at all
    throw;
  }
  RoundInfo info = round;
  info.started_unix_s = round.started_unix_s + 0.0;  // -0 reads back as +0
  try {
    sqlite::Transaction tx(d.db, d.bulk);
    d.store_outputs(extras);
    if (d.version <= 2) {
      if (extras.node || extras.ended_unix_s) {
        throw StoreError(d.db.path() + ": a version 2 trace keeps no node or end time per round");
      }
      d.append_v2(info, inference_s, total_s, extras.timings);
    } else {
      if (!d.block.fits(info.index, !extras.timings.empty())) d.store_block();
      d.block.add(info, inference_s, total_s, extras.timings, extras.node, extras.ended_unix_s);
      if (!d.bulk) d.store_block();
    }
    tx.commit();
  } catch (const StoreError& e) {
    // A full disk or an I/O error: SQLite rolled the round back, every earlier one is intact.
    d.block.clear();
    if (d.grouped) {
      d.roll_back_group();
      throw StoreError(std::string(e.what()) + " (rounds " + std::to_string(d.next_index) + " to " +
                       std::to_string(info.index) + " were not stored)");
    }
    throw StoreError(std::string(e.what()) + " (round " + std::to_string(info.index) +
                     " was not stored)");
  }
  d.next_index = info.index + 1;
}

void TraceWriter::Impl::store_outputs(const RoundExtras& extras) {
  if (!extras.predictions.empty()) {
    sqlite::Statement update(db, "UPDATE outputs SET prediction = ? WHERE instance = ?");
    for (std::size_t i = 0; i < extras.predictions.size(); ++i) {
      update.bind(1, extras.predictions[i]).bind(2, static_cast<std::int64_t>(i)).run();
    }
  }
  if (!extras.scores.empty()) {
    sqlite::Statement update(db, "UPDATE outputs SET score = ? WHERE instance = ?");
    for (std::size_t i = 0; i < extras.scores.size(); ++i) {
      update.bind(1, extras.scores[i]).bind(2, static_cast<std::int64_t>(i)).run();
    }
  }
  if (!extras.predictions.empty() || !extras.scores.empty()) store::store_header_checksum(db);
}

// Version 2: the round's row and one row per time BLOB, each with its checksum.
void TraceWriter::Impl::append_v2(const RoundInfo& info, std::span<const double> inference_s,
                                  std::span<const double> total_s,
                                  std::span<const QueryTiming> timings) {
  // The checksums of what was measured, computed before anything is stored, and stored with it.
  const std::size_t bytes = batch_count * sizeof(double);
  store::BlobChecksums sums;
  sums.inference = store::blob_checksum(info.index, BlobKind::inference, inference_s.data(), bytes);
  sums.total = store::blob_checksum(info.index, BlobKind::total, total_s.data(), bytes);
  if (!timings.empty()) {
    sums.query =
        store::blob_checksum(info.index, BlobKind::query, timings.data(), timings.size_bytes());
  }
  sqlite::Statement& row = statement(insert_round, "INSERT INTO rounds VALUES (?, ?, ?, ?, ?, ?)");
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
  row.bind(6, to_stored(store::round_checksum(info, sums))).run();
  insert_blob(statement(insert_inference,
                        "INSERT INTO inference_times(round, seconds, checksum) VALUES (?, ?, ?)"),
              info.index, inference_s.data(), bytes, sums.inference);
  insert_blob(
      statement(insert_total, "INSERT INTO total_times(round, seconds, checksum) VALUES (?, ?, ?)"),
      info.index, total_s.data(), bytes, sums.total);
  if (!timings.empty()) {
    insert_blob(statement(insert_query,
                          "INSERT INTO query_times(round, seconds, checksum) VALUES (?, ?, ?)"),
                info.index, timings.data(), timings.size_bytes(), *sums.query);
  }
}

// Versions 3 and 4: the collected rounds as one block (docs/trace-format.md, "Round blocks").
void TraceWriter::Impl::store_block() {
  if (block.empty()) return;
  const std::int64_t first = block.first();
  const std::string info = block.info();
  const std::uint64_t inference = store::blob_checksum(
      first, BlobKind::inference, block.inference().data(), block.inference().size_bytes());
  const std::uint64_t total = store::blob_checksum(first, BlobKind::total, block.total().data(),
                                                   block.total().size_bytes());
  std::optional<std::uint64_t> query;
  if (!block.timings().empty()) {
    query = store::blob_checksum(first, BlobKind::query, block.timings().data(),
                                 block.timings().size_bytes());
  }
  const auto count = static_cast<std::int64_t>(block.rounds());
  statement(insert_round, "INSERT INTO round_blocks VALUES (?, ?, ?, ?, ?)")
      .bind(1, first)
      .bind(2, count)
      .bind(3, block.measured())
      .bind_blob(4, info.data(), info.size())
      .bind(5, to_stored(store::block_checksum(first, count, block.measured(), info, inference,
                                               total, query)))
      .run();
  insert_blob(statement(insert_inference,
                        "INSERT INTO inference_times(first, seconds, checksum) VALUES (?, ?, ?)"),
              first, block.inference().data(), block.inference().size_bytes(), inference);
  insert_blob(
      statement(insert_total, "INSERT INTO total_times(first, seconds, checksum) VALUES (?, ?, ?)"),
      first, block.total().data(), block.total().size_bytes(), total);
  if (query) {
    insert_blob(statement(insert_query,
                          "INSERT INTO query_times(first, seconds, checksum) VALUES (?, ?, ?)"),
                first, block.timings().data(), block.timings().size_bytes(), *query);
  }
  block.clear();
}

void store::WriterAccess::set_extra(TraceWriter& writer, const std::string& extra_json) {
  TraceWriter::Impl& d = *writer.impl_;
  if (d.bulk) throw StoreError(d.db.path() + ": set_extra needs a writer that commits per round");
  sqlite::Transaction tx(d.db);
  sqlite::Statement(d.db, "UPDATE experiment SET value = ? WHERE key = 'extra'")
      .bind(1, extra_json)
      .run();
  store::store_header_checksum(d.db);
  tx.commit();
}

int store::WriterAccess::version(const TraceWriter& writer) { return writer.impl_->version; }

void store::WriterAccess::begin_group(TraceWriter& writer) {
  TraceWriter::Impl& d = *writer.impl_;
  if (d.bulk) throw StoreError(d.db.path() + ": a group needs a writer that commits per round");
  d.db.exec("BEGIN IMMEDIATE");
  d.bulk = d.grouped = true;
  d.group_next = d.next_index;
}

void store::WriterAccess::commit_group(TraceWriter& writer) {
  TraceWriter::Impl& d = *writer.impl_;
  if (!d.grouped) return;
  try {
    d.store_block();
    d.db.exec("COMMIT");
  } catch (const StoreError& e) {
    const std::int64_t last = d.next_index - 1;
    d.roll_back_group();
    throw StoreError(std::string(e.what()) + " (rounds " + std::to_string(d.next_index) + " to " +
                     std::to_string(last) + " were not stored)");
  }
  d.bulk = d.grouped = false;
}

void TraceWriter::close() {
  if (!impl_) return;
  // Sync everything and fold the WAL into the main file. A finished trace leaves WAL mode, so
  // it is one self-contained file that readers (even on read-only media) open without
  // creating -wal and -shm files next to it.
  if (impl_->bulk) {
    impl_->store_block();
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

void write_trace_atomically(const std::filesystem::path& path, bool overwrite,
                            const std::function<void(const std::filesystem::path&)>& fill) {
  check_output_path(path, {.overwrite = overwrite});
  PartialFile tmp(path);
  fill(tmp.path());
  tmp.commit();
}

}  // namespace tailq
