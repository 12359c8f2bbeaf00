#include "collect/measure.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <stdexcept>

namespace tailq::detail {

RoundBuffers::RoundBuffers(const Dataset& dataset, std::size_t batch_size, std::size_t classes) {
  std::size_t per_instance = 1;
  for (std::int64_t d : dataset.instance_shape()) per_instance *= static_cast<std::size_t>(d);
  batch.input.resize(per_instance * batch_size);
  batch.shape.resize(dataset.instance_shape().size() + 1);
  batch.images.resize(batch_size);
  output.scores.resize(classes * batch_size);
  output.width = classes;
  top.resize(kTopK * dataset.size());
  if (classes == 0) {
    output.texts.resize(batch_size);
    texts.resize(dataset.size());
    for (std::string& text : output.texts) text.reserve(answer_capacity(dataset));
    for (std::string& text : texts) text.reserve(answer_capacity(dataset));
  }
  failed.resize(dataset.size());
  const std::size_t batches = (dataset.size() + batch_size - 1) / batch_size;
  inference_s.resize(batches);
  total_s.resize(batches);
}

std::size_t answer_capacity(const Dataset& dataset) {
  return dataset.answers() == Answers::detections ? kDetectionsCapacity : kTextCapacity;
}

Outcomes::Kind outcome_kind(const Dataset& dataset) {
  switch (dataset.answers()) {
    case Answers::classes:
      return Outcomes::Kind::classification;
    case Answers::text:
      return Outcomes::Kind::text;
    case Answers::detections:
      // The detections travel in BatchOutput::texts, which the harness sizes only without classes.
      if (!dataset.classes().empty()) {
        throw std::logic_error(dataset.name() + ": a dataset of detections has no classes");
      }
      return Outcomes::Kind::detection;
  }
  throw std::logic_error("unknown Answers");
}

// A partial insertion sort: width is small.
void top_classes(std::span<const float> scores, std::uint32_t* out) {
  std::size_t kept = 0;
  for (std::size_t c = 0; c < scores.size(); ++c) {
    std::size_t at = kept;
    while (at > 0 && scores[out[at - 1]] < scores[c]) --at;
    if (at >= kTopK) continue;
    for (std::size_t j = std::min(kept, kTopK - 1); j > at; --j) out[j] = out[j - 1];
    out[at] = static_cast<std::uint32_t>(c);
    kept = std::min(kept + 1, kTopK);
  }
  for (std::size_t j = kept; j < kTopK; ++j) out[j] = out[kept ? kept - 1 : 0];
}

void mark_failed(std::span<const std::uint32_t> ids, std::uint32_t* top,
                 std::vector<std::string>* texts, std::uint8_t* failed) {
  for (std::uint32_t id : ids) {
    failed[id] = 1;
    if (texts) {
      (*texts)[id].clear();
    } else {
      std::fill(top + std::size_t{id} * kTopK, top + (std::size_t{id} + 1) * kTopK, kNoAnswer);
    }
  }
}

bool measure_round(Dataset& dataset, Backend& backend, std::span<const std::uint32_t> order,
                   std::size_t batch_size, RoundBuffers& buffers, const std::atomic<bool>& stop) {
  using Clock = std::chrono::steady_clock;
  static_assert(Clock::is_steady);
  const std::size_t width = buffers.output.width;
  std::size_t k = 0;
  std::fill(buffers.failed.begin(), buffers.failed.end(), std::uint8_t{0});
  buffers.failures = 0;
  for (std::size_t first = 0; first < order.size(); first += batch_size, ++k) {
    if (stop.load(std::memory_order_relaxed)) return false;
    const auto ids = order.subspan(first, std::min(batch_size, order.size() - first));
    const auto t0 = Clock::now();
    dataset.prepare(ids, buffers.batch);
    const auto t1 = Clock::now();
    begin_infer(buffers.output);
    backend.infer(buffers.batch, buffers.output);
    backend.synchronize();
    const auto t2 = Clock::now();
    const bool failed = !buffers.output.failure.empty();
    if (failed) {
      mark_failed(ids, buffers.top.data(), buffers.texts.empty() ? nullptr : &buffers.texts,
                  buffers.failed.data());
      buffers.failures += ids.size();
      buffers.last_failure = buffers.output.failure;
    } else if (!buffers.texts.empty()) {
      // Copy-assignment reuses the reserved capacity: no allocation for a typical line.
      for (std::size_t i = 0; i < ids.size(); ++i) buffers.texts[ids[i]] = buffers.output.texts[i];
    } else {
      for (std::size_t i = 0; i < ids.size(); ++i) {
        top_classes(std::span<const float>(buffers.output.scores).subspan(i * width, width),
                    &buffers.top[ids[i] * kTopK]);
      }
    }
    const auto t3 = Clock::now();
    const double took = std::chrono::duration<double>(t2 - t1).count();
    const double counted = counted_infer_s(buffers.output, took);
    buffers.inference_s[k] =
        failed ? counted : buffers.output.reported_inference_s.value_or(counted);
    buffers.total_s[k] = std::chrono::duration<double>(t3 - t0).count() + (counted - took);
  }
  return true;
}

}  // namespace tailq::detail
