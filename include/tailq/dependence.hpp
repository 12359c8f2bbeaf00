// Intervals for a per-round quantity (Q@T, a late fraction) when consecutive rounds are not
// independent: a machine's speed drifts over minutes, so one slow round is followed by more.
// docs/precision.md explains the choices; the sources are cited beside each function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace tailq {

// The long-run variance sigma^2 = lim n Var(mean of n rounds) of a stationary series, which
// replaces the variance of one round wherever rounds are averaged.
struct LongRunVariance {
  double variance = 0;         // sigma^2, never below iid_variance (see long_run_variance)
  double iid_variance = 0;     // the sample variance (ddof 1): sigma^2 if rounds were independent
  std::size_t batch_size = 0;  // b of the batch-means estimator
  double degrees_of_freedom = 0;  // of the estimate (a Student t with this many)
  double lag1 = 0;                // lag-1 autocorrelation of the series (0 when constant)
  // variance / iid_variance: how many rounds count as one independent round (1 when constant).
  double inflation() const { return iid_variance > 0 ? variance / iid_variance : 1; }
};

// The batch size for a series with lag-1 autocorrelation `lag1` (clamped to [0, 0.95]): the
// MSE-optimal size of overlapping batch means for an AR(1) process, b = (1.5 n)^(1/3) (2 phi /
// (1 - phi^2))^(2/3) (Liu, Vats & Flegal 2022, with an AR(1) pilot), within [3, n / 4].
std::size_t batch_size_for(std::size_t n, double lag1);

// Lugsail overlapping batch means (Meketon & Schmeiser 1984; Vats & Flegal 2022, r = 3, c = 1/2):
// 2 OBM(b) - OBM(b/3), which cancels the downward bias of batch means at positive correlation
// and errs on the wide side. `batch_size` 0 picks batch_size_for(n, lag-1 autocorrelation).
// The result is floored at the sample variance: a round never counts as more than one
// independent round. Needs at least 12 values (4 batches of 3); throws InputError otherwise.
LongRunVariance long_run_variance(std::span<const double> series, std::size_t batch_size = 0);

// When the series is measured at a deadline that is itself estimated (a percentile of the
// pooled times), the deadline's error moves every round's value with the round's share of
// instances on time: an estimate's error is then, to first order, the mean of the per-round term
// minus slope x on_time[r] (the delta method, docs/precision.md), and the long-run variance is
// taken of that. slope: the change of the estimated quantity per unit of share on time.
struct DeadlineShift {
  std::span<const double> on_time;  // per round, the share of instances on time
  double slope = 0;
};

// tau >= 1: how much dependence inflates the variance of the count of rounds with
// x_r <= threshold over that of independent rounds (long-run over sample variance of the
// indicator series, with `batch_size` as above); n / tau rounds count as independent. 1 when the
// indicator is constant or there are fewer than 12 rounds to estimate it from.
// With `tail` > 0, tau is also scaled by (t_df(1 - tail) / z(1 - tail))^2, df those of its own
// estimate: a count bounded with an estimated variance needs Student's t, as a mean does.
double indicator_inflation(std::span<const double> series, double threshold,
                           std::size_t batch_size = 0, const DeadlineShift* shift = nullptr,
                           double tail = 0);

// A two-sided interval around an estimate. An open end (not enough rounds to bound that side)
// is -infinity or +infinity.
struct Interval {
  double value = 0, low = 0, high = 0;
  double half_width() const;  // the larger of value - low and high - value
};

// The mean of the series with a (1 - alpha) interval: mean -+ t(df) sqrt(sigma^2 / n), sigma^2
// and df from long_run_variance (df of the lugsail estimate: 0.36 of those of OBM, measured by
// simulation, docs/precision.md).
struct MeanInterval {
  Interval interval;
  LongRunVariance variance;
  double effective_rounds = 0;  // n / inflation
};
MeanInterval mean_interval(std::span<const double> series, double confidence,
                           std::size_t batch_size = 0, const DeadlineShift* shift = nullptr);

// The mean of a series measured on several nodes (node_of_round[r]: round r's node), nodes as a
// level: rounds within a node are dependent, nodes are independent draws of machines of one
// kind. Var(mean) = sum_j w_j^2 (between + within_j), w_j node j's share of the rounds,
// within_j the variance of node j's mean from its own rounds' long-run variance, between the
// spread of node means beyond what within explains (method of moments, at least 0); a Student t
// with Welch-Satterthwaite degrees of freedom, so that few nodes widen the interval. One node
// with rounds: mean_interval. docs/precision.md, "Several nodes".
MeanInterval mean_interval_by_node(std::span<const double> series,
                                   std::span<const std::uint32_t> node_of_round, double confidence,
                                   const DeadlineShift* shift = nullptr);

// The q-quantile (q in (0, 1); numpy's inverted_cdf) with a (1 - alpha) interval between two
// order statistics, distribution-free. For independent rounds the orders are the classical
// binomial ones; dependence enters through the long-run variance of the indicator
// 1{x_r <= estimate} (its inflation tau over p(1 - p), at least 1), which scales the binomial
// count to m = n / tau effective rounds (the batch-means quantile CLT of Doss, Flegal, Jones &
// Neath 2014, kept in order-statistic form so that no density is estimated). An end is open
// when even the extreme order statistic cannot bound that side: for q = 5% at 97.5% per side,
// fewer than 72 effective rounds leave the low end open, whatever the data.
struct QuantileInterval {
  Interval interval;
  double effective_rounds = 0;  // m
  std::size_t low_order = 0;    // 1-based order statistic of the low end (0: open)
  std::size_t high_order = 0;   // of the high end (0: open)
};
// With a DeadlineShift, the indicator minus slope x on_time enters the long-run variance
// (slope: the change in the share of rounds at or below the estimate per unit of share on time).
QuantileInterval quantile_interval(std::span<const double> series, double q, double confidence,
                                   std::size_t batch_size = 0,
                                   const DeadlineShift* shift = nullptr);

}  // namespace tailq
