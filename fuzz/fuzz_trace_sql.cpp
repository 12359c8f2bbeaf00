// Hostile SQL content: the input is SQL run against a copy of a valid small trace (views or
// triggers in place of tables, wrong column types, missing or duplicated rows, odd BLOB sizes,
// edited checksums, a changed schema version...), after which the trace is probed like any
// other. The SQL itself runs under limits: no ATTACH or VACUUM (no files outside the scratch
// folder), bounded value sizes and bounded work.
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "trace_probe.hpp"

namespace {

// A trace with two rounds (one a load round with a query timeline), made once per process and
// kept as bytes, with 512-byte pages so that each input starts from a few kilobytes.
const std::string& base_trace() {
  static const std::string bytes = [] {
    using namespace tailq;
    const auto path = fuzz::scratch_dir() / "base.trace";
    fuzz::remove_scratch("base.trace");
    Experiment e{"m", "d", "b", "accuracy"};
    std::vector<Instance> instances(3);
    Outcomes o;
    for (std::uint32_t i = 0; i < 3; ++i) {
      instances[i].name = std::to_string(i);
      instances[i].batch = i / 2;
      o.labels.push_back(i == 2 ? "y" : "x");
      o.predictions.push_back("x y");
    }
    auto w = TraceWriter::create(path, e, instances, o);
    w.append_round({0, true, 1.0}, std::vector<double>{0.1, 0.2}, std::vector<double>{0.2, 0.3});
    const std::vector<QueryTiming> timings = {
        {0, 0.001, 0.002, 0.1}, {0.01, 0.011, 0.012, 0.2}, {0.02, 0.021, 0.1, 0.3}};
    w.append_round({1, false, 2.0, 42u, 100.0}, std::vector<double>{0.1, 0.2},
                   std::vector<double>{0.2, 0.3}, {.timings = timings});
    w.close();
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "PRAGMA page_size = 512; VACUUM;", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  return bytes;
}

int deny_files(void*, int action, const char*, const char*, const char*, const char*) {
  return action == SQLITE_ATTACH || action == SQLITE_DETACH ? SQLITE_DENY : SQLITE_OK;
}

int stop_long_work(void* steps) { return ++*static_cast<int*>(steps) > 2000; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tailq;
  std::string sql(fuzz::as_text(data, size));
  std::string lower = sql;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.find("vacuum") != std::string::npos) return 0;  // VACUUM INTO writes a file
  fuzz::remove_scratch("sql.trace");
  const auto path = fuzz::write_scratch("sql.trace", base_trace());
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK) {
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1 << 20);
    sqlite3_set_authorizer(db, deny_files, nullptr);
    int steps = 0;
    sqlite3_progress_handler(db, 100, stop_long_work, &steps);
    sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  }
  sqlite3_close(db);
  fuzz::probe_trace(path);
  fuzz::remove_scratch("sql.trace");
  return 0;
}
