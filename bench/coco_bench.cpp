// COCO AP over subsets of on-time images (docs/detection.md, "Subsets"): the cost of one
// evaluation once matching is done, against re-evaluating each subset from scratch. The goal
// is 1,000 rounds x 104 deadlines on 500 images x 100 detections in 10 s on 2 cores, i.e.
// about 0.19 ms per evaluation.
#include <benchmark/benchmark.h>

#include <random>

#include "tailq/coco.hpp"

namespace {

using tailq::CocoBox;
using tailq::CocoDataset;

// DETR-like output: 100 detections per image, three near each of ~7 truths, the rest spread
// over the image with lower scores; 10 categories; some crowds.
CocoDataset make_dataset(std::size_t images) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> jitter(0, 0.05);
  CocoDataset d{images, 10, {}, {}};
  for (std::size_t i = 0; i < images; ++i) {
    std::size_t placed = 0;
    for (int g = 0; g < 7; ++g) {
      const double s = 10 + 190 * u(rng) * u(rng);
      const CocoBox b{400 * u(rng), 400 * u(rng), s, s * (0.6 + 0.8 * u(rng))};
      const auto category = static_cast<std::size_t>(u(rng) * 10);
      d.ground_truths.push_back({i, category, b, b.width * b.height * 0.8, u(rng) < 0.05});
      for (int k = 0; k < 3; ++k, ++placed) {
        const CocoBox j{b.x + jitter(rng) * b.width, b.y + jitter(rng) * b.height,
                        b.width * (1 + jitter(rng)), b.height * (1 + jitter(rng))};
        d.detections.push_back({i, category, j, 0.3 + 0.7 * u(rng)});
      }
    }
    for (; placed < 100; ++placed) {
      const double s = 10 + 150 * u(rng);
      d.detections.push_back({i, static_cast<std::size_t>(u(rng) * 10),
                              CocoBox{400 * u(rng), 400 * u(rng), s, s}, 0.4 * u(rng)});
    }
  }
  return d;
}

std::vector<std::uint8_t> make_mask(std::size_t images, double on_time) {
  std::mt19937_64 rng(3);
  std::bernoulli_distribution on(on_time);
  std::vector<std::uint8_t> mask(images);
  for (auto& m : mask) m = on(rng);
  return mask;
}

const CocoDataset& dataset() {
  static const CocoDataset d = make_dataset(500);
  return d;
}

void BM_CocoMatchOnce(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(tailq::CocoEvaluation(dataset()));
}
BENCHMARK(BM_CocoMatchOnce)->Unit(benchmark::kMillisecond);

// One round at one deadline: what the Metric's quality() costs.
void BM_CocoApSubset(benchmark::State& state) {
  const tailq::CocoEvaluation e(dataset());
  const auto mask = make_mask(500, static_cast<double>(state.range(0)) / 100);
  for (auto _ : state) benchmark::DoNotOptimize(e.average_precision(mask));
}
BENCHMARK(BM_CocoApSubset)->Arg(100)->Arg(90)->Arg(50)->Unit(benchmark::kMicrosecond);

void BM_CocoSummarySubset(benchmark::State& state) {
  const tailq::CocoEvaluation e(dataset());
  const auto mask = make_mask(500, 0.9);
  for (auto _ : state) benchmark::DoNotOptimize(e.summary(mask));
}
BENCHMARK(BM_CocoSummarySubset)->Unit(benchmark::kMicrosecond);

// The straightforward way: drop the late images' detections and evaluate from scratch.
void BM_CocoRematchSubset(benchmark::State& state) {
  const auto mask = make_mask(500, 0.9);
  for (auto _ : state) {
    CocoDataset d = dataset();
    std::erase_if(d.detections, [&](const tailq::CocoDetection& x) { return !mask[x.image]; });
    benchmark::DoNotOptimize(tailq::CocoEvaluation(d).average_precision(mask));
  }
}
BENCHMARK(BM_CocoRematchSubset)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
