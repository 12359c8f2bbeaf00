// What the trace fuzz targets do with a file: open it as every command does, read every round
// as the analyses do, analyse it when it opens, and run `tailq check` on it. A StoreError (or an
// InputError from the analysis) is the expected answer to a bad file; a trace that opens must
// be consistent enough for the engine never to index out of range.
#pragma once

#include <vector>

#include "fuzz_util.hpp"
#include "tailq/analysis.hpp"
#include "tailq/check.hpp"
#include "tailq/trace.hpp"

namespace tailq::fuzz {

inline void probe_trace(const std::filesystem::path& path) {
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
