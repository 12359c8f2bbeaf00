// The timed part of a round: for every batch, pre-processing, inference (until the device is
// done) and post-processing, each read from the monotonic clock. Nothing here allocates or
// does I/O: buffers are sized once for the largest batch.
#pragma once

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

struct RoundBuffers {
  // classes == 0: the answers are text (lines or detections).
  RoundBuffers(const Dataset& dataset, std::size_t batch_size, std::size_t classes);
  Batch batch;
  BatchOutput output;
  std::vector<std::uint32_t> top;            // kTopK class indices per instance, best first
  std::vector<std::string> texts;            // text answer per instance (classes == 0 only)
  std::vector<double> inference_s, total_s;  // per batch of the round, in batch order
};

// The best min(kTopK, width) classes of one row of scores, best first; the rest of the kTopK
// slots repeat the last one. No allocation.
void top_classes(std::span<const float> scores, std::uint32_t* out);

// Measures one round over `order` in batches of `batch_size`. Returns false when `stop` was set
// before the round ended (the round is then incomplete and must be discarded).
bool measure_round(Dataset& dataset, Backend& backend, std::span<const std::uint32_t> order,
                   std::size_t batch_size, RoundBuffers& buffers, const std::atomic<bool>& stop);

}  // namespace tailq::detail
