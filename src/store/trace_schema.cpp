#include "store/trace_schema.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "store/checksum.hpp"
#include "store/instance_rows.hpp"
#include "store/node_list.hpp"
#include "store/round_blocks.hpp"
#include "store/schema_rows.hpp"

namespace tailq::store {

namespace {

// What every version since 2 holds the same way.
constexpr const char* kHeaderTables = R"sql(
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
)sql";

constexpr const char* kRoundRows = R"sql(
CREATE TABLE rounds(
  idx INTEGER PRIMARY KEY,
  warmup INTEGER NOT NULL,
  started_unix_s REAL NOT NULL,
  output_hash INTEGER,
  offered_qps REAL,
  checksum INTEGER);
CREATE TABLE inference_times(round INTEGER PRIMARY KEY REFERENCES rounds(idx), seconds BLOB NOT NULL,
                             checksum INTEGER);
CREATE TABLE total_times(round INTEGER PRIMARY KEY REFERENCES rounds(idx), seconds BLOB NOT NULL,
                         checksum INTEGER);
CREATE TABLE query_times(round INTEGER PRIMARY KEY REFERENCES rounds(idx), seconds BLOB NOT NULL,
                         checksum INTEGER);
)sql";

constexpr const char* kRoundBlocks = R"sql(
CREATE TABLE round_blocks(
  first INTEGER PRIMARY KEY,
  count INTEGER NOT NULL,
  measured INTEGER NOT NULL,
  info BLOB NOT NULL,
  checksum INTEGER NOT NULL);
)sql";

// A times table keyed by block; `columns` after the key.
std::string block_times(const char* table, const char* columns) {
  return std::string("CREATE TABLE ") + table +
         "(first INTEGER PRIMARY KEY REFERENCES round_blocks(first), " + columns + ");\n";
}

// Version 4 puts each times row's checksum before its BLOB: SQLite reaches a column after a
// BLOB that overflows its page only by walking the BLOB's whole chain of overflow pages, so
// reading the checksums at open read the entire file. Before the BLOB it is in the row's page.
std::string block_schema(int version) {
  const char* columns = version >= 4 ? "checksum INTEGER NOT NULL, seconds BLOB NOT NULL"
                                     : "seconds BLOB NOT NULL, checksum INTEGER NOT NULL";
  return std::string(kHeaderTables) + kRoundBlocks + block_times("inference_times", columns) +
         block_times("total_times", columns) + block_times("query_times", columns);
}

}  // namespace

const char* schema_sql(int version) {
  static const std::string v2 = std::string(kHeaderTables) + kRoundRows;
  static const std::string v3 = block_schema(3), v4 = block_schema(4);
  return version >= 4 ? v4.c_str() : version == 3 ? v3.c_str() : v2.c_str();
}

