// What the trace fuzz targets do with a file: open it as every command does, read every round
// as the analyses do, analyse it when it opens, and run `tailq check` on it. A StoreError (or an
// InputError from the analysis) is the expected answer to a bad file; a trace that opens must
// be consistent enough for the engine never to index out of range. Its instances read on two
// connections must be what one connection reads.
#pragma once

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_util.hpp"
#include "store/trace_schema.hpp"
#include "tailq/analysis.hpp"
#include "tailq/check.hpp"
#include "tailq/trace.hpp"

namespace tailq::fuzz {

// The instances and outputs read on two connections (store/instance_rows.hpp, from two
// instances on) must give exactly what one connection reads, or the same refusal.
inline void probe_split_read(const std::filesystem::path& path) {
  struct Loaded {
    std::string error;
    store::LoadedTrace trace;
  };
  auto load = [&](std::size_t split_from) {
    Loaded out;
    try {
      std::optional<sqlite::Database> db;
      store::open_for_reading(path, db);
      out.trace = store::load_checked(*db, store::read_schema_version(*db), split_from);
    } catch (const std::exception& e) {
      out.error = e.what();
    }
    return out;
  };
  const Loaded one = load(0), two = load(2);
  // SQLite's own report on a corrupt file can vary from one open to the next (its command-line
  // shell too, given the same file: "database disk image is malformed" mostly, now and then
  // "malformed database schema"), so two such reports count as the same refusal.
  auto sqlite_corrupt = [](const std::string& error) {
    return error.find("malformed") != std::string::npos;
  };
  if (one.error != two.error && !(sqlite_corrupt(one.error) && sqlite_corrupt(two.error))) {
    __builtin_trap();
  }
  const store::LoadedTrace &a = one.trace, &b = two.trace;
  if (a.instances.size() != b.instances.size()) __builtin_trap();
  for (std::size_t i = 0; i < a.instances.size(); ++i) {
    if (a.instances[i].name != b.instances[i].name ||
        a.instances[i].batch != b.instances[i].batch ||
        a.instances[i].input_size.has_value() != b.instances[i].input_size.has_value() ||
        (a.instances[i].input_size &&
         std::memcmp(&*a.instances[i].input_size, &*b.instances[i].input_size, sizeof(double)))) {
      __builtin_trap();
    }
  }
  if (a.batch_of_instance != b.batch_of_instance || a.outcomes.labels != b.outcomes.labels ||
      a.outcomes.predictions != b.outcomes.predictions ||
      a.outcomes.scores.size() != b.outcomes.scores.size() ||
      (!a.outcomes.scores.empty() && std::memcmp(a.outcomes.scores.data(), b.outcomes.scores.data(),
                                                 a.outcomes.scores.size() * sizeof(double)))) {
    __builtin_trap();
  }
}

inline void probe_trace(const std::filesystem::path& path) {
  probe_split_read(path);
  expect_clean([&] {
    const TraceReader trace(path);
    for (std::uint32_t b : trace.batch_of_instance()) {
      if (b >= trace.batch_count()) __builtin_trap();
    }
    std::vector<double> times(trace.batch_count());
    std::vector<QueryTiming> timings(trace.instances().size());
    for (const RoundInfo& round : trace.rounds()) {
      trace.read_times(round.index, TimeKind::inference, times);
      trace.read_times(round.index, TimeKind::total, times);
      trace.read_timings(round.index, timings);
    }
    TraceAnalysisOptions options;
    options.request.thresholds = parse_thresholds("p50,p99,1ms");
    options.request.threads = 1;
    options.request.sweep = 3;
    analyze_trace(trace, options);
  });
  const TraceCheck check = check_trace(path);
  if (check.ok() != check.problems.empty()) __builtin_trap();
}

}  // namespace tailq::fuzz
