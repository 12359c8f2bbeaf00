// The range of data that a density is fitted to, checked for non-finite values on the way.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>
#include <string>

#include "tailq/error.hpp"

namespace tailq::detail {

struct Extent {
  double min, max;
};

// Checks that every value is finite and finds the extremes in the same pass over the data.
inline Extent finite_extent(std::span<const double> data, const char* what) {
  if (data.empty()) throw InputError(std::string(what) + ": no data");
  Extent e{data[0], data[0]};
  bool finite = true;
  for (double v : data) {
    finite &= std::isfinite(v);
    e.min = std::min(e.min, v);
    e.max = std::max(e.max, v);
  }
  if (!finite) {
    const auto bad =
        std::find_if(data.begin(), data.end(), [](double v) { return !std::isfinite(v); });
    throw InputError(std::string(what) + ": value " + std::to_string(bad - data.begin()) +
                     " is not finite");
  }
  return e;
}

}  // namespace tailq::detail
