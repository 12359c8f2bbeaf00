// A guarantee on the Q@T of future rounds, from the measured rounds alone: a one-sided,
// distribution-free tolerance bound (Wilks, "Determination of sample sizes for setting
// tolerance limits", Ann. Math. Statist. 12(1), 1941; Hahn & Meeker, "Statistical Intervals",
// 2nd ed., section 5.3). If the rounds are independent and alike, the r-th lowest of n measured
// qualities, L, satisfies: with confidence gamma, at least a fraction p of all rounds reach
// Q@T >= L, where gamma = P(Binomial(n, 1 - p) >= r). (The share of rounds below L is
// Beta(r, n - r + 1) whatever the distribution; Q@T takes discrete values, which only makes the
// bound conservative.) The largest r that still reaches the confidence is the tightest bound.
//
// Rounds of a real machine are not independent (its speed drifts over minutes), and then the
// count of rounds below a quantile varies more than a binomial. The guarantee takes that into
// account with an effective number of rounds (tailq/dependence.hpp): the count is treated as
// (n / m) Binomial(m, 1 - p) with m = n / tau, tau the long-run over the binomial variance of the
// indicator 1{Q_r <= the (1 - p) quantile}, so the confidence of order r is
// P(Binomial(m, 1 - p) >= r m / n), continued to real arguments by the incomplete beta
// (docs/precision.md). For independent rounds tau is close to 1 and the bound is Wilks'.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tailq {

struct GuaranteeRequest {
  double coverage = 0.99;    // p: the share of rounds that must reach the bound
  double confidence = 0.95;  // gamma
};

struct DeadlineGuarantee {
  std::string label;  // the deadline as the user wrote it
  double seconds = 0;
  std::optional<double> bound;  // none: too few rounds for even the worst one to be a bound
  std::size_t order = 0;        // the bound is the order-th lowest round's Q@T (1: the worst)
  double confidence = 0;        // attained by that order (by order 1 when there is no bound)
  // Lag-1 autocorrelation of the per-round Q@T in round order: far from 0, the rounds are not
  // independent (drift, bursts) and the bound does not hold as stated. NaN when Q@T is constant.
  double lag1_autocorrelation = 0;
  bool looks_dependent = false;  // |lag-1| beyond 2/sqrt(n), the approximate 95% band
  double effective_rounds = 0;   // m = n / tau, what the rounds are worth as independent ones
};

struct QualityGuarantee {
  GuaranteeRequest request;
  std::size_t rounds = 0;
  std::size_t rounds_needed = 0;  // the fewest rounds for which the worst round is a bound
  std::vector<DeadlineGuarantee> deadlines;
};

// P(Binomial(rounds, 1 - coverage) >= order): the confidence that at least `coverage` of all
// rounds reach the order-th lowest of `rounds` measured independent ones. With `effective`
// rounds (0: as many as `rounds`), P(Binomial(m, 1 - coverage) >= order m / rounds) for real m.
double tolerance_confidence(std::size_t rounds, std::size_t order, double coverage,
                            double effective = 0);
// The smallest n with 1 - coverage^n >= confidence (299 for 99% at 95% confidence): independent
// rounds; dependent ones need about tau times as many.
std::size_t rounds_needed(const GuaranteeRequest& request);
// The guarantee for one deadline from its per-round Q@T (in round order).
// Throws InputError unless 0 < coverage < 1, 0 < confidence < 1 and the qualities are finite.
DeadlineGuarantee guarantee_for(std::span<const double> per_round_quality,
                                const GuaranteeRequest& request);
// "99%:95%" or "0.99:0.95" (--guarantee COVERAGE:CONFIDENCE); throws InputError.
GuaranteeRequest parse_guarantee(std::string_view text);

}  // namespace tailq
