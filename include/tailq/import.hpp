// Building a trace from files that any framework can write (formats in docs/import-formats.md).
// Every reader validates fully and throws InputError with one line naming file, line and field.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tailq/trace.hpp"

namespace tailq {

// Per-batch times of every round, as read from files.
struct ImportedTimes {
  std::vector<std::string> instance_names;       // trace order
  std::vector<std::uint32_t> batch_of_instance;  // dense batch index per instance
  std::size_t batch_count = 0;
  std::vector<std::int64_t> round_indices;  // ascending, unique
  std::vector<double> inference_s;          // round-major: [round][batch]
  std::vector<double> total_s;              // round-major: [round][batch]
};

// CSV with header `round,instance,inference,total[,batch]` (columns in any order, rows in any
// order, seconds). Instances are ordered numerically when every name is a non-negative integer,
// otherwise in order of first appearance. Without a batch column every instance is its own batch.
ImportedTimes read_times_csv(const std::filesystem::path& path);

// Two numpy .npy files, shape (rounds, instances), float32 or float64, C order. Round r is
// index r, instance i is named "i", every instance is its own batch.
ImportedTimes read_times_npy(const std::filesystem::path& inference,
                             const std::filesystem::path& total);

struct ImportedOutcomes {
  Outcomes outcomes;                               // per instance in `instance_names` order
  std::vector<std::optional<std::string>> labels;  // classification: true label per instance
};

// CSV `instance,label,prediction` (classification; prediction = up to k labels separated by
// spaces, best first) or `instance,score` (score in [0, 1]). Every instance needs exactly one row.
ImportedOutcomes read_outcomes_csv(const std::filesystem::path& path,
                                   std::span<const std::string> instance_names);

// "0,1,2", "0-4", "0-2,7": round indices, ascending and unique.
std::vector<std::int64_t> parse_round_list(std::string_view text);

struct ImportRequest {
  std::filesystem::path times_csv;      // either this ...
  std::filesystem::path inference_npy;  // ... or these two
  std::filesystem::path total_npy;
  std::filesystem::path outcomes_csv;
  std::vector<std::int64_t> warmup_rounds;
  Experiment experiment;  // metric left empty: chosen from the outcome kind
  std::filesystem::path output;
  bool overwrite = false;
};

// Writes times and outcomes already in memory (e.g. numpy arrays from Python) as a trace,
// whole or not at all; `request` gives the warm-up rounds, experiment, output and overwrite (its
// file names are not used). Throws InputError for bad times or warm-up rounds.
void write_imported_trace(const ImportedTimes& times, const Outcomes& outcomes,
                          const ImportRequest& request);

// Reads, validates and writes the trace. The trace is written to a temporary file next to
// `output` and renamed into place at the end, so a failure leaves no file behind.
void import_trace(const ImportRequest& request);

}  // namespace tailq
