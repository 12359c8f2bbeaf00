// The timed part of a round: for every batch, pre-processing, inference (until the device is
// done) and post-processing, each read from the monotonic clock. Nothing here allocates or
// does I/O: buffers are sized once for the largest batch.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tailq/harness.hpp"
#include "tailq/trace.hpp"

namespace tailq::detail {

constexpr std::size_t kTopK = 5;
// Bytes reserved for each text answer: a long OCR line fits without allocating, and so do the
// detections of a page (about 30 bytes each; COCO scores 100 per image, docs/detection.md).
constexpr std::size_t kTextCapacity = 512;
constexpr std::size_t kDetectionsCapacity = 1 << 13;
std::size_t answer_capacity(const Dataset& dataset);
// How a trace keeps the dataset's answers. Throws std::logic_error for detections with classes.
Outcomes::Kind outcome_kind(const Dataset& dataset);

// The first of an instance's kTopK classes when it got no answer (BatchOutput::failure).
constexpr std::uint32_t kNoAnswer = UINT32_MAX;

// Before a call to Backend::infer: clears what the backend reports about the call.
inline void begin_infer(BatchOutput& out) {
  out.failure.clear();
  out.reported_inference_s.reset();
}
// How long a call to infer that took `took_s` counts as having taken: a failed one at least
// its failure time (BatchOutput::failure_time_s).
inline double counted_infer_s(const BatchOutput& out, double took_s) {
  return out.failure.empty() ? took_s : std::max(took_s, out.failure_time_s);
}

struct RoundBuffers {
  // classes == 0: the answers are text (lines or detections).
  RoundBuffers(const Dataset& dataset, std::size_t batch_size, std::size_t classes);
  Batch batch;
  BatchOutput output;
  std::vector<std::uint32_t> top;            // kTopK class indices per instance, best first
  std::vector<std::string> texts;            // text answer per instance (classes == 0 only)
  std::vector<double> inference_s, total_s;  // per batch of the round, in batch order
  std::vector<std::uint8_t> failed;          // per instance: 1 when it got no answer
  std::size_t failures = 0;                  // instances of the round that got none
  std::string last_failure;                  // why the last one got none
};

// Records that the instances `ids` got no answer: their classes are kNoAnswer (or their text
// empty) and they are flagged in `failed`.
void mark_failed(std::span<const std::uint32_t> ids, std::uint32_t* top,
                 std::vector<std::string>* texts, std::uint8_t* failed);

// The best min(kTopK, width) classes of one row of scores, best first; the rest of the kTopK
// slots repeat the last one. No allocation.
void top_classes(std::span<const float> scores, std::uint32_t* out);

// Measures one round over `order` in batches of `batch_size`. Returns false when `stop` was set
// before the round ended (the round is then incomplete and must be discarded).
bool measure_round(Dataset& dataset, Backend& backend, std::span<const std::uint32_t> order,
                   std::size_t batch_size, RoundBuffers& buffers, const std::atomic<bool>& stop);

}  // namespace tailq::detail
