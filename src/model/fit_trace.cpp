#include <algorithm>
#include <cmath>

#include "model/tasks.hpp"
#include "model/time_columns.hpp"
#include "tailq/error.hpp"
#include "tailq/fit.hpp"
#include "tailq/round_source.hpp"
#include "tailq/stats.hpp"

namespace tailq {
namespace {

// Per-instance bandwidths use a 2^10-point ISJ grid (see predict.cpp for why).
constexpr std::size_t kInstanceGridPoints = std::size_t{1} << 10;

FitReport::Spread spread(std::string name, std::vector<double> values, bool in_seconds = false) {
  std::erase_if(values, [](double v) { return !std::isfinite(v); });
  FitReport::Spread s;
  s.statistic = std::move(name);
  s.in_seconds = in_seconds;
  if (values.empty()) {
    s.min = s.p5 = s.median = s.p95 = s.max = std::nan("");
    return s;
  }
  std::sort(values.begin(), values.end());
  s.min = values.front();
  s.p5 = percentile_sorted(values, 5);
  s.median = percentile_sorted(values, 50);
  s.p95 = percentile_sorted(values, 95);
  s.max = values.back();
  return s;
}

// A batch's statistics over the measured rounds: its times in round order.
Description describe_batch(std::span<const double> column) {
  Description d = describe(column, false);
  d.bandwidth = isj_bandwidth(column, kInstanceGridPoints);
  return d;
}

// Statistics of every batch's times over the measured rounds, reading the rounds once per chunk
// of batches so that at most `budget` times are held.
std::vector<Description> describe_batches(const TraceReader& trace, TimeKind kind,
                                          std::span<const std::int64_t> rounds, std::size_t budget,
                                          unsigned threads) {
  const std::size_t batches = trace.batch_count();
  const std::size_t chunk = std::max<std::size_t>(1, std::min(batches, budget / rounds.size()));
  std::vector<Description> out(batches);
  for (std::size_t first = 0; first < batches; first += chunk) {
    const std::size_t width = std::min(chunk, batches - first);
    const detail::TimeColumns columns(trace, kind, rounds, first, width, threads);
    detail::run_tasks(
        threads, width, [] {},
        [&](std::size_t b) { out[first + b] = describe_batch(columns.column(b)); });
  }
  return out;
}

// Reads the pooled rounds (every `step`-th measured round) into one round-major vector.
std::vector<double> read_pooled(const TraceReader& trace, TimeKind kind,
                                std::span<const std::int64_t> rounds, std::size_t step) {
  const std::size_t batches = trace.batch_count();
  std::vector<double> pooled, round(batches);
  // Reserved once: each doubling of a vector this large maps (and zeroes) fresh pages.
  pooled.reserve((rounds.size() + step - 1) / step * batches);
  for (std::size_t r = 0; r < rounds.size(); r += step) {
    trace.read_times(rounds[r], kind, round);
    pooled.insert(pooled.end(), round.begin(), round.end());
  }
  return pooled;
}

// The pooled description into `report`, and each batch's, returned.
std::vector<Description> describe_pooled_and_batches(const TraceReader& trace,
                                                     const FitRequest& request,
                                                     std::span<const std::int64_t> rounds,
                                                     FitReport& report) {
  const std::size_t batches = trace.batch_count();
  // Pooled figures: every round while they fit the budget, else evenly spaced rounds.
  const std::size_t step = std::max<std::size_t>(
      1, (rounds.size() * batches + request.pooled_budget - 1) / request.pooled_budget);
  report.pooled_rounds = (rounds.size() + step - 1) / step;
  if (step == 1) {
    // Every round fits: the batches' columns are all the pooled values, whose description
    // (which sorts them) does not depend on their order. It runs on the calling thread while
    // the others start on the batches.
    const detail::TimeColumns columns(trace, request.time, rounds, 0, batches, request.threads);
    std::vector<Description> per_batch(batches);
    detail::run_tasks(
        request.threads, batches, [&] { report.pooled = describe(columns.all(), true); },
        [&](std::size_t b) { per_batch[b] = describe_batch(columns.column(b)); });
    return per_batch;
  }
  std::vector<double> pooled = read_pooled(trace, request.time, rounds, step);
  report.pooled = describe(pooled, true);
  pooled = {};
  return describe_batches(trace, request.time, rounds, request.pooled_budget, request.threads);
}

}  // namespace

FitReport describe_trace(const TraceReader& trace, const FitRequest& request) {
  const std::vector<std::int64_t> rounds = measured_rounds(trace);
  if (rounds.empty()) throw InputError(trace.path().string() + ": no measured rounds");
  FitReport report;
  report.time = std::string(to_string(request.time));
  report.rounds = rounds.size();
  const std::vector<Description> per_batch =
      describe_pooled_and_batches(trace, request, rounds, report);
  const auto& instances = trace.instances();
  std::vector<std::size_t> order(instances.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return per_batch[instances[a].batch].mean > per_batch[instances[b].batch].mean;
  });
  for (std::size_t k = 0; k < std::min(request.slowest, order.size()); ++k) {
    const Instance& in = instances[order[k]];
    report.slowest.push_back({in.name, in.batch, in.input_size, per_batch[in.batch]});
  }

  auto collect = [&](auto field) {
    std::vector<double> v;
    v.reserve(instances.size());
    for (const Instance& in : instances) v.push_back(field(per_batch[in.batch]));
    return v;
  };
  using D = const Description&;
  report.per_instance = {
      spread("mean", collect([](D d) { return d.mean; }), true),
      spread("median", collect([](D d) { return d.median; }), true),
      spread("std", collect([](D d) { return d.std; }), true),
      spread("skewness", collect([](D d) { return d.skewness; })),
      spread("kurtosis", collect([](D d) { return d.kurtosis; })),
      spread("iqr", collect([](D d) { return d.iqr; }), true),
      spread("outliers_iqr", collect([](D d) { return static_cast<double>(d.outliers_iqr); })),
      spread("outliers_sigma", collect([](D d) { return static_cast<double>(d.outliers_sigma); })),
      spread("outliers_mad", collect([](D d) { return static_cast<double>(d.outliers_mad); })),
      spread("bandwidth", collect([](D d) { return d.bandwidth.value; }), true),
  };

  std::vector<double> size, mean, sd;
  for (const Instance& in : instances) {
    if (!in.input_size) continue;
    size.push_back(*in.input_size);
    mean.push_back(per_batch[in.batch].mean);
    sd.push_back(per_batch[in.batch].std);
  }
  if (!size.empty()) {
    report.mean_vs_size = fit_line(size, mean);
    if (std::all_of(sd.begin(), sd.end(), [](double v) { return std::isfinite(v); })) {
      report.std_vs_size = fit_line(size, sd);
    }
  }
  return report;
}

}  // namespace tailq
