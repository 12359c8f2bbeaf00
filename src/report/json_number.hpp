// JSON has no NaN or infinity: an undefined number is written as null.
#pragma once

#include <cmath>
#include <nlohmann/json.hpp>

namespace tailq::detail {

inline nlohmann::ordered_json json_number(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

}  // namespace tailq::detail
