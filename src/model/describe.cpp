#include "tailq/describe.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "model/sort_finite.hpp"
#include "tailq/error.hpp"
#include "tailq/stats.hpp"

namespace tailq {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Compensated summation: the rounding error of each addition is carried separately, so a sum
// of many values stays within an ulp or so of the exact sum whatever the order. Pooled
// descriptions sum millions of times; per-instance ones are cheap either way. The error comes
// from Knuth's branch-free 2Sum; Neumaier's branch on |sum| >= |x| gives the same exact error
// but mispredicts on sums that hover around 0, as deviations from the mean do.
class CompensatedSum {
 public:
  void add(double x) {
    const double t = sum_ + x;
    const double x_part = t - sum_;
    compensation_ += (sum_ - (t - x_part)) + (x - x_part);
    sum_ = t;
  }
  double value() const { return sum_ + compensation_; }

 private:
  double sum_ = 0;
  double compensation_ = 0;
};

// The mean, compensated, clamped to the data's range [lo, hi] (rounding could otherwise put it
// just outside), and exactly the value for constant data: there every deviation must be 0, not
// the rounding noise of n c / n, or the moments of a constant would be noise instead of NaN.
double careful_mean(std::span<const double> values, double lo, double hi) {
  if (lo == hi) return lo;
  CompensatedSum sum;
  for (double v : values) sum.add(v);
  return std::clamp(sum.value() / static_cast<double>(values.size()), lo, hi);
}

// The deviations |x - median| of sorted x shrink from the first value to the median and grow
// after it: two sorted runs, `below` (the values under the median, nearest first) and `above`.
// Each deviation is the same expression as numpy's, so the runs hold exactly numpy's values.
class DeviationRuns {
 public:
  DeviationRuns(std::span<const double> sorted, double median)
      : sorted_(sorted),
        median_(median),
        split_(static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), median) -
                                        sorted.begin())) {}

  // The k-th smallest deviation (from 0), by binary search on how many of the k + 1 smallest
  // come from `below`: i of them are, when below(i) is not smaller than above(k - i).
  double smallest(std::size_t k) const {
    const std::size_t n_below = split_, n_above = sorted_.size() - split_;
    std::size_t lo = k + 1 > n_above ? k + 1 - n_above : 0, hi = std::min(k + 1, n_below);
    while (lo < hi) {
      const std::size_t i = lo + (hi - lo) / 2;
      if (above(k - i) > below(i)) {
        lo = i + 1;
      } else {
        hi = i;
      }
    }
    const std::size_t j = k + 1 - lo;  // taken from `above`
    if (lo == 0) return above(j - 1);
    if (j == 0) return below(lo - 1);
    return std::max(below(lo - 1), above(j - 1));
  }

 private:
  double below(std::size_t i) const { return std::abs(sorted_[split_ - 1 - i] - median_); }
  double above(std::size_t j) const { return std::abs(sorted_[split_ + j] - median_); }

  std::span<const double> sorted_;
  double median_;
  std::size_t split_;  // values [0, split_) are below the median
};

// numpy.median of |x - median| for sorted x, in O(log n) without sorting the deviations; the
// middle pair is averaged as numpy.median does ((a + b) / 2), so results match it bit for bit.
double median_abs_deviation(std::span<const double> sorted, double median) {
  const DeviationRuns runs(sorted, median);
  const std::size_t half = sorted.size() / 2;
  const double upper = runs.smallest(half);
  if (sorted.size() % 2 == 1) return upper;
  const double lower = runs.smallest(half - 1);
  const double mid = (lower + upper) / 2;
  // Only for values near the largest double does a + b overflow; halving first is then exact.
  return std::isfinite(mid) ? mid : lower / 2 + upper / 2;
}

double median_of_sorted(std::span<const double> sorted) {
  const std::size_t half = sorted.size() / 2;
  if (sorted.size() % 2 == 1) return sorted[half];
  const double mid = (sorted[half - 1] + sorted[half]) / 2;
  return std::isfinite(mid) ? mid : sorted[half - 1] / 2 + sorted[half] / 2;
}

void require_finite(std::span<const double> values, const char* what) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw InputError(std::string(what) + ": value " + std::to_string(i + 1) +
                       " is not a finite number");
    }
  }
}

