#include "tailq/convergence.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <string>
#include <thread>

#include "analyse/fine_histogram.hpp"
#include "collect/byte_codec.hpp"
#include "model/binned_kde.hpp"
#include "model/distinct_count.hpp"
#include "tailq/density.hpp"
#include "tailq/divergence.hpp"
#include "tailq/error.hpp"
#include "tailq/round_source.hpp"
#include "tailq/run_options.hpp"
#include "tailq/thresholds.hpp"

namespace tailq {
namespace {

constexpr std::size_t kGridPoints = std::size_t{1} << 14;          // Botev's ISJ grid
constexpr double kDensityFloor = 1e-8;                             // added before the JS distance
constexpr std::size_t kInstanceGridPoints = std::size_t{1} << 10;  // per-instance fits

// A fitted density kept as values on an even grid, evaluated by linear interpolation.
struct GridDensity {
  double lo = 0, dx = 1;
  std::vector<double> values;
  double bandwidth = 0;
  double at(double x) const {
    const double u = (x - lo) / dx;
    if (!(u >= 0) || u > static_cast<double>(values.size() - 1)) return 0.0;
    const auto i = std::min(static_cast<std::size_t>(u), values.size() - 2);
    const double f = u - static_cast<double>(i);
    return values[i] * (1 - f) + values[i + 1] * f;
  }
};

// rJSD of the newest of `fits` against the `window` before it, on eval_points points over
// [lo, hi].
double rjsd_of(const std::deque<GridDensity>& fits, double lo, double hi,
               const ConvergenceSettings& settings) {
  const std::size_t window = settings.window;
  const std::vector<double> points = linspace(lo, hi, settings.eval_points);
  const GridDensity& latest = fits.back();
  std::vector<double> p(points.size()), q(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) p[i] = latest.at(points[i]) + kDensityFloor;
  double distances = 0;
  for (std::size_t j = 0; j < window; ++j) {
    const GridDensity& earlier = fits[fits.size() - 1 - window + j];
    for (std::size_t i = 0; i < points.size(); ++i) q[i] = earlier.at(points[i]) + kDensityFloor;
    distances += js_distance(p, q);
  }
  return std::sqrt(distances / static_cast<double>(window));
}

}  // namespace

ConvergenceSettings::Schedule parse_schedule(std::string_view text) {
  if (text == "sliding") return ConvergenceSettings::Schedule::sliding;
  if (text == "paper") return ConvergenceSettings::Schedule::paper;
  throw OptionError("schedule", "expected 'sliding' or 'paper', got '" + std::string(text) + "'");
}

struct RjsdMonitor::Impl {
  ConvergenceSettings settings;
  std::size_t rounds = 0;
  std::size_t fits = 0;
  std::size_t first_fit = 0;  // fits before first_fit - window are counted, not computed
  // All times so far: count, extremes, moments (Welford, merged per round) and histogram.
  std::uint64_t count = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double mean = 0, m2 = 0;
  detail::FineHistogram histogram;
  detail::DistinctCount distinct;
  std::deque<GridDensity> fits_kept;  // newest last, at most window + 1
  std::vector<RjsdPoint> series;

