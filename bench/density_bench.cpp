// Microbenchmarks of the density code: ISJ, the FFT KDE and the Jensen-Shannon distance, on
// latency-like lognormal samples. bench/kde_vs_scipy.py runs BM_IsjKdeFitEval against
// scipy.stats.gaussian_kde doing the same job.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "tailq/density.hpp"
#include "tailq/divergence.hpp"

namespace {

std::vector<double> lognormal_times(std::size_t n) {
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> t(std::log(0.004), 0.25);
  std::vector<double> v(n);
  for (double& x : v) x = t(rng);
  return v;
}

std::vector<double> evaluation_grid(const std::vector<double>& data, std::size_t points) {
  const auto [lo, hi] = std::minmax_element(data.begin(), data.end());
  std::vector<double> x(points);
  for (std::size_t i = 0; i < points; ++i) {
    x[i] = *lo + (*hi - *lo) * static_cast<double>(i) / static_cast<double>(points - 1);
  }
  return x;
}

// What a convergence check does per fit (method 4a): bandwidth, fit, density on 1000 points.
void BM_IsjKdeFitEval(benchmark::State& state) {
  const auto data = lognormal_times(static_cast<std::size_t>(state.range(0)));
  const auto x = evaluation_grid(data, 1000);
  std::vector<double> pdf(x.size());
  for (auto _ : state) {
    const tailq::Kde kde(data, tailq::isj_bandwidth(data));
    kde.pdf(x, pdf);
    benchmark::DoNotOptimize(pdf.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_IsjKdeFitEval)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_Isj(benchmark::State& state) {
  const auto data = lognormal_times(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(tailq::isj_bandwidth(data));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Isj)->Arg(1000)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_KdeFit(benchmark::State& state) {
  const auto data = lognormal_times(static_cast<std::size_t>(state.range(0)));
  const tailq::Bandwidth h = tailq::isj_bandwidth(data);
  for (auto _ : state) {
    const tailq::Kde kde(data, h);
    benchmark::DoNotOptimize(kde.density().data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_KdeFit)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_JsDistance(benchmark::State& state) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> p(static_cast<std::size_t>(state.range(0))), q(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    p[i] = u(rng) + 1e-8;
    q[i] = u(rng) + 1e-8;
  }
  for (auto _ : state) benchmark::DoNotOptimize(tailq::js_distance(p, q));
}
BENCHMARK(BM_JsDistance)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
