// The mean of a per-round series whose rounds come from several nodes (machines): a two-level
// layout, rounds within nodes (docs/precision.md, "Several nodes").
#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "tailq/dependence.hpp"
#include "tailq/error.hpp"

namespace tailq {

MeanInterval mean_interval_by_node(std::span<const double> x,
                                   std::span<const std::uint32_t> node_of_round, double confidence,
                                   const DeadlineShift* shift) {
  if (node_of_round.size() != x.size()) {
    throw InputError("nodes: " + std::to_string(node_of_round.size()) + " node indices for " +
                     std::to_string(x.size()) + " rounds");
  }
  // Each node's rounds in their order, as the value that governs the variance (the series, or
  // with a deadline shift the series minus slope x share on time, as in mean_interval).
  const std::size_t node_count =
      x.empty() ? 0 : *std::max_element(node_of_round.begin(), node_of_round.end()) + 1;
  std::vector<std::vector<double>> z(node_count);
  for (std::size_t r = 0; r < x.size(); ++r) {
    const double shifted =
        shift && shift->slope != 0 ? x[r] - shift->slope * shift->on_time[r] : x[r];
    z[node_of_round[r]].push_back(shifted);
  }
  std::erase_if(z, [](const std::vector<double>& v) { return v.empty(); });
  if (z.size() < 2) return mean_interval(x, confidence, 0, shift);

  // Per node: the mean and the variance of that mean from the node's own dependent rounds.
  const double n = static_cast<double>(x.size());
  const double k = static_cast<double>(z.size());
  std::vector<double> mean(z.size()), within(z.size()), df(z.size()), weight(z.size());
  for (std::size_t j = 0; j < z.size(); ++j) {
    const double nj = static_cast<double>(z[j].size());
    mean[j] = std::accumulate(z[j].begin(), z[j].end(), 0.0) / nj;
    weight[j] = nj / n;
    if (z[j].size() >= 12) {
      const LongRunVariance v = long_run_variance(z[j]);
      within[j] = v.variance / nj;
      df[j] = v.degrees_of_freedom;
    } else {  // too few rounds for a long-run variance: as if independent
      double squares = 0;
      for (double v : z[j]) squares += (v - mean[j]) * (v - mean[j]);
      within[j] = z[j].size() > 1 ? squares / (nj - 1) / nj : 0;
      df[j] = std::max(1.0, nj - 1);
    }
  }
  // Between nodes, by the method of moments: the spread of node means beyond what their own
  // rounds explain (never below 0).
  const double grand = std::accumulate(mean.begin(), mean.end(), 0.0) / k;
  double spread = 0;
  for (double m : mean) spread += (m - grand) * (m - grand);
  spread /= k - 1;
  const double between =
      std::max(0.0, spread - std::accumulate(within.begin(), within.end(), 0.0) / k);
  // Var(sum w_j m_j) = sum w_j^2 (between + within_j). Its degrees of freedom by
  // Welch-Satterthwaite, written over the independent estimates it is made of: with between =
  // spread - mean within, the variance is c spread + sum_j (w_j^2 - c / k) within_j (c = sum
  // w_j^2), the spread having k - 1 degrees of freedom and within_j its own. With equal shares
  // the within terms cancel and the interval is the t test of k node means, k - 1 df.
  double c = 0;
  for (double w : weight) c += w * w;
  double variance = 0, df_denominator = 0;
  if (between > 0) {
    variance = c * spread;
    df_denominator = variance * variance / (k - 1);
    for (std::size_t j = 0; j < z.size(); ++j) {
      const double term = (weight[j] * weight[j] - c / k) * within[j];
      variance += term;
      df_denominator += term * term / df[j];
    }
  } else {  // the nodes differ no more than their own rounds explain
    for (std::size_t j = 0; j < z.size(); ++j) {
      const double term = weight[j] * weight[j] * within[j];
      variance += term;
      df_denominator += term * term / df[j];
    }
  }
  const double dof = df_denominator > 0 ? variance * variance / df_denominator : k - 1;

  MeanInterval r;
  const double estimate = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double half =
      boost::math::quantile(boost::math::students_t(std::max(1.0, dof)), 0.5 + confidence / 2) *
      std::sqrt(variance);
  r.interval = {estimate, estimate - half, estimate + half};
  // Reported like a one-level series: sigma^2 = n Var(mean), against the rounds' own variance.
  double squares = 0;
  for (double v : x) squares += (v - estimate) * (v - estimate);
  r.variance.iid_variance = x.size() > 1 ? squares / (n - 1) : 0;
  r.variance.variance = std::max(n * variance, r.variance.iid_variance);
  r.variance.degrees_of_freedom = std::max(1.0, dof);
  r.effective_rounds = n / r.variance.inflation();
  return r;
}

}  // namespace tailq
