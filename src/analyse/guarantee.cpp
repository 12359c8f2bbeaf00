#include "tailq/guarantee.hpp"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include "tailq/dependence.hpp"
#include "tailq/error.hpp"
#include "tailq/run_options.hpp"
#include "tailq/stats.hpp"

namespace tailq {
namespace {

void check(const GuaranteeRequest& r) {
  auto open_unit = [](double v) { return v > 0 && v < 1; };  // false for NaN
  if (!open_unit(r.coverage)) {
    throw InputError("guarantee: coverage must lie strictly between 0 and 1, got " +
                     std::to_string(r.coverage));
  }
  if (!open_unit(r.confidence)) {
    throw InputError("guarantee: confidence must lie strictly between 0 and 1, got " +
                     std::to_string(r.confidence));
  }
}

// NaN when the series is constant or too short to have a lag-1 pair worth the name.
double lag1_autocorrelation(std::span<const double> x) {
  const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  if (x.size() < 3 || *lo == *hi) return std::numeric_limits<double>::quiet_NaN();
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double lagged = 0, squares = 0;
  for (std::size_t t = 0; t < x.size(); ++t) {
    squares += (x[t] - mean) * (x[t] - mean);
    if (t + 1 < x.size()) lagged += (x[t] - mean) * (x[t + 1] - mean);
  }
  return lagged / squares;
}

}  // namespace

double tolerance_confidence(std::size_t rounds, std::size_t order, double coverage,
                            double effective) {
  if (order == 0) return 1;
  if (order > rounds) return 0;
  if (effective > 0 && effective < static_cast<double>(rounds)) {
    // P(B >= k) = I_q(k, m - k + 1), the binomial tail continued to real m and k.
    // Below one effective round, "at least one below" is P(B >= 1) however rounds are scaled.
    const double k =
        std::max(1.0, static_cast<double>(order) * effective / static_cast<double>(rounds));
    return boost::math::ibeta(k, effective - k + 1, 1 - coverage);
  }
  const boost::math::binomial_distribution<double> below(static_cast<double>(rounds), 1 - coverage);
  // P(X >= order) = P(X > order - 1)
  return boost::math::cdf(boost::math::complement(below, static_cast<double>(order - 1)));
}

std::size_t rounds_needed(const GuaranteeRequest& request) {
  check(request);
  // 1 - p^n >= gamma  <=>  n >= log(1 - gamma) / log(p); the check below absorbs rounding.
  auto n = static_cast<std::size_t>(
      std::ceil(std::log1p(-request.confidence) / std::log(request.coverage)));
  n = std::max<std::size_t>(n, 1);
  while (n > 1 && tolerance_confidence(n - 1, 1, request.coverage) >= request.confidence) --n;
  while (tolerance_confidence(n, 1, request.coverage) < request.confidence) ++n;
  return n;
}

DeadlineGuarantee guarantee_for(std::span<const double> per_round_quality,
                                const GuaranteeRequest& request) {
  check(request);
  for (std::size_t i = 0; i < per_round_quality.size(); ++i) {
    if (!std::isfinite(per_round_quality[i])) {
      throw InputError("guarantee: the Q@T of round " + std::to_string(i) + " is not finite");
    }
  }
  const std::size_t n = per_round_quality.size();
  DeadlineGuarantee g;
  std::vector<double> sorted(per_round_quality.begin(), per_round_quality.end());
  std::sort(sorted.begin(), sorted.end());
  // What the rounds are worth as independent ones, judged at the quantile the bound estimates,
  // with the batch size that the rounds' own dependence calls for (a rare indicator's lag-1
  // autocorrelation says little about it).
  g.lag1_autocorrelation = lag1_autocorrelation(per_round_quality);
  const double tau =
      n == 0
          ? 1
          : indicator_inflation(
                per_round_quality, percentile_sorted(sorted, 100 * (1 - request.coverage)),
                batch_size_for(n, std::isnan(g.lag1_autocorrelation) ? 0 : g.lag1_autocorrelation),
                nullptr, 1 - request.confidence);
  g.effective_rounds = static_cast<double>(n) / tau;
  const double m = tau > 1 ? g.effective_rounds : 0;
  g.order = 1;
  g.confidence = tolerance_confidence(n, 1, request.coverage, m);
  if (n > 0 && g.confidence >= request.confidence) {
    // The confidence falls as the order rises: the largest order that still reaches it.
    std::size_t good = 1, bad = n + 1;
    while (bad - good > 1) {
      const std::size_t mid = good + (bad - good) / 2;
      (tolerance_confidence(n, mid, request.coverage, m) >= request.confidence ? good : bad) = mid;
    }
    g.order = good;
    g.confidence = tolerance_confidence(n, good, request.coverage, m);
    g.bound = sorted[good - 1];
  }
  g.looks_dependent = std::abs(g.lag1_autocorrelation) > 2 / std::sqrt(static_cast<double>(n));
  return g;
}

GuaranteeRequest parse_guarantee(std::string_view text) {
  const std::string shown =
      "expected COVERAGE:CONFIDENCE such as 99%:95% or 0.99:0.95, got '" + std::string(text) + "'";
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) throw OptionError("guarantee", shown);
  bool percent_signs = false;
  auto share = [&](std::string_view part) {
    const bool percent = !part.empty() && part.back() == '%';
    percent_signs = percent_signs || percent;
    if (percent) part.remove_suffix(1);
    double value = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size()) {
      throw OptionError("guarantee", shown);
    }
    return percent ? value / 100 : value;
  };
  GuaranteeRequest request{share(text.substr(0, colon)), share(text.substr(colon + 1))};
  if (!(request.coverage > 0 && request.coverage < 1 && request.confidence > 0 &&
        request.confidence < 1)) {
    // "99:95" is a share written without its percent signs.
    const bool forgot_percent = !percent_signs && request.coverage > 1 && request.coverage < 100 &&
                                request.confidence > 1 && request.confidence < 100;
    if (forgot_percent) {
      const std::string coverage(text.substr(0, colon)), confidence(text.substr(colon + 1));
      throw OptionError("guarantee", "'" + std::string(text) + "': write " + coverage +
                                         "%:" + confidence + "% (a share takes a percent sign)");
    }
    throw OptionError("guarantee",
                      "coverage and confidence must lie strictly between 0% and 100%, got '" +
                          std::string(text) + "'");
  }
  return request;
}

}  // namespace tailq
