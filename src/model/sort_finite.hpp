// Sorting finite doubles in about linear time, for the descriptions that need every order
// statistic of up to millions of times.
#pragma once

#include <span>
#include <vector>

namespace tailq::detail {

// The finite `values` in ascending order: the order std::sort gives, in which only -0.0 and 0.0
// (equal values) may come either way. About 4x faster than std::sort on 10^6 times, 1.5x on 10^3.
std::vector<double> sorted_finite(std::span<const double> values);

}  // namespace tailq::detail