  GridDensity fit() const;
};

GridDensity RjsdMonitor::Impl::fit() const {
  const double sd = count > 1 ? std::sqrt(m2 / static_cast<double>(count - 1)) : 0.0;
  const double range = max - min;
  GridDensity g;
  if (!(range > 0)) {
    // Constant times: no ISJ; the fallback width and a grid around the single value.
    const std::vector<double> one = {min};
    g.bandwidth = isj_bandwidth(one).value;
    const double lo = min - 4 * g.bandwidth, hi = max + 4 * g.bandwidth;
    g.lo = lo;
    g.dx = (hi - lo) / static_cast<double>(kGridPoints - 1);
    std::vector<double> binned(kGridPoints, 0.0);
    binned[kGridPoints / 2] = static_cast<double>(count);
    g.values = detail::smooth_binned(binned, g.dx, g.bandwidth);
    return g;
  }
  // Botev's grid: the data range padded by half of it on each side.
  const double lo = min - range / 2, hi = max + range / 2;
  g.lo = lo;
  g.dx = (hi - lo) / static_cast<double>(kGridPoints - 1);
  std::vector<double> binned(kGridPoints, 0.0);
  histogram.for_each_bin([&](std::uint64_t key, std::uint64_t n) {
    // The bin's middle stands for its times (bins are 2^-16 relative, far below dx).
    const double x =
        std::clamp(0.5 * (detail::bin_floor(key) + detail::bin_floor(key + 1)), min, max);
    const double u = (x - lo) / g.dx;
    const auto i = std::min(static_cast<std::size_t>(u), kGridPoints - 2);
    const double f = u - static_cast<double>(i);
    binned[i] += static_cast<double>(n) * (1 - f);
    binned[i + 1] += static_cast<double>(n) * f;
  });
  const auto distinct_values = static_cast<std::size_t>(std::llround(distinct.count()));
  // Quartiles to the grid's resolution: only the Silverman fallback uses them.
  double iqr = 0;
  {
    double below = 0;
    double q1 = lo, q3 = lo;
    const double n = static_cast<double>(count);
    for (std::size_t i = 0; i < kGridPoints; ++i) {
      if (below < 0.25 * n && below + binned[i] >= 0.25 * n)
        q1 = lo + static_cast<double>(i) * g.dx;
      if (below < 0.75 * n && below + binned[i] >= 0.75 * n)
        q3 = lo + static_cast<double>(i) * g.dx;
      below += binned[i];
    }
    iqr = q3 - q1;
  }
  // The estimate may land a little above the count; there are never more distinct values.
  const std::size_t n_distinct = std::clamp<std::size_t>(distinct_values, 1, count);
  g.bandwidth = isj_bandwidth_binned(binned, lo, hi, count, n_distinct, sd, iqr).value;
  g.values = detail::smooth_binned(binned, g.dx, g.bandwidth);
  return g;
}

RjsdMonitor::RjsdMonitor(ConvergenceSettings settings) : impl_(std::make_unique<Impl>()) {
  // The window's fits are all kept in memory, and window + 1 must not wrap around.
  constexpr std::size_t kMaxWindow = 1'000'000, kMaxEvalPoints = 1'000'000;
  if (settings.fit_every == 0) throw OptionError("fit_every", "must be at least 1");
  if (settings.window == 0 || settings.window > kMaxWindow) {
    throw OptionError("window", "must be between 1 and 1,000,000 fits");
  }
  if (settings.eval_points < 2 || settings.eval_points > kMaxEvalPoints) {
    throw OptionError("eval_points", "must be between 2 and 1,000,000 points");
  }
  if (!(settings.tau >= 0)) throw OptionError("tau", "must be a number >= 0");
  impl_->settings = settings;
}
RjsdMonitor::RjsdMonitor(RjsdMonitor&&) noexcept = default;
RjsdMonitor& RjsdMonitor::operator=(RjsdMonitor&&) noexcept = default;
RjsdMonitor::~RjsdMonitor() = default;

void RjsdMonitor::skip_fits_before(std::size_t first) { impl_->first_fit = first; }
std::size_t RjsdMonitor::rounds() const { return impl_->rounds; }
const std::vector<RjsdPoint>& RjsdMonitor::series() const { return impl_->series; }
const ConvergenceSettings& RjsdMonitor::settings() const { return impl_->settings; }
bool RjsdMonitor::converged() const {
  return !impl_->series.empty() && impl_->series.back().rjsd <= impl_->settings.tau;
}

std::optional<double> RjsdMonitor::add_round(std::span<const double> times) {
  Impl& d = *impl_;
  if (times.empty()) throw InputError("convergence: a round without times");
  // Moments of this round (two passes), then merged with the earlier ones (Chan et al.).
  double sum = 0;
  bool valid = true;
  for (double t : times) {
    valid &= t >= 0 && !std::isinf(t);
    sum += t;
  }
  if (!valid) {
    const auto bad = std::find_if(times.begin(), times.end(),
                                  [](double t) { return !(t >= 0) || std::isinf(t); });
    throw InputError("convergence: time " + std::to_string(*bad) +
                     " is not a finite, non-negative number of seconds");
  }
  const std::size_t k = times.size();
  const double round_mean = sum / static_cast<double>(k);
  double round_m2 = 0;
  for (double t : times) {
    round_m2 += (t - round_mean) * (t - round_mean);
    d.min = std::min(d.min, t);
    d.max = std::max(d.max, t);
    d.histogram.add(detail::key_of(t));
    d.distinct.add(t);
  }
  const double n_a = static_cast<double>(d.count), n_b = static_cast<double>(k);
  const double delta = round_mean - d.mean;
  d.mean += delta * n_b / (n_a + n_b);
  d.m2 += round_m2 + delta * delta * n_a * n_b / (n_a + n_b);
  d.count += k;
  ++d.rounds;

  if (d.rounds % d.settings.fit_every != 0) return std::nullopt;
  const std::size_t window = d.settings.window;
  if (d.fits++ + window < d.first_fit) return std::nullopt;
  d.fits_kept.push_back(d.fit());
  if (d.fits_kept.size() > window + 1) d.fits_kept.pop_front();
  const bool due =
      d.settings.schedule == ConvergenceSettings::Schedule::sliding || d.fits % window == 0;
  if (d.fits_kept.size() < window + 1 || !due) return std::nullopt;

  const double rjsd = rjsd_of(d.fits_kept, d.min, d.max, d.settings);
  d.series.push_back({d.rounds, rjsd, d.fits_kept.back().bandwidth});
  return rjsd;
}

}  // namespace tailq

