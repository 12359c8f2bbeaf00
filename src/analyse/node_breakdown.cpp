#include "analyse/node_breakdown.hpp"

#include <algorithm>
#include <boost/math/distributions/fisher_f.hpp>
#include <cmath>
#include <limits>

namespace tailq::detail {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

double sample_sd(double sum_of_squares, std::size_t count, std::size_t groups) {
  if (count <= groups) return kNan;
  return std::sqrt(sum_of_squares / static_cast<double>(count - groups));
}

// Means taken around a value of their own group: identical values give their value exactly,
// so rounds that never vary give sums of squares of exactly 0, not rounding noise.
struct GroupMeans {
  std::vector<std::size_t> count;
  std::vector<double> mean;
  std::size_t total = 0, with_values = 0;
  double grand = 0;  // over all values
};

GroupMeans group_means(std::span<const double> values, std::span<const std::uint32_t> group_of,
                       std::size_t groups) {
  GroupMeans g;
  g.count.assign(groups, 0);
  g.mean.assign(groups, kNan);
  std::vector<double> shift(groups, 0.0), sum(groups, 0.0);
  for (std::size_t k = 0; k < values.size(); ++k) {
    const std::uint32_t n = group_of[k];
    if (g.count[n]++ == 0) shift[n] = values[k];
    sum[n] += values[k] - shift[n];
  }
  double grand_sum = 0;
  for (std::size_t k = 0; k < values.size(); ++k) grand_sum += values[k] - values.front();
  g.total = values.size();
  if (g.total) g.grand = values.front() + grand_sum / static_cast<double>(g.total);
  for (std::size_t n = 0; n < groups; ++n) {
    if (!g.count[n]) continue;
    ++g.with_values;
    g.mean[n] = shift[n] + sum[n] / static_cast<double>(g.count[n]);
  }
  return g;
}

}  // namespace

NodeBreakdown::FTest one_way_f_test(std::span<const double> values,
                                    std::span<const std::uint32_t> group_of, std::size_t groups) {
  const GroupMeans g = group_means(values, group_of, groups);
  NodeBreakdown::FTest t;
  t.df_between = g.with_values ? g.with_values - 1 : 0;
  t.df_within = g.total - g.with_values;
  t.f = t.p = kNan;
  if (t.df_between == 0 || t.df_within == 0) return t;
  double between = 0, within = 0;
  for (std::size_t n = 0; n < groups; ++n) {
    if (g.count[n]) between += static_cast<double>(g.count[n]) * std::pow(g.mean[n] - g.grand, 2);
  }
  for (std::size_t k = 0; k < values.size(); ++k) {
    within += std::pow(values[k] - g.mean[group_of[k]], 2);
  }
  const double between_ms = between / static_cast<double>(t.df_between);
  const double within_ms = within / static_cast<double>(t.df_within);
  if (within_ms == 0) {
    if (between_ms > 0) {
      t.f = std::numeric_limits<double>::infinity();
      t.p = 0;
    }
    return t;
  }
  t.f = between_ms / within_ms;
  const boost::math::fisher_f_distribution<double> f(static_cast<double>(t.df_between),
                                                     static_cast<double>(t.df_within));
  t.p = boost::math::cdf(boost::math::complement(f, t.f));
  return t;
}

NodeBreakdown node_breakdown(std::vector<std::string> labels,
                             std::vector<std::uint32_t> node_of_round, const TailQuality& result) {
  NodeBreakdown out;
  for (std::string& label : labels) out.nodes.push_back({std::move(label), 0});
  for (std::uint32_t n : node_of_round) ++out.nodes[n].rounds;
  out.node_of_round = std::move(node_of_round);
  for (const ThresholdQuality& t : result.thresholds) {
    if (t.from_sweep) continue;
    NodeBreakdown::Deadline& d = out.deadlines.emplace_back();
    d.label = t.label;
    d.seconds = t.seconds;
    const GroupMeans g = group_means(t.per_round, out.node_of_round, out.nodes.size());
    d.mean = g.mean;
    // The node means count alike, however many rounds each node has.
    double mean_of_means = 0;
    for (double m : g.mean) {
      if (!std::isnan(m)) mean_of_means += m;
    }
    mean_of_means /= static_cast<double>(std::max<std::size_t>(g.with_values, 1));
    double between = 0, within = 0;
    for (double m : g.mean) {
      if (!std::isnan(m)) between += (m - mean_of_means) * (m - mean_of_means);
    }
    for (std::size_t k = 0; k < t.per_round.size(); ++k) {
      const double e = t.per_round[k] - g.mean[out.node_of_round[k]];
      within += e * e;
    }
    d.between_sd = sample_sd(between, g.with_values, 1);
    d.within_sd = sample_sd(within, g.total, g.with_values);
    d.f_test = one_way_f_test(t.per_round, out.node_of_round, out.nodes.size());
  }
  return out;
}

}  // namespace tailq::detail
