#include <algorithm>
#include <charconv>
#include <set>
#include <string>

#include "import/csv_reader.hpp"
#include "tailq/error.hpp"
#include "tailq/import.hpp"
#include "tailq/metric.hpp"
#include "tailq/run_options.hpp"

namespace tailq {
namespace {

std::int64_t parse_round(std::string_view text, std::string_view item) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < 0) {
    throw OptionError("warmup_rounds",
                      "'" + std::string(item) + "' is not a round number or range A-B");
  }
  return value;
}

// The readers name file and line; times built in memory (Python) get round and batch.
void check_total_covers_inference(const ImportedTimes& times) {
  for (std::size_t k = 0; k < times.total_s.size(); ++k) {
    if (times.total_s[k] < times.inference_s[k]) {
      throw InputError(
          "times: round " + std::to_string(times.round_indices[k / times.batch_count]) +
          ", batch " + std::to_string(k % times.batch_count) + ": total time " +
          import_detail::format_double(times.total_s[k]) + " s is less than inference time " +
          import_detail::format_double(times.inference_s[k]) +
          " s (total includes inference: are the two swapped?)");
    }
  }
}

}  // namespace

std::vector<std::int64_t> parse_round_list(std::string_view text) {
  // A list is written by hand: far more rounds than any trace holds is a typo (and "0-9e18"
  // would otherwise fill memory).
  constexpr std::int64_t kMaxRounds = 1'000'000;
  std::set<std::int64_t> rounds;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    const auto dash = item.find('-');
    if (dash == std::string_view::npos) {
      rounds.insert(parse_round(item, item));
    } else {
      const std::int64_t first = parse_round(item.substr(0, dash), item);
      const std::int64_t last = parse_round(item.substr(dash + 1), item);
      if (last < first)
        throw OptionError("warmup_rounds", "empty range '" + std::string(item) + "'");
      if (last - first >= kMaxRounds) {
        throw OptionError("warmup_rounds", "range '" + std::string(item) + "' has more than " +
                                               std::to_string(kMaxRounds) + " rounds");
      }
      for (std::int64_t r = first; r <= last; ++r) rounds.insert(r);
    }
    if (static_cast<std::int64_t>(rounds.size()) > kMaxRounds) {
      throw OptionError("warmup_rounds", "more than " + std::to_string(kMaxRounds) + " rounds");
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return {rounds.begin(), rounds.end()};
}

std::vector<std::string> import_trace(const ImportRequest& request) {
  const bool from_csv = !request.times_csv.empty();
  if (from_csv == (!request.inference_npy.empty() || !request.total_npy.empty())) {
    throw OptionError("times",
                      "give the times either as a CSV or as two .npy files of inference "
                      "and total times, not both and not neither");
  }
  if (!from_csv && (request.inference_npy.empty() || request.total_npy.empty())) {
    throw OptionError(request.inference_npy.empty() ? "inference_npy" : "total_npy",
                      "the .npy files of inference and total times go together");
  }
  const ImportedTimes times = from_csv ? read_times_csv(request.times_csv)
                                       : read_times_npy(request.inference_npy, request.total_npy);
  const bool coco = !request.coco_annotations.empty() || !request.coco_detections.empty();
  if (coco && (request.coco_annotations.empty() || request.coco_detections.empty())) {
    throw OptionError(request.coco_annotations.empty() ? "coco_annotations" : "coco_detections",
                      "COCO outcomes need both the annotations and the detections file");
  }
  if (coco && !request.outcomes_csv.empty()) {
    throw OptionError("outcomes", "give the outcomes either as a CSV or as COCO files");
  }
  Outcomes outcomes;
  outcomes.kind = Outcomes::Kind::none;  // without outcomes: latency only
  ImportRequest with_warnings = request;
  if (coco) {
    ImportedOutcomes imported =
        read_coco_outcomes(request.coco_annotations, request.coco_detections, times.instance_names);
    outcomes = std::move(imported.outcomes);
    with_warnings.experiment.warnings = std::move(imported.warnings);
  } else if (!request.outcomes_csv.empty()) {
    ImportedOutcomes imported = read_outcomes_csv(request.outcomes_csv, times.instance_names);
    outcomes = std::move(imported.outcomes);
    if (outcomes.kind == Outcomes::Kind::classification ||
        outcomes.kind == Outcomes::Kind::ranking) {
      outcomes.labels.clear();
      for (auto& label : imported.labels) outcomes.labels.push_back(label.value_or(""));
    }
  }
  return write_imported_trace(times, std::move(outcomes), with_warnings);
}

std::vector<std::string> write_imported_trace(const ImportedTimes& times, Outcomes outcomes,
                                              const ImportRequest& request) {
  for (std::int64_t r : request.warmup_rounds) {
    if (!std::binary_search(times.round_indices.begin(), times.round_indices.end(), r)) {
      throw OptionError("warmup_rounds", "round " + std::to_string(r) + " is not in the times");
    }
  }
  if (times.round_indices.size() <= request.warmup_rounds.size()) {
    throw OptionError("warmup_rounds", "every round is a warm-up round; nothing to analyse");
  }

  const std::size_t n = times.instance_names.size();
  if (times.batch_of_instance.size() != n ||
      times.inference_s.size() != times.round_indices.size() * times.batch_count ||
      times.total_s.size() != times.inference_s.size()) {
    throw InputError("times: shapes of rounds, instances and batches do not agree");
  }
  for (std::uint32_t b : times.batch_of_instance) {
    if (b >= times.batch_count) throw InputError("times: a batch index outside the batches");
  }
  check_total_covers_inference(times);
  std::vector<Instance> instances(n);
  for (std::size_t i = 0; i < instances.size(); ++i) {
    instances[i].name = times.instance_names[i];
    instances[i].batch = times.batch_of_instance[i];
  }
  if (request.numeric_labels) normalise_numeric_labels(outcomes);
  Experiment experiment = request.experiment;
  for (std::string& w : import_warnings(times, outcomes))
    experiment.warnings.push_back(std::move(w));
  if (experiment.metric.empty()) experiment.metric = default_metric(outcomes.kind);
  make_metric(experiment.metric, outcomes);  // an unknown metric fails before anything is written

  write_trace_atomically(request.output, request.overwrite, [&](const auto& tmp) {
    TraceWriter writer = TraceWriter::create(tmp, experiment, instances, outcomes, false);
    const std::size_t batches = times.batch_count;
    for (std::size_t r = 0; r < times.round_indices.size(); ++r) {
      const std::int64_t index = times.round_indices[r];
      const bool warmup =
          std::binary_search(request.warmup_rounds.begin(), request.warmup_rounds.end(), index);
      writer.append_round({index, warmup, 0.0},
                          std::span(times.inference_s).subspan(r * batches, batches),
                          std::span(times.total_s).subspan(r * batches, batches));
    }
    writer.close();
  });
  return experiment.warnings;
}

}  // namespace tailq