namespace tailq {

struct InstanceRjsdMonitor::Impl {
  ConvergenceSettings settings;
  std::vector<std::size_t> batches;
  std::vector<std::vector<double>> times;     // per tracked batch, all rounds so far
  std::vector<std::deque<GridDensity>> fits;  // per tracked batch, newest last
  std::size_t rounds = 0, fit_count = 0;
  std::size_t first_fit = 0;  // as RjsdMonitor's
};

InstanceRjsdMonitor::InstanceRjsdMonitor(ConvergenceSettings settings,
                                         std::vector<std::size_t> batches)
    : impl_(std::make_unique<Impl>()) {
  RjsdMonitor check(settings);  // validates the settings
  impl_->settings = settings;
  impl_->times.resize(batches.size());
  impl_->fits.resize(batches.size());
  impl_->batches = std::move(batches);
}
InstanceRjsdMonitor::InstanceRjsdMonitor(InstanceRjsdMonitor&&) noexcept = default;
InstanceRjsdMonitor::~InstanceRjsdMonitor() = default;
void InstanceRjsdMonitor::skip_fits_before(std::size_t first) { impl_->first_fit = first; }

std::optional<double> InstanceRjsdMonitor::add_round(std::span<const double> times) {
  Impl& d = *impl_;
  for (std::size_t k = 0; k < d.batches.size(); ++k) {
    if (d.batches[k] >= times.size()) {
      throw InputError("convergence: batch " + std::to_string(d.batches[k]) +
                       " outside a round of " + std::to_string(times.size()));
    }
    d.times[k].push_back(times[d.batches[k]]);
  }
  ++d.rounds;
  if (d.rounds % d.settings.fit_every != 0 || d.batches.empty()) return std::nullopt;
  const std::size_t window = d.settings.window;
  if (d.fit_count++ + window < d.first_fit) return std::nullopt;
  std::size_t converged = 0;
  bool evaluated = false;
  for (std::size_t k = 0; k < d.batches.size(); ++k) {
    const std::vector<double>& x = d.times[k];
    const Kde kde(x, isj_bandwidth(x, kInstanceGridPoints), kInstanceGridPoints);
    GridDensity g;
    g.lo = kde.grid().front();
    g.dx = kde.grid()[1] - kde.grid()[0];
    g.values.assign(kde.density().begin(), kde.density().end());
    g.bandwidth = kde.bandwidth().value;
    auto& kept = d.fits[k];
    kept.push_back(std::move(g));
    if (kept.size() > window + 1) kept.pop_front();
    const bool due =
        d.settings.schedule == ConvergenceSettings::Schedule::sliding || d.fit_count % window == 0;
    if (kept.size() < window + 1 || !due) continue;
    evaluated = true;
    const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
    if (rjsd_of(kept, *lo, *hi, d.settings) <= d.settings.tau) ++converged;
  }
  if (!evaluated) return std::nullopt;
  return static_cast<double>(converged) / static_cast<double>(d.batches.size());
}

namespace {

using detail::ByteReader;
using detail::ByteWriter;

// Both kinds' monitors over the first `fed` measured rounds, computing the fits from
// `first_fit` on: their evaluations, encoded as points without their round index.
std::string replay_share(const TraceReader& trace, const ConvergenceSettings& settings,
                         std::span<const std::int64_t> rounds,
                         const std::vector<std::size_t>& sampled, std::size_t first_fit) {
  const std::size_t batches = trace.batch_count();
  // The two kinds are independent: one thread each, with its own connection.
  RjsdMonitor inference(settings), total(settings);
  std::vector<std::optional<double>> inference_instances, total_instances;
  auto replay = [&](RjsdMonitor& monitor, TimeKind kind, auto& fractions) {
    InstanceRjsdMonitor per_instance(settings, sampled);
    monitor.skip_fits_before(first_fit);
    per_instance.skip_fits_before(first_fit);
    TimesCursor cursor(trace.path(), kind);
    std::vector<double> times(batches);
    for (std::int64_t round : rounds) {
      cursor.read(round, times);
      const auto pooled = monitor.add_round(times);
      const auto fraction = per_instance.add_round(times);
      if (pooled) fractions.push_back(fraction);
    }
  };
  std::exception_ptr error;
  std::thread worker([&] {
    try {
      replay(total, TimeKind::total, total_instances);
    } catch (...) {
      error = std::current_exception();
    }
  });
  try {
    replay(inference, TimeKind::inference, inference_instances);
  } catch (...) {
    worker.join();
    throw;
  }
  worker.join();
  if (error) std::rethrow_exception(error);

  // Both monitors evaluate after the same rounds.
  ByteWriter out;
  out.put<std::uint64_t>(inference.series().size());
  auto put_fraction = [&](const std::optional<double>& f) {
    out.put<std::uint8_t>(f.has_value());
    out.put(f.value_or(0.0));
  };
  for (std::size_t i = 0; i < inference.series().size(); ++i) {
    const RjsdPoint& a = inference.series()[i];
    const RjsdPoint& b = total.series()[i];
    out.put<std::uint64_t>(a.round);
    for (double x : {a.rjsd, b.rjsd, a.bandwidth, b.bandwidth}) out.put(x);
    put_fraction(inference_instances[i]);
    put_fraction(total_instances[i]);
  }
  return out.bytes();
}

void read_points(ByteReader& in, std::span<const std::int64_t> rounds, ConvergenceReport& report) {
  auto get_fraction = [&]() -> std::optional<double> {
    const bool has = in.get<std::uint8_t>() != 0;
    const double value = in.get<double>();
    return has ? std::optional(value) : std::nullopt;
  };
  for (auto n = in.get<std::uint64_t>(); n > 0; --n) {
    ConvergenceReport::Point& p = report.rjsd.emplace_back();
    p.round = static_cast<std::size_t>(in.get<std::uint64_t>());
    p.round_index = rounds[p.round - 1];
    p.inference = in.get<double>();
    p.total = in.get<double>();
    p.inference_bandwidth = in.get<double>();
    p.total_bandwidth = in.get<double>();
    p.inference_instances = get_fraction();
    p.total_instances = get_fraction();
  }
}

}  // namespace

ConvergenceReport replay_convergence(const TraceReader& trace, const ConvergenceSettings& settings,
                                     std::size_t instance_sample) {
  Shards alone;
  return replay_convergence(trace, settings, instance_sample, alone);
}

ConvergenceReport replay_convergence(const TraceReader& trace, const ConvergenceSettings& settings,
                                     std::size_t instance_sample, Shards& shards) {
  RjsdMonitor check(settings);  // refuses bad settings on every rank alike
  ConvergenceReport report;
  report.settings = settings;
  const std::vector<std::int64_t> rounds = measured_rounds(trace);
  report.rounds = rounds.size();
  std::vector<std::size_t> sampled;
  const std::size_t batches = trace.batch_count();
  const std::size_t k = std::min(instance_sample, batches);
  for (std::size_t i = 0; i < k; ++i) sampled.push_back(i * batches / k);
  report.instances_sampled = k;
  // Each rank its share of the fits, replaying the rounds up to its last fit: every rank reads
  // and counts the rounds before its share again, but each fit is computed once, except the
  // `window` fits before a share's first, which its first evaluation compares with.
  const std::vector<std::string> parts = shards.gather([&] {
    const auto [first_fit, last_fit] = shards.share(rounds.size() / settings.fit_every);
    const std::size_t fed = last_fit > first_fit ? last_fit * settings.fit_every : 0;
    return replay_share(trace, settings, std::span(rounds).first(fed), sampled, first_fit);
  });
  for (const std::string& part : parts) {
    ByteReader in(part);
    read_points(in, rounds, report);
  }
  for (std::size_t i = 0; i < report.rjsd.size() && !report.converged_at; ++i) {
    if (report.rjsd[i].inference <= settings.tau && report.rjsd[i].total <= settings.tau) {
      report.converged_at = i;
    }
  }
  return report;
}

}  // namespace tailq