// Mean, standard deviation, skewness and kurtosis of sorted values into `d`.
void add_moments(std::span<const double> sorted, Description& d) {
  const std::size_t count = sorted.size();
  const double n = static_cast<double>(count);
  // Central moments from deviations about an accurate mean, never sum(x^2) - n mean^2: times of
  // ~1e-3 s with ~1e-9 s spread would lose every significant digit to that cancellation. Even
  // the correctly rounded mean is off by up to half an ulp (~1e-19 s there), which shifts every
  // deviation alike and the third moment to first order (skewness by ~1e-11); the mean of the
  // deviations measures that shift and one more pass removes it (the corrected two-pass
  // algorithm of Chan, Golub and LeVeque).
  d.mean = careful_mean(sorted, d.min, d.max);
  CompensatedSum s1;
  for (double v : sorted) s1.add(v - d.mean);
  const double shift = s1.value() / n;
  CompensatedSum s2;
  CompensatedSum s3;
  CompensatedSum s4;
  for (double v : sorted) {
    const double dev = (v - d.mean) - shift;
    const double dev2 = dev * dev;
    s2.add(dev2);
    s3.add(dev2 * dev);
    s4.add(dev2 * dev2);
  }
  const double m2 = s2.value() / n;  // biased central moments, as scipy's _moment
  const double m3 = s3.value() / n;
  const double m4 = s4.value() / n;
  d.std = count > 1 ? std::sqrt(s2.value() / (n - 1)) : kNaN;

  // scipy.stats.skew/kurtosis treat the data as constant, and answer NaN, when the spread is at
  // or below double resolution relative to the mean (m2 <= (1e-15 mean)^2): the deviations are
  // then rounding noise, not data. The bias corrections divide by n - 2 and (n - 2)(n - 3), so
  // they are undefined below 3 and 4 values; scipy then silently returns the biased estimate,
  // tailq says NaN instead.
  constexpr double kResolution = 1e-15;  // numpy.finfo(float64).resolution
  const double noise = kResolution * d.mean;
  const bool flat = m2 <= noise * noise;
  d.skewness = kNaN;
  d.kurtosis = kNaN;
  if (!flat && count >= 3) {
    d.skewness = std::sqrt(n * (n - 1)) / (n - 2) * (m3 / std::pow(m2, 1.5));
  }
  if (!flat && count >= 4) {
    const double g2 = m4 / (m2 * m2) - 3;
    d.kurtosis = ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3));
  }
}

// The three outlier counts of sorted values, given their quartiles, mean, std and median.
void add_outliers(std::span<const double> sorted, Description& d) {
  // Fences computed with the same operations as the numpy reference, so that a value exactly on
  // a fence is classified the same way.
  const double iqr_low = d.q1 - 1.5 * d.iqr;
  const double iqr_high = d.q3 + 1.5 * d.iqr;
  const double sigma_fence = 3 * d.std;  // NaN for one value: no comparison is true
  // MAD = 0 (over half the values equal to the median) would make the 3 MAD fence of width 0
  // and flag every value off the median, which says nothing about outliers: count none then.
  const double mad_fence = 3 * median_abs_deviation(sorted, d.median);
  std::size_t iqr = 0, sigma = 0, mad = 0;
  for (double v : sorted) {
    iqr += v < iqr_low || v > iqr_high;
    sigma += std::abs(v - d.mean) > sigma_fence;
    mad += std::abs(v - d.median) > mad_fence;
  }
  d.outliers_iqr = iqr;
  d.outliers_sigma = sigma;
  d.outliers_mad = mad_fence > 0 ? mad : 0;
}

}  // namespace

Description describe(std::span<const double> values, bool with_bandwidth) {
  if (values.empty()) throw InputError("describe: no values");
  require_finite(values, "describe");

  const std::vector<double> sorted = detail::sorted_finite(values);
  Description d;
  d.count = sorted.size();
  d.min = sorted.front();
  d.max = sorted.back();
  d.median = median_of_sorted(sorted);
  d.q1 = percentile_sorted(sorted, 25);
  d.q3 = percentile_sorted(sorted, 75);
  d.iqr = d.q3 - d.q1;
  add_moments(sorted, d);
  add_outliers(sorted, d);
  if (with_bandwidth) d.bandwidth = isj_bandwidth(sorted);
  return d;
}

std::optional<LinearFit> fit_line(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) {
    throw InputError("fit_line: " + std::to_string(x.size()) + " x values but " +
                     std::to_string(y.size()) + " y values");
  }
  require_finite(x, "fit_line x");
  require_finite(y, "fit_line y");
  if (x.size() < 2) return std::nullopt;
  const auto [x_lo, x_hi] = std::minmax_element(x.begin(), x.end());
  if (*x_lo == *x_hi) return std::nullopt;  // no slope: scipy.stats.linregress refuses too
  const auto [y_lo, y_hi] = std::minmax_element(y.begin(), y.end());

  // Sums of squared and crossed deviations about accurate means (two passes, as in describe).
  const double x_mean = careful_mean(x, *x_lo, *x_hi);
  const double y_mean = careful_mean(y, *y_lo, *y_hi);
  CompensatedSum sxx;
  CompensatedSum sxy;
  CompensatedSum syy;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - x_mean;
    const double dy = y[i] - y_mean;
    sxx.add(dx * dx);
    sxy.add(dx * dy);
    syy.add(dy * dy);
  }

  LinearFit fit;
  fit.count = x.size();
  fit.slope = sxy.value() / sxx.value();
  fit.intercept = y_mean - fit.slope * x_mean;
  // R^2 is scipy.stats.linregress's rvalue squared: r = sxy / sqrt(sxx syy), clipped to
  // [-1, 1], and r = 0 when y is constant (syy = 0) although the horizontal line then fits
  // exactly: a size that explains no variation reports no correlation. sqrt(sxx) sqrt(syy)
  // rather than sqrt(sxx syy) so that tiny variances (~1e-18 s^2) cannot underflow.
  const double syy_value = syy.value();
  double r = 0;
  if (syy_value > 0) {
    r = std::clamp(sxy.value() / (std::sqrt(sxx.value()) * std::sqrt(syy_value)), -1.0, 1.0);
  }
  fit.r_squared = r * r;
  return fit;
}

}  // namespace tailq
