// The harness's own cost per batch: a round of a dataset whose pre-processing is a copy and a
// backend that does no work, so what is measured is the clock reads, the calls and the top-5
// post-processing. (That the timed regions allocate nothing is tests/harness_alloc_test.cpp.)
#include <benchmark/benchmark.h>

#include <atomic>
#include <numeric>

#include "collect/measure.hpp"
#include "collect/sleep_workload.hpp"

namespace {

class EmptyBackend final : public tailq::Backend {
 public:
  std::string description() const override { return "empty"; }
  void infer(const tailq::Batch& batch, tailq::BatchOutput& out) override {
    benchmark::DoNotOptimize(out.scores.data());
    (void)batch;
  }
};

void BM_HarnessPerBatch(benchmark::State& state) {
  const auto batch_size = static_cast<std::size_t>(state.range(0));
  const std::size_t n = 10000, classes = 10;
  auto dataset = tailq::make_sleep_dataset(n);
  EmptyBackend backend;
  tailq::detail::RoundBuffers buffers(*dataset, batch_size, classes);
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::atomic<bool> stop{false};
  for (auto _ : state) {
    tailq::detail::measure_round(*dataset, backend, order, batch_size, buffers, stop);
  }
  const auto batches = static_cast<std::int64_t>((n + batch_size - 1) / batch_size);
  state.SetItemsProcessed(state.iterations() * batches);
  state.counters["ns_per_batch"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batches),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_HarnessPerBatch)->Arg(1)->Arg(32)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