namespace {

constexpr std::size_t kMaxKept = 200;

// A column as `PRAGMA table_info` shows it.
struct Column {
  const char* name;
  const char* type;
  bool not_null;
  int pk;
};

// A column of the tables of schema versions `since` to `until`.
struct VersionedColumn {
  Column column;
  int since;
  int until = kTraceSchemaVersion;
};

// A times table, present since version `since`: keyed by round up to version 2, by block from
// version 3 on, its checksum before the BLOB from version 4 on.
std::vector<VersionedColumn> times_columns(int since) {
  return {{{"round", "INTEGER", false, 1}, since, 2}, {{"first", "INTEGER", false, 1}, 3},
          {{"checksum", "INTEGER", true, 0}, 4},      {{"seconds", "BLOB", true, 0}, since},
          {{"checksum", "INTEGER", false, 0}, 2, 2},  {{"checksum", "INTEGER", true, 0}, 3, 3}};
}

// Every version's tables: version 1 lacks query_times and every `since = 2` column; version 3
// replaced the rounds table by round_blocks and keys the times tables by block.
const std::vector<std::pair<const char*, std::vector<VersionedColumn>>>& expected_tables() {
  static const std::vector<std::pair<const char*, std::vector<VersionedColumn>>> tables = {
      {"experiment", {{{"key", "TEXT", true, 1}, 1}, {{"value", "TEXT", true, 0}, 1}}},
      {"instances",
       {{{"idx", "INTEGER", false, 1}, 1},
        {{"name", "TEXT", true, 0}, 1},
        {{"batch", "INTEGER", true, 0}, 1},
        {{"input_size", "REAL", false, 0}, 1},
        {{"label", "TEXT", false, 0}, 1}}},
      {"outputs",
       {{{"instance", "INTEGER", false, 1}, 1},
        {{"prediction", "TEXT", false, 0}, 1},
        {{"score", "REAL", false, 0}, 1}}},
      {"rounds",
       {{{"idx", "INTEGER", false, 1}, 1, 2},
        {{"warmup", "INTEGER", true, 0}, 1, 2},
        {{"started_unix_s", "REAL", true, 0}, 1, 2},
        {{"output_hash", "INTEGER", false, 0}, 1, 2},
        {{"offered_qps", "REAL", false, 0}, 2, 2},
        {{"checksum", "INTEGER", false, 0}, 2, 2}}},
      {"round_blocks",
       {{{"first", "INTEGER", false, 1}, 3},
        {{"count", "INTEGER", true, 0}, 3},
        {{"measured", "INTEGER", true, 0}, 3},
        {{"info", "BLOB", true, 0}, 3},
        {{"checksum", "INTEGER", true, 0}, 3}}},
      {"inference_times", times_columns(1)},
      {"total_times", times_columns(1)},
      {"query_times", times_columns(2)},
  };
  return tables;
}

bool is_finite_number(const sqlite::Statement& q, int column) {
  const int type = q.type(column);
  return (type == SQLITE_FLOAT || type == SQLITE_INTEGER) && std::isfinite(q.real(column));
}

bool parse_count(const std::string& text, std::size_t& out) {
  if (text.empty() || text.size() > 10) return false;
  std::size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  out = value;
  return true;
}

std::string round_name(std::int64_t index) { return "round " + std::to_string(index); }

void load_experiment(const sqlite::Database& db, int version, LoadedTrace& t, Problems& problems,
                     std::string& outcome_kind, std::optional<std::string>& stored_header) {
  std::map<std::string, std::string> values;
  sqlite::Statement q(db, "SELECT key, value FROM experiment ORDER BY key");
  while (q.step()) {
    if (q.type(0) != SQLITE_TEXT || q.type(1) != SQLITE_TEXT) {
      problems.add("experiment: a key or value is not text");
      continue;
    }
    values[q.text(0)] = q.text(1);
  }
  std::vector<std::string> required = {"model",        "dataset",        "backend",      "metric",
                                       "outcome_kind", "system",         "settings",     "extra",
                                       "batch_count",  "created_unix_s", "tailq_version"};
  if (version >= 2) required.emplace_back("header_checksum");
  for (const std::string& key : required) {
    if (!values.contains(key)) problems.add("experiment: no '" + key + "' entry");
  }
  Experiment& e = t.experiment;
  e.model = values["model"];
  e.dataset = values["dataset"];
  e.backend = values["backend"];
  e.metric = values["metric"];
  e.system_json = values.contains("system") ? values["system"] : "{}";
  e.settings_json = values.contains("settings") ? values["settings"] : "{}";
  e.extra_json = values.contains("extra") ? values["extra"] : "{}";
  for (const auto& [key, text] :
       {std::pair<const char*, const std::string&>{"system", e.system_json},
        {"settings", e.settings_json},
        {"extra", e.extra_json}}) {
    const auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      problems.add(std::string("experiment: '") + key + "' is not a JSON object");
    }
  }
  if (values.contains("warnings")) {
    const auto parsed = nlohmann::json::parse(values["warnings"], nullptr, false);
    if (parsed.is_array() &&
        std::all_of(parsed.begin(), parsed.end(), [](const auto& w) { return w.is_string(); })) {
      e.warnings = parsed.get<std::vector<std::string>>();
    } else {
      problems.add("experiment: 'warnings' is not a JSON array of strings");
    }
  }
  outcome_kind = values["outcome_kind"];
  if (values.contains("outcome_kind") && !parse_outcome_kind(outcome_kind)) {
    problems.add("experiment: unknown outcome kind '" + outcome_kind + "'");
  }
  if (values.contains("batch_count") && !parse_count(values["batch_count"], t.batch_count)) {
    problems.add("experiment: batch count '" + values["batch_count"] + "' is not a count");
    t.batch_count = 0;
  }
  if (t.batch_count > std::numeric_limits<std::uint32_t>::max()) {
    problems.add("experiment: batch count " + std::to_string(t.batch_count) + " is too large");
    t.batch_count = 0;
  }
  if (values.contains("checksums_from_round")) {
    std::size_t from = 0;
    if (!parse_count(values["checksums_from_round"], from)) {
      problems.add("experiment: 'checksums_from_round' is not a round index");
    } else {
      t.checksums_from_round = static_cast<std::int64_t>(from);
    }
  }
  if (version == 1) t.checksums_from_round = std::numeric_limits<std::int64_t>::max();
  if (version >= 2 && values.contains("header_checksum")) {
    stored_header = values["header_checksum"];
  }
}

