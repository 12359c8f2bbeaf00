// The JSON of a PrecisionEstimate, shared by `tailq analyze --json` and `tailq converge --json`.
#pragma once

#include <nlohmann/json.hpp>

#include "tailq/precision.hpp"

namespace tailq::detail {

nlohmann::ordered_json precision_json(const PrecisionEstimate& estimate);

}  // namespace tailq::detail
