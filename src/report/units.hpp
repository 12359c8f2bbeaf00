// How reporters print times and qualities, so that every table reads alike.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <string>

namespace tailq::detail {

// Times read best in the unit that keeps three or four significant digits.
inline std::string human_seconds(double s) {
  if (s >= 1) return fmt::format("{:.4g} s", s);
  if (s >= 1e-3) return fmt::format("{:.4g} ms", s * 1e3);
  if (s >= 1e-6) return fmt::format("{:.4g} us", s * 1e6);
  return fmt::format("{:.4g} ns", s * 1e9);
}

inline std::string percent(double v) {
  return std::isfinite(v) ? fmt::format("{:.2f}", 100 * v) : "-";
}

}  // namespace tailq::detail
