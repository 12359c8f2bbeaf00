// `tailq check`: is a trace exactly what was measured? Every command that reads a trace makes
// the cheap part of these checks when it opens one and verifies each round's times when it
// reads them; `tailq check` makes them all and reports every problem instead of the first.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace tailq {

struct TraceCheck {
  std::filesystem::path path;
  int schema_version = 0;  // 0: not known (not a trace)
  std::size_t rounds = 0, measured_rounds = 0, instances = 0, batches = 0;
  // Rounds written as schema version 1, before checksums: read, but not verifiable.
  std::size_t unchecked_rounds = 0;
  std::vector<std::string> problems;  // one line each, at most 200 kept
  std::size_t problem_count = 0;      // all of them
  bool ok() const { return problem_count == 0; }
};

// SQLite's integrity check, the application id and schema version, the exact tables and
// columns (no views or triggers), the experiment's entries, dense instances and batches, one
// output per instance, both time BLOBs of every round of the right size, every time finite and
// >= 0, query timelines in order (scheduled <= issued <= started <= finished), and every
// checksum (rounds, BLOBs, and the experiment, instance and output tables). Never throws for a
// bad file: what is wrong is in `problems`.
TraceCheck check_trace(const std::filesystem::path& path);

// {"trace":..,"ok":..,"schema_version":..,"rounds":..,"measured_rounds":..,"instances":..,
//  "batches":..,"unchecked_rounds":..,"problem_count":..,"problems":[..]}
std::string to_json(const TraceCheck& check);

}  // namespace tailq
