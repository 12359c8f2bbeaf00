// Descriptive statistics of times (docs/method.md 4c), per instance and pooled.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include "tailq/density.hpp"

namespace tailq {

struct Description {
  std::size_t count = 0;
  double min = 0, max = 0, mean = 0, median = 0;
  double std = 0;  // ddof = 1 (NaN for one value)
  // Bias-corrected G1 and G2 as scipy.stats.skew / kurtosis(bias=False), except that they are
  // NaN below 3 (skewness) or 4 (kurtosis) values, where scipy falls back to the biased value,
  // and when the spread is at rounding level.
  double skewness = 0;
  double kurtosis = 0;             // excess
  double q1 = 0, q3 = 0, iqr = 0;  // quartiles by inverted_cdf, as everywhere in tailq
  std::size_t outliers_iqr = 0;    // outside [q1 - 1.5 IQR, q3 + 1.5 IQR]
  std::size_t outliers_sigma = 0;  // |x - mean| > 3 std
  std::size_t outliers_mad = 0;    // |x - median| > 3 MAD (MAD unscaled: median |x - median|);
                                   // none when MAD = 0, which would flag every other value
  Bandwidth bandwidth;             // ISJ with its fallbacks; value 0 when not computed
};

// `values` not empty and finite (else InputError). `with_bandwidth` false skips the ISJ fit.
Description describe(std::span<const double> values, bool with_bandwidth = true);

// Least-squares line y = intercept + slope x, with R^2 as scipy.stats.linregress's rvalue^2
// (0 for constant y); nullopt when x is constant or n < 2; InputError for different sizes or
// non-finite values.
struct LinearFit {
  double slope = 0, intercept = 0, r_squared = 0;
  std::size_t count = 0;
};
std::optional<LinearFit> fit_line(std::span<const double> x, std::span<const double> y);

}  // namespace tailq
