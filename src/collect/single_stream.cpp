// The single-stream scenario (the paper's set-up): one query at a time, the next issued when
// the previous one is answered, so there is no queue and total time is pre + inference + post.
#include <algorithm>
#include <chrono>
#include <numeric>
#include <pcg_random.hpp>

#include "collect/measure.hpp"
#include "collect/round_driver.hpp"

namespace tailq::detail {

bool per_instance_batches(const RunSettings& settings) {
  return settings.shuffle_seed.has_value() || settings.load.scenario != Scenario::single_stream;
}

namespace {

class SingleStreamDriver final : public RoundDriver {
 public:
  SingleStreamDriver(Workload& workload, const RunSettings& settings, const std::atomic<bool>& stop)
      : dataset_(*workload.dataset),
        backend_(*workload.backend),
        settings_(settings),
        stop_(stop),
        buffers_(dataset_, settings.batch_size, dataset_.classes().size()),
        order_(dataset_.size()) {}

  bool next_round(std::int64_t index, RoundRecord& record) override {
    std::iota(order_.begin(), order_.end(), 0u);
    if (settings_.shuffle_seed) {
      pcg32 rng(*settings_.shuffle_seed, static_cast<std::uint64_t>(index));
      std::shuffle(order_.begin(), order_.end(), rng);
    }
    record.started_unix_s =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (!measure_round(dataset_, backend_, order_, settings_.batch_size, buffers_, stop_)) {
      return false;
    }
    const std::size_t b = settings_.batch_size;
    if (per_instance_batches(settings_)) {
      record.inference_s.resize(order_.size());
      record.total_s.resize(order_.size());
      for (std::size_t j = 0; j < order_.size(); ++j) {
        record.inference_s[order_[j]] = buffers_.inference_s[j / b];
        record.total_s[order_[j]] = buffers_.total_s[j / b];
      }
    } else {
      record.inference_s = buffers_.inference_s;
      record.total_s = buffers_.total_s;
    }
    record.top = buffers_.top;
    record.texts = buffers_.texts;
    record.failed = buffers_.failed;
    record.failures = buffers_.failures;
    record.last_failure = buffers_.last_failure;
    record.timings.clear();
    return true;
  }

 private:
  Dataset& dataset_;
  Backend& backend_;
  const RunSettings& settings_;
  const std::atomic<bool>& stop_;
  RoundBuffers buffers_;
  std::vector<std::uint32_t> order_;
};

}  // namespace

std::unique_ptr<RoundDriver> make_single_stream_driver(Workload& workload,
                                                       const RunSettings& settings,
                                                       const std::atomic<bool>& stop) {
  return std::make_unique<SingleStreamDriver>(workload, settings, stop);
}

}  // namespace tailq::detail
