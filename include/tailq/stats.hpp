// Order statistics with numpy's definitions, so that tailq's numbers match a numpy script.
#pragma once

#include <cstddef>
#include <span>

namespace tailq {

// Index into n sorted values of the q-th percentile (q in [0, 100]) under numpy's
// `percentile(method="inverted_cdf")`: v = n * (q / 100) - 1 in double arithmetic; a whole v is
// taken as is, otherwise floor(v) + 1; clipped to [0, n - 1]. The shortcut ceil(n q / 100) - 1
// differs from numpy where n * q / 100 rounds away from a whole number, so it is not used.
std::size_t inverted_cdf_index(std::size_t n, double q);

// The q-th percentile of already sorted values (inverted_cdf). `sorted` must not be empty.
double percentile_sorted(std::span<const double> sorted, double q);

// Distribution of a per-round quantity over rounds; std uses ddof = 1 (NaN for one value).
struct Summary {
  double min = 0, p1 = 0, p5 = 0, median = 0, mean = 0, std = 0, max = 0;
  double p95 = 0;  // with p5, the middle 90% of rounds a report draws as a band
};
Summary summarize(std::span<const double> values);  // values need not be sorted; not empty

}  // namespace tailq
