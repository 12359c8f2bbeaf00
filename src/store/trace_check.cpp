// check_trace: every check of trace_schema.cpp, collecting problems instead of stopping at the
// first, plus what readers leave to the moment they read a round (BLOB checksums, values,
// timelines) and SQLite's own page-level integrity check, which reads the whole file.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "store/round_blocks.hpp"
#include "store/sqlite.hpp"
#include "store/trace_schema.hpp"
#include "tailq/check.hpp"
#include "tailq/error.hpp"

namespace tailq {
namespace {

// One table's rows in round order, stepped along with the round list: a query per round cost
// more than a one-instance round's values, and one scan per table reads each page once.
class RoundScan {
 public:
  // `key`: the column that names the round (versions 1 and 2) or block (version 3).
  RoundScan(const sqlite::Database& db, const std::string& table, const std::string& key = "round")
      : sql_("SELECT " + key + ", seconds FROM " + table + " ORDER BY " + key),
        q_(db, sql_.c_str()) {
    advance();
  }
  // The value stored for round `index` (valid until the next call), or nothing. Rounds must be
  // asked for in ascending order.
  std::optional<std::string_view> at(std::int64_t index) {
    while (more_ && round_ < index) advance();
    if (more_ && round_ == index) return q_.blob(1);
    return std::nullopt;
  }