// A stored header checksum: the decimal digits of a uint64, nullopt for anything else.
std::optional<std::uint64_t> parse_digest(const std::string& text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t stored = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || stored > (UINT64_MAX - 9) / 10) return std::nullopt;
    stored = stored * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return stored;
}

// The experiment, instances and outputs as written (checked after them, so that a more
// specific problem in those tables is named first).
void check_header(std::uint64_t digest, const std::optional<std::string>& text,
                  Problems& problems) {
  if (!text) return;
  if (parse_digest(*text) != digest) {
    problems.add(
        "the experiment, instances or outputs tables do not match their checksum (changed "
        "after they were written)");
  }
}

void load_rounds(const sqlite::Database& db, int version, LoadedTrace& t, Problems& problems) {
  const char* sql = version == 1 ? "SELECT idx, warmup, started_unix_s, output_hash, NULL, NULL "
                                   "FROM rounds ORDER BY idx"
                                 : "SELECT idx, warmup, started_unix_s, output_hash, offered_qps, "
                                   "checksum FROM rounds ORDER BY idx";
  {
    // One StoredRound per round: reserved, so that a million of them are not copied as the
    // vector grows.
    sqlite::Statement count(db, "SELECT count(*) FROM rounds");
    if (count.step()) {
      const auto n = static_cast<std::size_t>(std::max<std::int64_t>(0, count.int64(0)));
      t.rounds.reserve(n);
      t.stored.reserve(n);
    }
  }
  sqlite::Statement q(db, sql);
  TimesRows inference(db, "inference_times", version >= 2), total(db, "total_times", version >= 2);
  std::optional<TimesRows> query;
  if (version >= 2) query.emplace(db, "query_times", true);
  const auto batch_bytes = static_cast<std::int64_t>(t.batch_count * sizeof(double));
  const auto timing_bytes = static_cast<std::int64_t>(t.instances.size() * sizeof(QueryTiming));
  while (q.step()) {
    RoundInfo& info = t.rounds.emplace_back();
    StoredRound& round = t.stored.emplace_back();
    info.index = q.int64(0);
    // Only a round with a problem needs its name.
    auto where = [&info] { return round_name(info.index); };
    if (q.type(1) != SQLITE_INTEGER || (q.int64(1) != 0 && q.int64(1) != 1)) {
      problems.add(where() + ": warm-up flag '" + q.text(1) + "' is not 0 or 1");
    }
    info.warmup = q.int64(1) != 0;
    if (!is_finite_number(q, 2)) problems.add(where() + ": start time is not a finite number");
    info.started_unix_s = q.real(2);
    if (q.type(3) != SQLITE_NULL) {
      if (q.type(3) != SQLITE_INTEGER) problems.add(where() + ": output hash is not an integer");
      info.output_hash = from_stored(q.int64(3));
    }
    if (q.type(4) != SQLITE_NULL) {
      if (!is_finite_number(q, 4) || !(q.real(4) > 0)) {
        problems.add(where() + ": offered load is not a positive number");
      }
      info.offered_qps = q.real(4);
    }
    for (const auto& [kind, rows] : {std::pair{"inference", &inference}, {"total", &total}}) {
      // A missing row reads as typeof() 'null', as a NULL value does.
      if (!rows->at(info.index) || text_is(rows->row(), 1, "null")) {
        problems.add(where() + ": no " + kind + " times");
      } else if (!text_is(rows->row(), 1, "blob") || rows->row().int64(2) != batch_bytes) {
        problems.add(where() + ": " + kind + " times hold " + rows->row().text(2) + " bytes of " +
                     rows->row().text(1) + ", expected " + std::to_string(batch_bytes) +
                     " bytes (" + std::to_string(t.batch_count) + " batches)");
      }
    }
    round.has_query = query && query->at(info.index) && !text_is(query->row(), 1, "null");
    if (round.has_query &&
        (!text_is(query->row(), 1, "blob") || query->row().int64(2) != timing_bytes)) {
      problems.add(where() + ": query timeline holds " + query->row().text(2) + " bytes of " +
                   query->row().text(1) + ", expected " + std::to_string(timing_bytes));
    }
    round.checksum = stored_checksum(q, 5);
    round.inference_checksum =
        inference.at(info.index) ? stored_checksum(inference.row(), 3) : std::nullopt;
    round.total_checksum = total.at(info.index) ? stored_checksum(total.row(), 3) : std::nullopt;
    round.query_checksum =
        query && query->at(info.index) ? stored_checksum(query->row(), 3) : std::nullopt;
    if (info.index >= t.checksums_from_round) {
      if (!round.checksum || !round.inference_checksum || !round.total_checksum ||
          (round.has_query && !round.query_checksum)) {
        problems.add(where() + ": a checksum is missing");
      } else if (*round.checksum !=
                 round_checksum(info, {*round.inference_checksum, *round.total_checksum,
                                       round.has_query ? round.query_checksum : std::nullopt})) {
        problems.add(where() + ": the round does not match its checksum");
      }
    }
  }
  for (auto [table, rows] : {std::pair{"inference_times", &inference},
                             {"total_times", &total},
                             {"query_times", query ? &*query : nullptr}}) {
    if (rows == nullptr) continue;  // version 1 has no query timelines
    std::int64_t first = 0;
    if (const std::int64_t count = rows->orphans(first); count > 0) {
      problems.add(std::string(table) + ": " + std::to_string(count) +
                   " rows for no round (the first for round " + std::to_string(first) + ")");
    }
  }
}

}  // namespace

