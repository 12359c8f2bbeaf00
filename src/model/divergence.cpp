#include "tailq/divergence.hpp"

#include <cmath>
#include <cstddef>
#include <string>

#include "tailq/error.hpp"

namespace tailq {
namespace {

// Validates one distribution and returns its sum; `name` is "p" or "q" for the message.
double checked_sum(std::span<const double> v, const char* name) {
  double sum = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i]) || v[i] < 0) {
      throw InputError(std::string("js_distance: ") + name + "[" + std::to_string(i) +
                       "] is not a finite non-negative number");
    }
    sum += v[i];
  }
  if (!(sum > 0) || !std::isfinite(sum)) {
    throw InputError(std::string("js_distance: ") + name + " must have a positive finite sum");
  }
  return sum;
}

// scipy.special.rel_entr: x log(x / y), with 0 log(0 / y) = 0. y >= x / 2 > 0 whenever x > 0
// here, because y is the mixture of x's distribution with another.
double rel_entr(double x, double y) { return x > 0 ? x * std::log(x / y) : 0.0; }

}  // namespace

double js_distance(std::span<const double> p, std::span<const double> q) {
  if (p.size() != q.size()) {
    throw InputError("js_distance: p has " + std::to_string(p.size()) + " values, q has " +
                     std::to_string(q.size()));
  }
  if (p.empty()) throw InputError("js_distance: empty distributions");
  const double p_sum = checked_sum(p, "p");
  const double q_sum = checked_sum(q, "q");
  double left = 0, right = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    // Divide (not multiply by a reciprocal) and halve the sum, in scipy's order of operations,
    // so that the result agrees with scipy to the last few bits.
    const double pi = p[i] / p_sum;
    const double qi = q[i] / q_sum;
    const double m = (pi + qi) / 2.0;
    left += rel_entr(pi, m);
    right += rel_entr(qi, m);
  }
  const double divergence = (left + right) / 2.0;
  return divergence > 0 ? std::sqrt(divergence) : 0.0;
}

}  // namespace tailq
