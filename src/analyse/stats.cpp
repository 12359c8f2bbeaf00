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
  // Order statistics by selection, not a full sort: a million one-instance rounds would spend
  // most of an analysis sorting per-round values. Each selection works on the part above the
  // previous one, so the six cost about two passes.
  std::vector<double> v(values.begin(), values.end());
  auto at = [&, from = v.begin()](std::size_t index) mutable {
    const auto nth = v.begin() + static_cast<std::ptrdiff_t>(index);
    std::nth_element(from, nth, v.end());
    from = nth;
    return *nth;
  };
  const std::size_t count = v.size();
  Summary s;
  s.min = at(0);
  s.p1 = at(inverted_cdf_index(count, 1));
  s.p5 = at(inverted_cdf_index(count, 5));
  s.median = at(inverted_cdf_index(count, 50));
  s.p95 = at(inverted_cdf_index(count, 95));
  s.max = at(count - 1);
  // Two-pass mean and variance: per-round qualities are close together, so the naive
  // sum-of-squares formula would cancel badly.
  const double n = static_cast<double>(count);
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double squares = 0;
  for (double x : values) squares += (x - s.mean) * (x - s.mean);
  s.std = count > 1 ? std::sqrt(squares / (n - 1)) : std::numeric_limits<double>::quiet_NaN();
  return s;
}

}  // namespace tailq
