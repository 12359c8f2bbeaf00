// Sorting finite doubles in about linear time, for the descriptions that need every order
// statistic of up to millions of times.
#pragma once

#include <span>

namespace tailq::detail {

// Sorts finite values ascending: the same order as std::sort, in which only -0.0 and 0.0 (equal
// values) may come in either order. About 4x faster than std::sort on 10^6 times, 1.5x on 10^3.
void sort_finite(std::span<double> values);

}  // namespace tailq::detail
