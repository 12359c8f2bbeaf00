// Jensen-Shannon distance between two discrete distributions, exactly as scipy's
// scipy.spatial.distance.jensenshannon(p, q) with the default natural log: both are normalised
// to sum 1, JSD = (KL(p || m) + KL(q || m)) / 2 with m = (p + q) / 2, and the distance is
// sqrt(JSD). Zeros contribute 0; a divergence below 0 from round-off is clipped to 0, never NaN.
#pragma once

#include <span>

namespace tailq {

// p and q: same length, non-negative, each with a positive sum. Throws InputError otherwise.
double js_distance(std::span<const double> p, std::span<const double> q);

}  // namespace tailq
