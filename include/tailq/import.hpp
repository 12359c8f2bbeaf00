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
// order, seconds; total >= inference in every row). Instances are ordered numerically when every
// name is a non-negative integer, otherwise in order of first appearance. Without a batch column
// every instance is its own batch.
ImportedTimes read_times_csv(const std::filesystem::path& path);

// Two numpy .npy files, shape (rounds, instances), float32 or float64, C order, total >=
// inference element by element. Round r is
// index r, instance i is named "i", every instance is its own batch.
ImportedTimes read_times_npy(const std::filesystem::path& inference,
                             const std::filesystem::path& total);

struct ImportedOutcomes {
  Outcomes outcomes;                               // per instance in `instance_names` order
  std::vector<std::optional<std::string>> labels;  // classification: true label per instance;
                                                   // ranking: the relevant items
  std::vector<std::string> warnings;               // kept in the trace with import_warnings'
};

// CSV `instance,label,prediction` (classification; prediction = up to k labels separated by
// spaces, best first), `instance,score` (score in [0, 1]) or `instance,relevant,ranking` (items
// separated by spaces, docs/ranking.md). Every instance needs exactly one row.
ImportedOutcomes read_outcomes_csv(const std::filesystem::path& path,
                                   std::span<const std::string> instance_names);

// Detection outcomes (Outcomes::Kind::detection) from a COCO annotations file (images,
// annotations, categories) and a COCO results file (a JSON array of image_id, category_id, bbox,
// score). The instances are named by their image ids; every image of the annotations needs one
// and every instance must be one. Rejects duplicate image, category or annotation ids,
// annotation id 0, unknown image ids, boxes with a negative size and non-finite numbers.
ImportedOutcomes read_coco_outcomes(const std::filesystem::path& annotations,
                                    const std::filesystem::path& detections,
                                    std::span<const std::string> instance_names);

// "0,1,2", "0-4", "0-2,7": round indices, ascending and unique.
std::vector<std::int64_t> parse_round_list(std::string_view text);

struct ImportRequest {
  std::filesystem::path times_csv;      // either this ...
  std::filesystem::path inference_npy;  // ... or these two
  std::filesystem::path total_npy;
  std::filesystem::path outcomes_csv;      // empty: a latency-only trace (Outcomes::Kind::none)
  std::filesystem::path coco_annotations;  // detection, instead of outcomes_csv: both or neither
  std::filesystem::path coco_detections;
  bool numeric_labels = false;  // see normalise_numeric_labels
  std::vector<std::int64_t> warmup_rounds;
  Experiment experiment;  // metric left empty: chosen from the outcome kind
  std::filesystem::path output;
  bool overwrite = false;
};

// What looks wrong in data that is valid as written (rules in docs/import-formats.md): times
// that look like milliseconds or microseconds, predictions that look like probabilities, labels
// and predictions that barely share a class. One sentence each, with the fix.
std::vector<std::string> import_warnings(const ImportedTimes& times, const Outcomes& outcomes);

// Classification: every label and predicted label that is a whole number, however written
// ("7.0", "07", "7e0"), becomes its integer form ("7"), so that labels written by one program
// match predictions written by another.
void normalise_numeric_labels(Outcomes& outcomes);

// Writes times and outcomes already in memory (e.g. numpy arrays from Python) as a trace,
// whole or not at all; `request` gives the warm-up rounds, experiment, output, overwrite and
// numeric_labels (its file names are not used). Throws InputError for bad times (total below
// inference) or warm-up rounds. Returns the import warnings, which the trace keeps too.
std::vector<std::string> write_imported_trace(const ImportedTimes& times, Outcomes outcomes,
                                              const ImportRequest& request);

// Reads, validates and writes the trace. The trace is written to a temporary file next to
// `output` and renamed into place at the end, so a failure leaves no file behind. Returns the
// import warnings.
std::vector<std::string> import_trace(const ImportRequest& request);

}  // namespace tailq
