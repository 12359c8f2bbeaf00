#include "tailq/stats.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace tailq {

std::size_t inverted_cdf_index(std::size_t n, double q) {
  assert(n > 0);
  const double virtual_index = static_cast<double>(n) * (q / 100.0) - 1.0;
  const double below = std::floor(virtual_index);
  const double index = virtual_index - below > 0 ? below + 1 : below;
  if (index <= 0) return 0;
  return std::min(static_cast<std::size_t>(index), n - 1);
}

double percentile_sorted(std::span<const double> sorted, double q) {
  return sorted[inverted_cdf_index(sorted.size(), q)];
}

Summary summarize(std::span<const double> values) {
  assert(!values.empty());
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const double n = static_cast<double>(sorted.size());
  Summary s;
  s.min = sorted.front();
  s.max = sorted.back();
  s.p1 = percentile_sorted(sorted, 1);
  s.p5 = percentile_sorted(sorted, 5);
  s.median = percentile_sorted(sorted, 50);
  s.p95 = percentile_sorted(sorted, 95);
  // Two-pass mean and variance: per-round qualities are close together, so the naive
  // sum-of-squares formula would cancel badly.
  s.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / n;
  double squares = 0;
  for (double v : sorted) squares += (v - s.mean) * (v - s.mean);
  s.std =
      sorted.size() > 1 ? std::sqrt(squares / (n - 1)) : std::numeric_limits<double>::quiet_NaN();
  return s;
}

}  // namespace tailq