 private:
  void advance() {
    more_ = q_.step();
    if (more_) round_ = q_.int64(0);
  }
  std::string sql_;
  sqlite::Statement q_;
  bool more_ = false;
  std::int64_t round_ = 0;
};

void check_round_contents(const sqlite::Database& db, const store::LoadedTrace& trace,
                          store::Problems& problems) {
  RoundScan inference(db, "inference_times");
  RoundScan total(db, "total_times");
  std::optional<RoundScan> query;
  if (trace.version >= 2) query.emplace(db, "query_times");
  std::vector<double> times(trace.batch_count);
  std::vector<QueryTiming> timings(trace.instances.size());
  for (std::size_t r = 0; r < trace.rounds.size(); ++r) {
    const store::StoredRound& round = trace.stored[r];
    const std::int64_t index = trace.rounds[r].index;
    const bool checked = index >= trace.checksums_from_round;
    for (auto [kind, scan, stored] :
         {std::tuple{TimeKind::inference, &inference, round.inference_checksum},
          std::tuple{TimeKind::total, &total, round.total_checksum}}) {
      const std::optional<std::string_view> bytes = scan->at(index);
      if (bytes && bytes->size() == times.size() * sizeof(double)) {  // else reported at load
        std::memcpy(times.data(), bytes->data(), bytes->size());
        const std::string problem =
            store::check_times(index, kind, times, checked ? stored : std::nullopt);
        if (!problem.empty()) problems.add(problem);
      }
    }
    if (query && round.has_query) {
      const std::optional<std::string_view> bytes = query->at(index);
      if (bytes && bytes->size() == timings.size() * sizeof(QueryTiming)) {
        std::memcpy(timings.data(), bytes->data(), bytes->size());
        const std::string problem =
            store::check_timings(index, timings, checked ? round.query_checksum : std::nullopt);
        if (!problem.empty()) problems.add(problem);
      }
    }
  }
}

// Version 3: every block's BLOBs against their checksums, then every round's values in them.
void check_block_contents(const sqlite::Database& db, const store::LoadedTrace& trace,
                          store::Problems& problems) {
  using store::BlobKind;
  RoundScan inference(db, "inference_times", "first");
  RoundScan total(db, "total_times", "first");
  RoundScan query(db, "query_times", "first");
  const std::size_t batches = trace.batch_count, instances = trace.instances.size();
  std::vector<double> times;
  std::vector<QueryTiming> timings;
  for (const store::StoredBlock& block : trace.blocks) {
    for (auto [kind, scan, blob] :
         {std::tuple{TimeKind::inference, &inference, BlobKind::inference},
          std::tuple{TimeKind::total, &total, BlobKind::total}}) {
      const std::optional<std::string_view> bytes = scan->at(block.first);
      if (!bytes || bytes->size() != block.count * batches * sizeof(double)) continue;  // at load
      times.resize(block.count * batches);
      std::memcpy(times.data(), bytes->data(), bytes->size());
      std::string problem = store::check_block_blob(block, blob, times.data(), bytes->size());
      if (!problem.empty()) {
        problems.add(problem);
        continue;
      }
      // One pass over the block; the rounds are named only when a value is bad.
      if (std::all_of(times.begin(), times.end(),
                      [](double t) { return t >= 0 && !std::isinf(t); }))
        continue;
      for (std::size_t k = 0; k < block.count; ++k) {
        problem = store::check_times(block.first + static_cast<std::int64_t>(k), kind,
                                     std::span(times).subspan(k * batches, batches), std::nullopt);
        if (!problem.empty()) problems.add(problem);
      }
    }
    const std::optional<std::string_view> bytes =
        block.query_rounds > 0 ? query.at(block.first) : std::nullopt;
    if (!bytes || bytes->size() != block.query_rounds * instances * sizeof(QueryTiming)) continue;
    timings.resize(block.query_rounds * instances);
    std::memcpy(timings.data(), bytes->data(), bytes->size());
    std::string problem =
        store::check_block_blob(block, BlobKind::query, timings.data(), bytes->size());
    if (!problem.empty()) {
      problems.add(problem);
      continue;
    }
    std::size_t place = 0;
    for (std::size_t k = 0; k < block.count; ++k) {
      if ((trace.flags[block.position + k] & store::kQueryFlag) == 0) continue;
      problem = store::check_timings(block.first + static_cast<std::int64_t>(k),
                                     std::span(timings).subspan(place++ * instances, instances),
                                     std::nullopt);
      if (!problem.empty()) problems.add(problem);
    }
  }
}

}  // namespace

TraceCheck check_trace(const std::filesystem::path& path) {
  TraceCheck result;
  result.path = path;
  store::Problems problems(path.string(), false);
  auto finish = [&] {
    result.problems = problems.all();
    result.problem_count = problems.count();
    return result;
  };
  if (!std::filesystem::exists(path)) {
    problems.add("no such trace file");
    return finish();
  }
  std::optional<sqlite::Database> db;
  try {
    store::open_for_reading(path, db);
    {
      sqlite::Statement integrity(*db, "PRAGMA integrity_check(100)");
      while (integrity.step()) {
        const std::string line = integrity.text(0);
        if (line != "ok") problems.add("sqlite integrity check: " + line);
      }
    }
  } catch (const StoreError& e) {
    problems.add(std::string("cannot be read as SQLite: ") + e.what());
    return finish();
  }
  try {
    result.schema_version = store::read_schema_version(*db);
  } catch (const StoreError& e) {
    problems.add(e.what());
    return finish();
  }
  try {
    db->exec("BEGIN");
    store::check_tables(*db, result.schema_version, problems);
    if (!problems.empty()) return finish();  // the queries below need the right columns
    const bool blocks = result.schema_version >= 3;
    const store::LoadedTrace trace =
        store::load_trace(*db, result.schema_version, problems, !blocks);
    result.instances = trace.instances.size();
    result.batches = trace.batch_count;
    if (blocks) {
      result.rounds = trace.flags.size();
      for (const std::uint8_t flags : trace.flags) {
        result.measured_rounds += (flags & store::kWarmupFlag) == 0;
      }
    } else {
      result.rounds = trace.rounds.size();
      for (const RoundInfo& round : trace.rounds) {
        result.measured_rounds += !round.warmup;
        result.unchecked_rounds += round.index < trace.checksums_from_round;
      }
    }
    if (trace.version >= 3) {
      check_block_contents(*db, trace, problems);
    } else {
      check_round_contents(*db, trace, problems);
    }
    db->exec("COMMIT");
  } catch (const StoreError& e) {
    problems.add(e.what());
  }
  return finish();
}

std::string to_json(const TraceCheck& check) {
  nlohmann::ordered_json j;
  j["trace"] = check.path.string();
  j["ok"] = check.ok();
  j["schema_version"] = check.schema_version;
  j["rounds"] = check.rounds;
  j["measured_rounds"] = check.measured_rounds;
  j["instances"] = check.instances;
  j["batches"] = check.batches;
  j["unchecked_rounds"] = check.unchecked_rounds;
  j["problem_count"] = check.problem_count;
  j["problems"] = check.problems;
  // Problems quote bytes from the file, which need not be UTF-8.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tailq
