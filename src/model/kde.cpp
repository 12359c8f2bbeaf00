// Gaussian KDE by linear binning and FFT convolution, the method of KDEpy's FFTKDE and of
// Silverman's Algorithm AS 176 ("Kernel density estimation using the fast Fourier transform",
// Applied Statistics 31(1), 1982): O(n + g log g) instead of the O(n g) of a direct sum, with
// the density exact up to binning error, which is O((dx / h)^2).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "model/binned_kde.hpp"
#include "model/extent.hpp"
#include "tailq/density.hpp"
#include "tailq/error.hpp"

namespace tailq {
namespace {

using detail::Extent;
using detail::finite_extent;

}  // namespace

void linear_bin(std::span<const double> data, double lo, double hi, std::span<double> counts) {
  if (counts.empty()) throw InputError("linear_bin: no grid points");
  if (!std::isfinite(lo) || !std::isfinite(hi) || hi < lo) {
    throw InputError("linear_bin: grid bounds must be finite with lo <= hi");
  }
  const std::size_t g = counts.size();
  if (g == 1 || hi == lo) {
    for (double x : data) {
      if (!std::isfinite(x)) throw InputError("linear_bin: a value is not finite");
    }
    counts[0] += static_cast<double>(data.size());
    return;
  }
  const double last = static_cast<double>(g - 1);
  const double scale = last / (hi - lo);
  for (double x : data) {
    if (!std::isfinite(x)) throw InputError("linear_bin: a value is not finite");
    const double pos = (x - lo) * scale;
    // Points outside [lo, hi] keep their weight on the nearest end rather than being dropped.
    if (!(pos > 0)) {
      counts[0] += 1;
    } else if (pos >= last) {
      counts[g - 1] += 1;
    } else {
      const auto i = static_cast<std::size_t>(pos);
      const double frac = pos - static_cast<double>(i);
      counts[i] += 1 - frac;
      counts[i + 1] += frac;
    }
  }
}

Kde::Kde(std::span<const double> data, Bandwidth bandwidth, std::size_t grid_points)
    : bandwidth_(bandwidth), data_(data.begin(), data.end()) {
  const Extent extent = finite_extent(data, "Kde");
  const double h = bandwidth.value;
  if (!std::isfinite(h) || !(h > 0)) throw InputError("Kde: bandwidth must be positive");
  if (grid_points < 2) throw InputError("Kde: need at least 2 grid points");
  // 4h beyond the extremes holds all but 3e-5 of the outermost kernels' mass.
  const double lo = extent.min - 4 * h;
  const double hi = extent.max + 4 * h;
  if (!(hi > lo) || !std::isfinite(hi - lo)) {
    throw InputError("Kde: bandwidth too small or data too spread for a grid");
  }
  // At least 4 grid steps per bandwidth, so that a narrow kernel is not lost between grid
  // points (binning error grows as (dx / h)^2); capped at 2^20 points.
  const double wanted = std::ceil(4 * (hi - lo) / h) + 1;
  const std::size_t g =
      std::max(grid_points, static_cast<std::size_t>(std::min(wanted, 1048576.0)));
  const double dx = (hi - lo) / static_cast<double>(g - 1);
  grid_.resize(g);
  for (std::size_t i = 0; i < g; ++i) grid_[i] = lo + static_cast<double>(i) * dx;
  grid_.back() = hi;

  std::vector<double> counts(g, 0.0);
  linear_bin(data, lo, hi, counts);
  density_ = detail::smooth_binned(counts, dx, h);

  cumulative_.assign(g, 0.0);
  for (std::size_t i = 1; i < g; ++i) {
    cumulative_[i] = cumulative_[i - 1] + 0.5 * dx * (density_[i - 1] + density_[i]);
  }
  // Normalised so that the cdf ends at exactly 1 although the grid misses the kernels' tails.
  const double total = cumulative_.back();
  if (!(total > 0) || !std::isfinite(total)) {
    throw InputError("Kde: bandwidth out of range for the data (the density under/overflows)");
  }
  for (double& c : cumulative_) c /= total;
  cumulative_.back() = 1.0;
}

namespace {

// Linear interpolation of values on the even grid [lo, hi]; x must lie inside.
double interpolate(std::span<const double> grid, std::span<const double> values, double x) {
  const std::size_t g = grid.size();
  const double pos = (x - grid.front()) / (grid.back() - grid.front()) * static_cast<double>(g - 1);
  const std::size_t i = std::min(static_cast<std::size_t>(pos), g - 2);
  const double frac = std::min(pos - static_cast<double>(i), 1.0);
  return (1 - frac) * values[i] + frac * values[i + 1];
}

}  // namespace

double Kde::pdf(double x) const {
  if (std::isnan(x)) return x;
  if (x < grid_.front() || x > grid_.back()) return 0.0;
  return interpolate(grid_, density_, x);
}

double Kde::cdf(double x) const {
  if (std::isnan(x)) return x;
  if (x <= grid_.front()) return 0.0;
  if (x >= grid_.back()) return 1.0;
  return interpolate(grid_, cumulative_, x);
}

void Kde::pdf(std::span<const double> x, std::span<double> out) const {
  if (x.size() != out.size()) {
    throw InputError("Kde::pdf: " + std::to_string(x.size()) + " points but room for " +
                     std::to_string(out.size()));
  }
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = pdf(x[i]);
}

double Kde::sample(double uniform, double normal) const {
  const double n = static_cast<double>(data_.size());
  // Clamped: uniform * n can round up to n for uniform just below 1.
  const std::size_t i =
      uniform > 0 ? std::min(static_cast<std::size_t>(uniform * n), data_.size() - 1) : 0;
  return data_[i] + bandwidth_.value * normal;
}

}  // namespace tailq