void Problems::add(const std::string& problem) {
  if (strict_) {
    throw StoreError(path_ + ": corrupt trace: " + problem + " (tailq check " + path_ +
                     " lists every problem)");
  }
  ++count_;
  if (problems_.size() < kMaxKept) problems_.push_back(problem);
}

// A reading connection serves one thread (TraceReader is not for concurrent use, each worker
// opens its own TimesCursor), so SQLite's per-call connection mutex, taken by every
// sqlite3_column_* call of a million-round scan, buys nothing.
constexpr int kOneThread = SQLITE_OPEN_NOMUTEX;

void open_for_reading(const std::filesystem::path& path, std::optional<sqlite::Database>& db) {
  db.emplace(path.string(), SQLITE_OPEN_READONLY | kOneThread);
  // No memory mapping: mapped pages would count toward the reader's resident memory (the whole
  // file after one pass), and reads through SQLite's small page cache cost only ~10% more.
  db->exec("PRAGMA mmap_size = 0");
  const int rc =
      sqlite3_exec(db->get(), "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
  if ((rc & 0xFF) != SQLITE_READONLY || access(path.c_str(), W_OK) != 0) return;
  db.reset();
  db.emplace(path.string(), SQLITE_OPEN_READWRITE | kOneThread);
  sqlite3_db_config(db->get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  db->exec("PRAGMA mmap_size = 0");
  db->exec("PRAGMA query_only = ON");
}

int read_schema_version(const sqlite::Database& db) {
  std::int64_t application_id = 0;
  try {
    sqlite::Statement app(db, "PRAGMA application_id");
    app.step();
    application_id = app.int64(0);
  } catch (const StoreError&) {
    throw StoreError(db.path() + ": not a tailq trace (" + sqlite3_errmsg(db.get()) + ")");
  }
  if (application_id != kApplicationId) throw StoreError(db.path() + ": not a tailq trace");
  sqlite::Statement version(db, "PRAGMA user_version");
  version.step();
  const std::int64_t v = version.int64(0);
  if (v < 1 || v > kTraceSchemaVersion) {
    throw StoreError(db.path() + ": trace schema version " + std::to_string(v) +
                     ", this tailq reads versions 1 to " + std::to_string(kTraceSchemaVersion));
  }
  return static_cast<int>(v);
}

void check_tables(const sqlite::Database& db, int version, Problems& problems) {
  {
    sqlite::Statement q(db,
                        "SELECT type, name FROM sqlite_schema WHERE type IN ('view', 'trigger') "
                        "ORDER BY name");
    while (q.step()) problems.add("schema: unexpected " + q.text(0) + " '" + q.text(1) + "'");
  }
  std::set<std::string> expected;
  for (const auto& [name, columns] : expected_tables()) {
    const bool wanted = std::any_of(columns.begin(), columns.end(), [&](const VersionedColumn& c) {
      return c.since <= version && version <= c.until;
    });
    if (!wanted) continue;
    expected.insert(name);
    sqlite::Statement type(db, "SELECT type FROM sqlite_schema WHERE name = ?");
    type.bind(1, std::string_view(name));
    if (!type.step()) {
      problems.add(std::string("schema: no table '") + name + "'");
      continue;
    }
    if (type.text(0) != "table") {
      problems.add(std::string("schema: '") + name + "' is a " + type.text(0) + ", not a table");
      continue;
    }
    sqlite::Statement info(db,
                           "SELECT name, upper(type), \"notnull\", pk FROM pragma_table_info(?)");
    info.bind(1, std::string_view(name));
    std::vector<std::string> have, want;
    while (info.step()) {
      have.push_back(info.text(0) + " " + info.text(1) + (info.int64(2) ? " NOT NULL" : "") +
                     (info.int64(3) ? " KEY" + std::to_string(info.int64(3)) : ""));
    }
    for (const VersionedColumn& c : columns) {
      if (c.since > version || version > c.until) continue;
      want.push_back(std::string(c.column.name) + " " + c.column.type +
                     (c.column.not_null ? " NOT NULL" : "") +
                     (c.column.pk ? " KEY" + std::to_string(c.column.pk) : ""));
    }
    if (have != want) {
      std::string text;
      for (const std::string& column : have) text += (text.empty() ? "" : ", ") + column;
      problems.add(std::string("schema: table '") + name + "' has columns (" + text +
                   "), expected those of schema version " + std::to_string(version));
    }
  }
  sqlite::Statement tables(db, "SELECT name FROM sqlite_schema WHERE type = 'table'");
  while (tables.step()) {
    const std::string name = tables.text(0);
    if (!expected.contains(name) && !name.starts_with("sqlite_")) {
      problems.add("schema: unexpected table '" + name + "'");
    }
  }
}

LoadedTrace load_trace(const sqlite::Database& db, int version, Problems& problems, bool round_list,
                       std::size_t split_instances_from) {
  LoadedTrace t;
  t.version = version;
  std::string outcome_kind;
  std::optional<std::string> stored_header;
  load_experiment(db, version, t, problems, outcome_kind, stored_header);
  t.outcomes.kind = parse_outcome_kind(outcome_kind).value_or(Outcomes::Kind::classification);
  const std::optional<std::uint64_t> stored =
      stored_header ? parse_digest(*stored_header) : std::nullopt;
  bool verified = false;
  if (split_instances_from > 0 && stored) {
    ValueHasher header;
    hash_experiment(db, header);
    verified = load_instances_split(db, t, header, *stored, split_instances_from);
  }
  if (!verified) {
    ValueHasher header;
    hash_experiment(db, header);
    const bool hashed = load_instances(db, t, problems, header);
    check_header(hashed ? header.digest() : header_checksum(db), stored_header, problems);
  }
  if (version >= 3) {
    load_blocks(db, t, problems, round_list);
    check_node_tags(t, problems);
  } else {
    load_rounds(db, version, t, problems);
  }
  return t;
}

LoadedTrace load_checked(const sqlite::Database& db, int version,
                         std::size_t split_instances_from) {
  Problems problems(db.path(), true);
  db.exec("BEGIN");
  try {
    check_tables(db, version, problems);
    LoadedTrace trace = load_trace(db, version, problems, true, split_instances_from);
    db.exec("COMMIT");
    return trace;
  } catch (...) {
    sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void hash_experiment(const sqlite::Database& db, ValueHasher& hasher) {
  sqlite::Statement experiment(
      db, "SELECT key, value FROM experiment WHERE key <> 'header_checksum' ORDER BY key");
  while (experiment.step()) hasher.add_row(experiment.get());
}

std::uint64_t header_checksum(const sqlite::Database& db) {
  ValueHasher hasher;
  hash_experiment(db, hasher);
  sqlite::Statement instances(db,
                              "SELECT i.idx, i.name, i.batch, i.input_size, i.label, "
                              "o.prediction, o.score FROM instances i LEFT JOIN outputs o ON "
                              "o.instance = i.idx ORDER BY i.idx");
  while (instances.step()) hasher.add_row(instances.get());
  return hasher.digest();
}

void store_header_checksum(const sqlite::Database& db) {
  sqlite::Statement put(db, "INSERT OR REPLACE INTO experiment(key, value) VALUES (?, ?)");
  put.bind(1, std::string_view("header_checksum"))
      .bind(2, std::string_view(std::to_string(header_checksum(db))))
      .run();
}

namespace {

std::string checksum_problem(std::int64_t round, const char* what, const void* data,
                             std::size_t bytes, BlobKind kind,
                             const std::optional<std::uint64_t>& stored) {
  if (stored && blob_checksum(round, kind, data, bytes) != *stored) {
    return round_name(round) + ": " + what + " do not match their checksum";
  }
  return {};
}

// Every time read is checked, so the check is a sum and a minimum in vector lanes, at memory
// speed: a NaN or an infinity makes the sum non-finite, a negative time the minimum negative.
// (A sum that overflows from finite times only sends the check to the exact loop after it.)
bool all_finite_non_negative(std::span<const double> times) {
  // Four independent pairs of lanes: one chain of dependent adds would cap the loop at two
  // values per add latency. The order of the additions does not matter: only whether the sum
  // is finite is used.
  using Lanes = double __attribute__((vector_size(16)));
  constexpr std::size_t kWays = 4;
  Lanes sum[kWays] = {}, low[kWays] = {};
  std::size_t b = 0;
  for (; b + 2 * kWays <= times.size(); b += 2 * kWays) {
    for (std::size_t w = 0; w < kWays; ++w) {
      Lanes t;
      std::memcpy(&t, &times[b + 2 * w], sizeof t);
      sum[w] += t;
      low[w] = t < low[w] ? t : low[w];
    }
  }
  const Lanes all_sum = (sum[0] + sum[1]) + (sum[2] + sum[3]);
  Lanes all_low = low[0] < low[1] ? low[0] : low[1];
  const Lanes other_low = low[2] < low[3] ? low[2] : low[3];
  all_low = other_low < all_low ? other_low : all_low;
  double total = all_sum[0] + all_sum[1], lowest = std::min(all_low[0], all_low[1]);
  for (; b < times.size(); ++b) {
    total += times[b];
    lowest = std::min(lowest, times[b]);
  }
  return std::isfinite(total) && lowest >= 0;
}

}  // namespace

std::string check_times(std::int64_t round, TimeKind kind, std::span<const double> times,
                        const std::optional<std::uint64_t>& stored_checksum) {
  const bool inference = kind == TimeKind::inference;
  std::string problem = checksum_problem(
      round, inference ? "inference times" : "total times", times.data(), times.size_bytes(),
      inference ? BlobKind::inference : BlobKind::total, stored_checksum);
  if (!problem.empty()) return problem;
  if (all_finite_non_negative(times)) return {};
  for (std::size_t b = 0; b < times.size(); ++b) {
    if (!(times[b] >= 0) || std::isinf(times[b])) {
      return round_name(round) + ", batch " + std::to_string(b) + ": " +
             std::string(to_string(kind)) + " time " + std::to_string(times[b]) +
             " is not a finite number >= 0";
    }
  }
  return {};
}

std::string check_timings(std::int64_t round, std::span<const QueryTiming> timings,
                          const std::optional<std::uint64_t>& stored_checksum) {
  std::string problem = checksum_problem(round, "query timings", timings.data(),
                                         timings.size_bytes(), BlobKind::query, stored_checksum);
  if (!problem.empty()) return problem;
  for (std::size_t i = 0; i < timings.size(); ++i) {
    const QueryTiming& q = timings[i];
    const bool finite = std::isfinite(q.scheduled_s) && std::isfinite(q.issued_s) &&
                        std::isfinite(q.started_s) && std::isfinite(q.finished_s);
    if (!finite || !(q.scheduled_s <= q.issued_s && q.issued_s <= q.started_s &&
                     q.started_s <= q.finished_s)) {
      return round_name(round) + ", instance " + std::to_string(i) +
             ": query timeline is not scheduled <= issued <= started <= finished";
    }
  }
  return {};
}

}  // namespace tailq::store
