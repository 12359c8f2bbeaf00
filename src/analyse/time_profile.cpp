#include "tailq/time_profile.hpp"

#include <algorithm>
#include <cmath>

#include "tailq/density.hpp"
#include "tailq/round_source.hpp"
#include "tailq/thresholds.hpp"

namespace tailq {
namespace {

// Bin edges between lo and hi, even in time or in log(time).
std::vector<double> edges(const TimeProfileRequest& r, std::size_t count) {
  const bool geometric = r.geometric && r.lo > 0;
  std::vector<double> e =
      geometric ? linspace(std::log(r.lo), std::log(r.hi), count) : linspace(r.lo, r.hi, count);
  if (geometric) {
    for (double& x : e) x = std::exp(x);
  }
  return e;
}

}  // namespace

TimeProfile profile_times(const TraceReader& trace, const TimeProfileRequest& request) {
  const auto rounds = measured_rounds(trace);
  TimeProfile p;
  std::vector<double> sample, times(trace.batch_count());
  p.batch_means.assign(trace.batch_count(), 0.0);
  const std::size_t every = std::max<std::size_t>(
      1, rounds.size() * times.size() / std::max<std::size_t>(1, request.sample_budget));
  for (std::size_t i = 0; i < rounds.size(); ++i) {
    trace.read_times(rounds[i], request.time, times);
    if (i % every == 0) sample.insert(sample.end(), times.begin(), times.end());
    for (std::size_t b = 0; b < times.size(); ++b) p.batch_means[b] += times[b];
    const auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
    std::nth_element(times.begin(), middle, times.end());
    p.round_medians.push_back(*middle);
  }
  for (double& m : p.batch_means) m /= static_cast<double>(std::max<std::size_t>(1, rounds.size()));
  if (sample.empty() || !(request.hi > request.lo) || request.bins == 0) return p;

  const std::vector<double> e = edges(request, request.bins + 1);
  p.histogram.resize(request.bins);
  for (std::size_t b = 0; b < request.bins; ++b) p.histogram[b] = {e[b], e[b + 1], 0, 0};
  for (double t : sample) {
    if (t < request.lo || t > request.hi) continue;
    const auto b = static_cast<std::size_t>(std::upper_bound(e.begin(), e.end(), t) - e.begin());
    p.histogram[std::clamp<std::size_t>(b, 1, request.bins) - 1].count += 1;
  }
  for (TimeProfile::Bin& b : p.histogram) b.share = b.count / static_cast<double>(sample.size());
  const Kde kde(sample, isj_bandwidth(sample));
  p.density_at = edges(request, request.density_points);
  p.density.resize(p.density_at.size());
  kde.pdf(p.density_at, p.density);
  // A bar's width: even in time, or even in log(time), where it is t * d(log t) at t.
  const bool geometric = request.geometric && request.lo > 0;
  const double step = geometric
                          ? std::log(request.hi / request.lo) / static_cast<double>(request.bins)
                          : (request.hi - request.lo) / static_cast<double>(request.bins);
  for (std::size_t i = 0; i < p.density.size(); ++i) {
    p.density[i] *= geometric ? p.density_at[i] * step : step;
  }
  return p;
}

}  // namespace tailq
