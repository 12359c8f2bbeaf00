#include <algorithm>
#include <cmath>

#include "model/tasks.hpp"
#include "tailq/error.hpp"
#include "tailq/fit.hpp"
#include "tailq/round_source.hpp"
#include "tailq/stats.hpp"

namespace tailq {
namespace {

// Per-instance bandwidths use a 2^10-point ISJ grid (see predict.cpp for why).
constexpr std::size_t kInstanceGridPoints = std::size_t{1} << 10;

FitReport::Spread spread(std::string name, std::vector<double> values) {
  std::erase_if(values, [](double v) { return !std::isfinite(v); });
  FitReport::Spread s;
  s.statistic = std::move(name);
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

// Batch-major columns from round-major rows: columns[b * rows + r] = rows_data[r * batches + b].
// Eight rounds at a time, so that each batch's eight values fill one cache line of the output.
std::vector<double> transpose(std::span<const double> rows_data, std::size_t batches) {
  const std::size_t rows = rows_data.size() / batches;
  std::vector<double> columns(rows_data.size());
  constexpr std::size_t kTile = 8;
  for (std::size_t first = 0; first < rows; first += kTile) {
    const std::size_t last = std::min(rows, first + kTile);
    for (std::size_t b = 0; b < batches; ++b) {
      for (std::size_t r = first; r < last; ++r) columns[b * rows + r] = rows_data[r * batches + b];
    }
  }
  return columns;
}

// Statistics of every batch's times over the measured rounds, reading the rounds once per chunk
// of batches so that at most `budget` times are held.
std::vector<Description> describe_batches(const TraceReader& trace, TimeKind kind,
                                          std::span<const std::int64_t> rounds, std::size_t budget,
                                          unsigned threads) {
  const std::size_t batches = trace.batch_count(), r_count = rounds.size();
  const std::size_t chunk = std::max<std::size_t>(1, std::min(batches, budget / r_count));
  std::vector<Description> out(batches);
  std::vector<double> round(batches), columns;
  for (std::size_t first = 0; first < batches; first += chunk) {
    const std::size_t width = std::min(chunk, batches - first);
    columns.assign(width * r_count, 0.0);
    for (std::size_t r = 0; r < r_count; ++r) {
      trace.read_times(rounds[r], kind, round);
      for (std::size_t b = 0; b < width; ++b) columns[b * r_count + r] = round[first + b];
    }
    const auto column = [&](std::size_t b) {
      return std::span<const double>(columns).subspan(b * r_count, r_count);
    };
    detail::run_tasks(
        threads, width, [] {}, [&](std::size_t b) { out[first + b] = describe_batch(column(b)); });
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
  std::vector<double> pooled = read_pooled(trace, request.time, rounds, step);
  report.pooled_rounds = (rounds.size() + step - 1) / step;
  // With every round pooled, the batches' columns are the pooled values rearranged (with one
  // batch, the pooled values themselves) rather than read again, if both fit the budget. The
  // pooled description then runs next to the batches' on the threads.
  if (step == 1 && (batches == 1 || 2 * pooled.size() <= request.pooled_budget)) {
    const std::vector<double> transposed =
        batches == 1 ? std::vector<double>{} : transpose(pooled, batches);
    const std::span<const double> columns = batches == 1 ? pooled : transposed;
    std::vector<Description> per_batch(batches);
    detail::run_tasks(
        request.threads, batches, [&] { report.pooled = describe(pooled, true); },
        [&](std::size_t b) {
          per_batch[b] = describe_batch(columns.subspan(b * rounds.size(), rounds.size()));
        });
    return per_batch;
  }
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
      spread("mean", collect([](D d) { return d.mean; })),
      spread("median", collect([](D d) { return d.median; })),
      spread("std", collect([](D d) { return d.std; })),
      spread("skewness", collect([](D d) { return d.skewness; })),
      spread("kurtosis", collect([](D d) { return d.kurtosis; })),
      spread("iqr", collect([](D d) { return d.iqr; })),
      spread("outliers_iqr", collect([](D d) { return static_cast<double>(d.outliers_iqr); })),
      spread("outliers_sigma", collect([](D d) { return static_cast<double>(d.outliers_sigma); })),
      spread("outliers_mad", collect([](D d) { return static_cast<double>(d.outliers_mad); })),
      spread("bandwidth", collect([](D d) { return d.bandwidth.value; })),
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
