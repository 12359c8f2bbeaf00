// Microbenchmarks of the engine's hot parts. The end-to-end comparison against numpy is
// bench/analyze_vs_numpy.py; it also runs BM_ReadStore and BM_AnalyzeTraceInMemory here on its
// trace (TAILQ_BENCH_TRACE).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <span>
#include <vector>

#include "analyse/deadline_index.hpp"
#include "analyse/pooled_latency.hpp"
#include "analyse/scoring.hpp"
#include "tailq/engine.hpp"
#include "tailq/predict.hpp"
#include "tailq/round_source.hpp"
#include "tailq/trace.hpp"

namespace {

struct Workload {
  std::vector<double> times;
  std::vector<std::uint32_t> batch_of;
  tailq::Outcomes outcomes;
  std::size_t batches;
};

Workload make_workload(std::size_t rounds, std::size_t instances) {
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> t(std::log(0.004), 0.1);
  std::bernoulli_distribution right(0.76);
  Workload w;
  w.batches = instances;
  w.times.resize(rounds * instances);
  for (double& v : w.times) v = t(rng);
  for (std::size_t i = 0; i < instances; ++i) {
    w.batch_of.push_back(static_cast<std::uint32_t>(i));
    w.outcomes.labels.push_back("a");
    w.outcomes.predictions.push_back(right(rng) ? "a" : "b");
  }
  return w;
}

// Full analysis in memory: 100 sweep deadlines plus 4 percentiles, as `tailq analyze --sweep 100`.
void BM_AnalyzeInMemory(benchmark::State& state) {
  const Workload w = make_workload(static_cast<std::size_t>(state.range(0)), 50000);
  const auto metric = tailq::make_metric("accuracy", w.outcomes);
  tailq::AnalysisRequest request;
  request.thresholds = tailq::parse_thresholds("p90,p95,p99,p99.9");
  request.sweep = 100;
  request.threads = static_cast<unsigned>(state.range(1));
  const tailq::MatrixRoundSource source(w.times, w.batches);
  for (auto _ : state) {
    benchmark::DoNotOptimize(tailq::analyze(source, w.batch_of, *metric, request));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(w.times.size()));
}
BENCHMARK(BM_AnalyzeInMemory)->Args({100, 1})->Args({100, 2})->Unit(benchmark::kMillisecond);

void BM_PooledScan(benchmark::State& state) {
  const Workload w = make_workload(100, 50000);
  const tailq::MatrixRoundSource source(w.times, w.batches);
  for (auto _ : state) {
    benchmark::DoNotOptimize(tailq::detail::PooledTimes::scan(source, 1));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(w.times.size()));
}
BENCHMARK(BM_PooledScan)->Unit(benchmark::kMillisecond);

// The scoring pass alone (accuracy), against arg(0) deadlines from the arg(1)-th percentile of
// the times to their 99th.
void BM_ScoreAdditive(benchmark::State& state) {
  const Workload w = make_workload(100, 50000);
  const auto metric = tailq::make_metric("accuracy", w.outcomes);
  const auto& additive = dynamic_cast<const tailq::AdditiveMetric&>(*metric);
  const tailq::detail::BatchDeltas deltas(additive, w.batch_of, w.batches);
  const double first = state.range(1) == 1 ? 0.0032 : 0.0046;  // lognormal(4 ms, 0.1): p1, p92
  const auto deadlines = tailq::linspace(first, 0.005, static_cast<std::size_t>(state.range(0)));
  const tailq::MatrixRoundSource source(w.times, w.batches);
  for (auto _ : state) {
    benchmark::DoNotOptimize(tailq::detail::score_additive(source, additive, deltas, deadlines, 1));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(w.times.size()));
}
BENCHMARK(BM_ScoreAdditive)
    ->Args({1, 1})
    ->Args({8, 1})
    ->Args({104, 1})
    ->Args({8, 92})
    ->Unit(benchmark::kMillisecond);

// The table lookup against the binary search it replaces.
void BM_DeadlineIndex(benchmark::State& state) {
  const Workload w = make_workload(10, 50000);
  // From a third into the times: a third of them lie below every deadline.
  const auto deadlines = tailq::linspace(0.0038, 0.006, 104);
  const tailq::detail::DeadlineIndex index(deadlines);
  for (auto _ : state) {
    std::size_t sum = 0;
    for (double t : w.times) sum += index.first_not_below(t);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(w.times.size()));
}
BENCHMARK(BM_DeadlineIndex)->Unit(benchmark::kMillisecond);

void BM_LowerBound(benchmark::State& state) {
  const Workload w = make_workload(10, 50000);
  const auto deadlines = tailq::linspace(0.003, 0.006, 104);
  for (auto _ : state) {
    std::size_t sum = 0;
    for (double t : w.times) {
      sum += static_cast<std::size_t>(std::lower_bound(deadlines.begin(), deadlines.end(), t) -
                                      deadlines.begin());
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(w.times.size()));
}
BENCHMARK(BM_LowerBound)->Unit(benchmark::kMillisecond);

// The trace file a benchmark reads (TAILQ_BENCH_TRACE); null, with the benchmark skipped, when
// none is given.
const char* bench_trace(benchmark::State& state) {
  const char* path = std::getenv("TAILQ_BENCH_TRACE");
  if (!path) state.SkipWithError("set TAILQ_BENCH_TRACE to a trace file");
  return path;
}

// Reading every measured round of one kind from a trace file: the floor for `tailq analyze`.
void BM_ReadStore(benchmark::State& state) {
  const char* path = bench_trace(state);
  if (!path) return;
  const tailq::TraceReader trace(path);
  const auto rounds = tailq::measured_rounds(trace);
  std::vector<double> buffer(trace.batch_count());
  for (auto _ : state) {
    tailq::TimesCursor cursor(path, tailq::TimeKind::total);
    for (std::int64_t r : rounds) cursor.read(r, buffer);
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(rounds.size() * buffer.size() * 8));
}
BENCHMARK(BM_ReadStore)->Unit(benchmark::kMillisecond)->UseRealTime();

// The analysis alone, on the trace's measured times already in memory, as numpy has them in
// bench/analyze_vs_numpy.py: that script's request (p90, p95, p99, p99.9 and a 100-deadline
// sweep) on every core, without the precision estimate, which numpy does not compute.
void BM_AnalyzeTraceInMemory(benchmark::State& state) {
  const char* path = bench_trace(state);
  if (!path) return;
  const tailq::TraceReader trace(path);
  const auto rounds = tailq::measured_rounds(trace);
  const std::size_t batches = trace.batch_count();
  std::vector<double> times(rounds.size() * batches);
  tailq::TimesCursor cursor(path, tailq::TimeKind::total);
  for (std::size_t r = 0; r < rounds.size(); ++r) {
    cursor.read(rounds[r], std::span(times).subspan(r * batches, batches));
  }
  const auto metric = tailq::make_metric(trace.experiment().metric, trace.outcomes());
  tailq::AnalysisRequest request;
  request.thresholds = tailq::parse_thresholds("p90,p95,p99,p99.9");
  request.sweep = 100;
  const tailq::MatrixRoundSource source(times, batches);
  for (auto _ : state) {
    benchmark::DoNotOptimize(tailq::analyze(source, trace.batch_of_instance(), *metric, request));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(times.size()));
}
BENCHMARK(BM_AnalyzeTraceInMemory)->Unit(benchmark::kMillisecond)->UseRealTime();

// Monte Carlo: simulated batch times per second on one core (goal: 1e8).
void BM_SimulateRound(benchmark::State& state) {
  const std::size_t batches = 50000, training = 100;
  std::mt19937_64 rng(2);
  std::lognormal_distribution<double> t(std::log(0.004), 0.1);
  std::vector<double> rounds(batches * training);
  for (double& v : rounds) v = t(rng);
  const auto kind =
      state.range(0) ? tailq::TimeModelKind::round_effect : tailq::TimeModelKind::independent;
  const tailq::TimeModel model(rounds, batches, kind, 2);
  std::vector<double> out(batches);
  std::uint64_t round = 0;
  for (auto _ : state) {
    model.simulate(1, round++, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batches));
}
BENCHMARK(BM_SimulateRound)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
