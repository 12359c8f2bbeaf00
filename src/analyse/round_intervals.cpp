// Intervals for the mean and a quantile of a per-round series (tailq/dependence.hpp,
// docs/precision.md).
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "tailq/dependence.hpp"
#include "tailq/error.hpp"
#include "tailq/stats.hpp"

namespace tailq {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void check_confidence(double confidence) {
  if (!(confidence > 0 && confidence < 1)) {
    throw InputError("confidence must lie strictly between 0 and 1, got " +
                     std::to_string(confidence));
  }
}

// P(Binomial(m, q) >= k) for real m > 0 and 0 < k <= m: the regularized incomplete beta
// I_q(k, m - k + 1), which is the binomial tail at whole k and m and continues it in between.
double binomial_at_least(double m, double k, double q) {
  return boost::math::ibeta(k, m - k + 1, q);
}

// The series whose long-run variance governs an estimate: the values themselves, or, with a
// deadline shift, each minus slope x the round's share on time.
std::vector<double> influence(std::span<const double> x, const DeadlineShift* shift) {
  std::vector<double> z(x.begin(), x.end());
  if (shift && shift->slope != 0) {
    if (shift->on_time.size() != x.size()) {
      throw InputError("deadline shift: " + std::to_string(shift->on_time.size()) +
                       " shares on time for " + std::to_string(x.size()) + " rounds");
    }
    for (std::size_t r = 0; r < z.size(); ++r) z[r] -= shift->slope * shift->on_time[r];
  }
  return z;
}

}  // namespace

double indicator_inflation(std::span<const double> x, double threshold, std::size_t batch_size,
                           const DeadlineShift* shift, double tail) {
  if (x.size() < 12) return 1;
  std::vector<double> below(x.size());
  for (std::size_t r = 0; r < x.size(); ++r) below[r] = x[r] <= threshold ? 1.0 : 0.0;
  const double share =
      std::accumulate(below.begin(), below.end(), 0.0) / static_cast<double>(below.size());
  if (!(share > 0 && share < 1)) return 1;
  // Relative to the indicator's own sample variance (ddof 1), so that independent rounds, whose
  // long-run variance is floored there, count fully.
  const double iid = long_run_variance(below, batch_size).iid_variance;
  const LongRunVariance v = long_run_variance(influence(below, shift), batch_size);
  const double tau = std::max(1.0, v.variance / iid);
  if (!(tail > 0)) return tau;
  const double t = boost::math::quantile(boost::math::students_t(v.degrees_of_freedom), 1 - tail);
  const double z = boost::math::quantile(boost::math::normal(), 1 - tail);
  return tau * (t / z) * (t / z);
}

double Interval::half_width() const { return std::max(value - low, high - value); }

MeanInterval mean_interval(std::span<const double> x, double confidence, std::size_t batch_size,
                           const DeadlineShift* shift) {
  check_confidence(confidence);
  MeanInterval r;
  r.variance = long_run_variance(influence(x, shift), batch_size);
  const double n = static_cast<double>(x.size());
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const boost::math::students_t t(r.variance.degrees_of_freedom);
  const double half =
      boost::math::quantile(t, 0.5 + confidence / 2) * std::sqrt(r.variance.variance / n);
  r.interval = {mean, mean - half, mean + half};
  r.effective_rounds = n / r.variance.inflation();
  return r;
}

QuantileInterval quantile_interval(std::span<const double> x, double q, double confidence,
                                   std::size_t batch_size, const DeadlineShift* shift) {
  check_confidence(confidence);
  if (!(q > 0 && q < 1)) {
    throw InputError("quantile must lie strictly between 0 and 1, got " + std::to_string(q));
  }
  const std::size_t n = x.size();
  // Three order statistics are needed (the estimate and the ends): selections, not a sort.
  std::vector<double> work(x.begin(), x.end());
  auto order_statistic = [&](std::size_t index) {
    std::nth_element(work.begin(), work.begin() + static_cast<std::ptrdiff_t>(index), work.end());
    return work[index];
  };
  const double estimate = order_statistic(inverted_cdf_index(n, 100 * q));

  const double tail = (1 - confidence) / 2;
  const double tau = indicator_inflation(x, estimate, batch_size, shift, tail);
  const double m = static_cast<double>(n) / tau;
  const double scale = m / static_cast<double>(n);  // an order l counts as l m / n of m rounds

  QuantileInterval r;
  r.effective_rounds = m;
  // Low end: the largest order l with P(count below the quantile >= l) >= 1 - tail, where the
  // count is (n / m) Binomial(m, q). The probability falls as l rises: bisect.
  // Below one effective round the continuation would claim more than any whole count can
  // give: "at least one round below" is P(B >= 1), however the rounds are scaled.
  auto low_holds = [&](std::size_t l) {
    return binomial_at_least(m, std::max(1.0, static_cast<double>(l) * scale), q) >= 1 - tail;
  };
  if (low_holds(1)) {
    std::size_t good = 1, bad = n + 1;
    while (bad - good > 1) {
      const std::size_t mid = good + (bad - good) / 2;
      (low_holds(mid) ? good : bad) = mid;
    }
    r.low_order = good;
  }
  // High end: the smallest order u with P(count <= u - 1) >= 1 - tail; it rises with u.
  // P(B <= j) = 1 - P(B >= j + 1), with j = (u - 1) m / n, and below one effective round
  // P(B <= 0) for the same reason as above.
  auto high_holds = [&](std::size_t u) {
    const double j = static_cast<double>(u - 1) * scale;
    return 1 - binomial_at_least(m, (j < 1 ? 0 : j) + 1, q) >= 1 - tail;
  };
  if (high_holds(n)) {
    std::size_t bad = 0, good = n;
    while (good - bad > 1) {
      const std::size_t mid = bad + (good - bad) / 2;
      (high_holds(mid) ? good : bad) = mid;
    }
    r.high_order = good;
  }
  r.interval = {estimate, r.low_order ? order_statistic(r.low_order - 1) : -kInf,
                r.high_order ? order_statistic(r.high_order - 1) : kInf};
  return r;
}

}  // namespace tailq
