// Finds, for a time t, the first of K sorted deadlines that t meets (t <= deadline), in O(1)
// on average: a uniform table over [first, last] deadline gives a starting guess that is
// corrected by a step or two, so the hot loop avoids a branchy binary search per batch.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace tailq::detail {

class DeadlineIndex {
 public:
  // `deadlines` sorted ascending, distinct, not empty; must outlive the index.
  explicit DeadlineIndex(std::span<const double> deadlines) : deadlines_(deadlines) {
    const std::size_t cells = 4 * deadlines.size();
    lo_ = deadlines.front();
    const double width = deadlines.back() - lo_;
    scale_ = width > 0 ? static_cast<double>(cells) / width : 0.0;
    start_.resize(cells + 1);
    for (std::size_t c = 0; c <= cells; ++c) {
      const double edge = lo_ + (scale_ > 0 ? static_cast<double>(c) / scale_ : 0.0);
      start_[c] = static_cast<std::uint32_t>(
          std::lower_bound(deadlines.begin(), deadlines.end(), edge) - deadlines.begin());
    }
  }

  // Index of the first deadline >= t; deadlines.size() when t is later than every deadline.
  std::size_t first_not_below(double t) const {
    const std::size_t k = deadlines_.size();
    if (t <= lo_) return 0;
    if (t > deadlines_[k - 1]) return k;
    const double cell = (t - lo_) * scale_;
    std::size_t g = start_[std::min(static_cast<std::size_t>(cell), start_.size() - 1)];
    // The guess may be off by rounding either way; walk to the exact answer.
    while (g > 0 && deadlines_[g - 1] >= t) --g;
    while (g < k && deadlines_[g] < t) ++g;
    return g;
  }

 private:
  std::span<const double> deadlines_;
  double lo_ = 0;
  double scale_ = 0;
  std::vector<std::uint32_t> start_;
};

}  // namespace tailq::detail
