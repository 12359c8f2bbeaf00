// Kde, bandwidth selectors and Jensen-Shannon distance against tests/fixtures/density.json,
// written by tests/reference/make_density_fixtures.py (an independent numpy port of ISJ, scipy's
// jensenshannon and gaussian_kde).
#include "tailq/density.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "tailq/divergence.hpp"
#include "tailq/error.hpp"

namespace tailq {
namespace {

const nlohmann::json& fixtures() {
  static const nlohmann::json json = [] {
    std::ifstream in(std::string(TAILQ_FIXTURES) + "/density.json");
    return nlohmann::json::parse(in);
  }();
  return json;
}

const nlohmann::json& bandwidth_case(const std::string& name) {
  for (const auto& c : fixtures()["bandwidth"]) {
    if (c["name"] == name) return c;
  }
  throw std::runtime_error("no fixture " + name);
}

std::vector<double> data_of(const nlohmann::json& c) {
  return c["data"].get<std::vector<double>>();
}

double relative(double a, double b) { return std::abs(a - b) / std::abs(b); }

std::vector<double> scaled(std::vector<double> v, double factor) {
  for (double& x : v) x *= factor;
  return v;
}

TEST(Isj, MatchesNumpyPortWithinOnePercent) {
  int compared = 0;
  double worst = 0;
  for (const auto& c : fixtures()["bandwidth"]) {
    if (c["isj_selector"] != "isj") continue;
    SCOPED_TRACE(c["name"].get<std::string>());
    const Bandwidth b = isj_bandwidth(data_of(c));
    EXPECT_EQ(b.selector, BandwidthSelector::isj);
    const double diff = relative(b.value, c["isj"].get<double>());
    EXPECT_LT(diff, 0.01);
    worst = std::max(worst, diff);
    ++compared;
  }
  EXPECT_GE(compared, 9);  // normal, lognormal, bimodal and heavily tied samples
  std::printf("largest relative difference from the numpy port: %.3g\n", worst);
}

TEST(Isj, IsUnitInvariant) {
  double worst = 0;
  for (const auto& c : fixtures()["bandwidth"]) {
    if (c["isj_selector"] == "fixed") continue;  // the 1e-9 width for zeros has no unit
    SCOPED_TRACE(c["name"].get<std::string>());
    const std::vector<double> x = data_of(c);
    const Bandwidth seconds = isj_bandwidth(x);
    const Bandwidth millis = isj_bandwidth(scaled(x, 1000));
    EXPECT_EQ(seconds.selector, millis.selector);
    EXPECT_LT(relative(millis.value / 1000, seconds.value), 1e-9);
    worst = std::max(worst, relative(millis.value / 1000, seconds.value));
    if (!c["isj_x1000"].is_null()) {
      EXPECT_LT(relative(millis.value, c["isj_x1000"].get<double>()), 0.01);
    }
  }
  std::printf("largest relative change from seconds to milliseconds: %.3g\n", worst);
}

TEST(Isj, FallsBackWhereThereIsNoRoot) {
  int fallbacks = 0;
  for (const auto& c : fixtures()["bandwidth"]) {
    if (c["isj_selector"] == "isj") continue;
    SCOPED_TRACE(c["name"].get<std::string>());
    const Bandwidth b = isj_bandwidth(data_of(c));
    EXPECT_EQ(to_string(b.selector), c["isj_selector"].get<std::string>());
    EXPECT_GT(b.value, 0);
    EXPECT_LT(relative(b.value, c["isj"].get<double>()), 1e-12);
    ++fallbacks;
  }
  EXPECT_GE(fallbacks, 7);  // n = 1..5, constant data, three levels
  EXPECT_EQ(isj_bandwidth(std::vector<double>{1.0, 2.0}).selector, BandwidthSelector::silverman);
  EXPECT_EQ(isj_bandwidth(std::vector<double>(50, -4.0)).selector, BandwidthSelector::fixed);
  EXPECT_DOUBLE_EQ(isj_bandwidth(std::vector<double>(50, -4.0)).value, 4e-3);
}

TEST(Isj, BinnedEqualsDirect) {
  for (const char* name : {"normal_1000", "lognormal_2000", "tied_7_levels", "n3", "constant"}) {
    SCOPED_TRACE(name);
    const auto& c = bandwidth_case(name);
    const std::vector<double> x = data_of(c);
    const auto [min_it, max_it] = std::minmax_element(x.begin(), x.end());
    const double range = *max_it - *min_it;
    const double lo = *min_it - range / 2, hi = *max_it + range / 2;
    std::vector<double> binned(1 << 14, 0.0);
    // In two chunks, as data too large to hold would be binned.
    const std::size_t half = x.size() / 2;
    linear_bin(std::span(x).first(half), lo, hi, binned);
    linear_bin(std::span(x).subspan(half), lo, hi, binned);
    const Bandwidth from_bins =
        isj_bandwidth_binned(binned, lo, hi, x.size(), c["distinct"].get<std::size_t>(),
                             c["sd"].get<double>(), c["iqr"].get<double>());
    const Bandwidth direct = isj_bandwidth(x);
    EXPECT_EQ(from_bins.selector, direct.selector);
    EXPECT_LT(relative(from_bins.value, direct.value), 1e-12);
  }
}

// Sorted data have their distinct values counted between neighbours, not hashed: the count
// (and with the same bins, the bandwidth) must be the fixture's.
TEST(Isj, SortedDataCountDistinctValuesAlike) {
  for (const char* name : {"normal_1000", "lognormal_2000", "tied_7_levels", "n3", "constant"}) {
    SCOPED_TRACE(name);
    const auto& c = bandwidth_case(name);
    std::vector<double> x = data_of(c);
    std::sort(x.begin(), x.end());
    const double range = x.back() - x.front();
    const double lo = x.front() - range / 2, hi = x.back() + range / 2;
    std::vector<double> binned(1 << 14, 0.0);
    linear_bin(x, lo, hi, binned);
    const Bandwidth from_bins =
        isj_bandwidth_binned(binned, lo, hi, x.size(), c["distinct"].get<std::size_t>(),
                             c["sd"].get<double>(), c["iqr"].get<double>());
    const Bandwidth direct = isj_bandwidth(x);
    EXPECT_EQ(from_bins.selector, direct.selector);
    if (direct.selector == BandwidthSelector::isj) {
      EXPECT_EQ(from_bins.value, direct.value);
    }
  }
}

TEST(LinearBin, SplitsWeightBetweenNeighboursAndKeepsTheMean) {
  std::vector<double> counts(5, 0.0);  // grid 0, 1, 2, 3, 4
  linear_bin(std::vector<double>{0.25, 3.0, 4.0, -1.0, 9.0}, 0, 4, counts);
  EXPECT_DOUBLE_EQ(counts[0], 0.75 + 1);  // -1 is kept on the nearest end
  EXPECT_DOUBLE_EQ(counts[1], 0.25);
  EXPECT_DOUBLE_EQ(counts[2], 0);
  EXPECT_DOUBLE_EQ(counts[3], 1);
  EXPECT_DOUBLE_EQ(counts[4], 1 + 1);
  EXPECT_THROW(linear_bin(std::vector<double>{NAN}, 0, 1, counts), InputError);
  EXPECT_THROW(linear_bin(std::vector<double>{0.5}, 1, 0, counts), InputError);
}

TEST(Rules, SilvermanAndScottMatchNumpy) {
  for (const auto& c : fixtures()["bandwidth"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const std::vector<double> x = data_of(c);
    const Bandwidth silverman = silverman_bandwidth(x);
    const Bandwidth scott = scott_bandwidth(x);
    EXPECT_LT(relative(silverman.value, c["silverman"].get<double>()), 1e-12);
    EXPECT_LT(relative(scott.value, c["scott"].get<double>()), 1e-12);
    EXPECT_EQ(to_string(silverman.selector), c["silverman_selector"].get<std::string>());
    EXPECT_EQ(to_string(scott.selector), c["scott_selector"].get<std::string>());
  }
}

TEST(Rules, SelectAndParse) {
  const std::vector<double> x = data_of(bandwidth_case("bimodal_500"));
  EXPECT_EQ(select_bandwidth(x, BandwidthSelector::isj).value, isj_bandwidth(x).value);
  EXPECT_EQ(select_bandwidth(x, BandwidthSelector::silverman).value, silverman_bandwidth(x).value);
  EXPECT_EQ(select_bandwidth(x, BandwidthSelector::scott).value, scott_bandwidth(x).value);
  EXPECT_THROW(select_bandwidth(x, BandwidthSelector::fixed), InputError);
  for (auto s : {BandwidthSelector::isj, BandwidthSelector::silverman, BandwidthSelector::scott}) {
    EXPECT_EQ(parse_bandwidth_selector(to_string(s)), s);
  }
  EXPECT_EQ(to_string(BandwidthSelector::fixed), "fixed");
  EXPECT_THROW(parse_bandwidth_selector("fixed"), InputError);
  EXPECT_THROW(parse_bandwidth_selector("ISJ "), InputError);
}

TEST(Rules, RejectEmptyAndNonFiniteData) {
  const double inf = std::numeric_limits<double>::infinity();
  for (const std::vector<double>& bad :
       {std::vector<double>{}, std::vector<double>{1, NAN, 2, 3, 4}, std::vector<double>{inf}}) {
    EXPECT_THROW(isj_bandwidth(bad), InputError);
    EXPECT_THROW(silverman_bandwidth(bad), InputError);
    EXPECT_THROW(scott_bandwidth(bad), InputError);
    EXPECT_THROW(Kde(bad, Bandwidth{1.0}), InputError);
  }
  const std::vector<double> bins(16, 1.0);
  EXPECT_THROW(isj_bandwidth_binned(bins, 0, 1, 16, 17, 1, 1), InputError);  // distinct > n
  EXPECT_THROW(isj_bandwidth_binned(bins, 1, 0, 16, 16, 1, 1), InputError);
  EXPECT_THROW(isj_bandwidth_binned(bins, 0, 1, 16, 16, NAN, 1), InputError);
  EXPECT_THROW(isj_bandwidth_binned(std::vector<double>(16, 0.0), 0, 1, 16, 16, 1, 1), InputError);
}

TEST(JsDistance, MatchesScipy) {
  double worst = 0;
  for (const auto& c : fixtures()["js"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto p = c["p"].get<std::vector<double>>();
    const auto q = c["q"].get<std::vector<double>>();
    const double d = js_distance(p, q);
    const double expected = c["distance"].get<double>();
    if (c["rounding_limited"].get<bool>()) {
      EXPECT_NEAR(d * d, expected * expected, 1e-15);
    } else {
      EXPECT_NEAR(d, expected, 1e-12);
      worst = std::max(worst, std::abs(d - expected));
    }
  }
  std::printf("largest difference from scipy: %.3g\n", worst);
  const std::vector<double> a{0.1, 0.4, 0.5};
  EXPECT_EQ(js_distance(a, a), 0.0);
  EXPECT_NEAR(js_distance(std::vector<double>{1, 0}, std::vector<double>{0, 1}),
              std::sqrt(std::log(2.0)), 1e-15);
}

TEST(JsDistance, RejectsBadInput) {
  const std::vector<double> ok{1, 2};
  EXPECT_THROW(js_distance(ok, std::vector<double>{1, 2, 3}), InputError);
  EXPECT_THROW(js_distance(std::vector<double>{}, std::vector<double>{}), InputError);
  EXPECT_THROW(js_distance(ok, std::vector<double>{-1, 2}), InputError);
  EXPECT_THROW(js_distance(ok, std::vector<double>{NAN, 2}), InputError);
  EXPECT_THROW(js_distance(std::vector<double>{INFINITY, 1}, ok), InputError);
  EXPECT_THROW(js_distance(ok, std::vector<double>{0, 0}), InputError);
}

double trapezoid(std::span<const double> x, std::span<const double> y) {
  double sum = 0;
  for (std::size_t i = 1; i < x.size(); ++i) sum += 0.5 * (x[i] - x[i - 1]) * (y[i] + y[i - 1]);
  return sum;
}

TEST(Kde, DensityIntegratesToOne) {
  for (const char* name : {"normal_1000", "lognormal_300", "bimodal_2000", "tied_7_levels"}) {
    SCOPED_TRACE(name);
    const std::vector<double> x = data_of(bandwidth_case(name));
    const Kde kde(x, isj_bandwidth(x));
    EXPECT_EQ(kde.grid().size(), std::size_t{1} << 12);
    EXPECT_NEAR(trapezoid(kde.grid(), kde.density()), 1.0, 1e-6);
  }
}

TEST(Kde, MatchesScipyGaussianKde) {
  const auto& c = fixtures()["kde"];
  const std::vector<double> x = data_of(c);
  const Kde kde(x, Bandwidth{c["bandwidth"].get<double>(), BandwidthSelector::fixed});
  const auto points = c["points"].get<std::vector<double>>();
  const auto expected = c["pdf"].get<std::vector<double>>();
  std::vector<double> got(points.size());
  kde.pdf(points, got);
  double worst = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    EXPECT_LT(relative(got[i], expected[i]), 1e-3) << "at " << points[i];
    EXPECT_EQ(got[i], kde.pdf(points[i]));
    worst = std::max(worst, relative(got[i], expected[i]));
  }
  std::printf("largest relative difference from gaussian_kde: %.3g\n", worst);
  EXPECT_THROW(kde.pdf(points, std::span(got).first(1)), InputError);
}

TEST(Kde, CdfRisesFromZeroToOne) {
  const std::vector<double> x = data_of(bandwidth_case("bimodal_500"));
  const Kde kde(x, isj_bandwidth(x));
  const double lo = kde.grid().front(), hi = kde.grid().back();
  EXPECT_EQ(kde.cdf(lo - 1), 0.0);
  EXPECT_EQ(kde.cdf(hi + 1), 1.0);
  EXPECT_EQ(kde.pdf(lo - 1), 0.0);
  EXPECT_EQ(kde.pdf(hi + 1), 0.0);
  double previous = 0;
  for (int i = 0; i <= 10000; ++i) {
    const double c = kde.cdf(lo + (hi - lo) * i / 10000.0);
    ASSERT_GE(c, previous);
    previous = c;
  }
  EXPECT_EQ(previous, 1.0);
  // The sample's median splits the estimated mass roughly in half.
  std::vector<double> sorted = x;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_NEAR(kde.cdf(sorted[sorted.size() / 2]), 0.5, 0.02);
}

TEST(Kde, SamplesHaveDataMeanAndVariancePlusBandwidthSquared) {
  const std::vector<double> x = data_of(bandwidth_case("lognormal_300"));
  const Kde kde(x, isj_bandwidth(x));
  const double h = kde.bandwidth().value;
  double mean = 0, var = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  for (double v : x) var += (v - mean) * (v - mean);
  var /= static_cast<double>(x.size());

  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> uniform(0, 1);
  std::normal_distribution<double> normal(0, 1);
  const int draws = 400000;
  double sum = 0, squares = 0;
  for (int i = 0; i < draws; ++i) {
    const double s = kde.sample(uniform(rng), normal(rng));
    sum += s;
    squares += s * s;
  }
  const double sample_mean = sum / draws;
  const double sample_var = squares / draws - sample_mean * sample_mean;
  EXPECT_NEAR(sample_mean, mean, 5 * std::sqrt((var + h * h) / draws));
  EXPECT_NEAR(sample_var, var + h * h, 0.03 * (var + h * h));
  // The ends of the uniform range pick the first and last data point.
  EXPECT_EQ(kde.sample(0.0, 0.0), x.front());
  EXPECT_EQ(kde.sample(std::nextafter(1.0, 0.0), 0.0), x.back());
  EXPECT_EQ(kde.sample(0.0, 1.0), x.front() + h);
}

TEST(Kde, RejectsBadBandwidth) {
  const std::vector<double> x{1, 2, 3};
  EXPECT_THROW(Kde(x, Bandwidth{0.0}), InputError);
  EXPECT_THROW(Kde(x, Bandwidth{-1.0}), InputError);
  EXPECT_THROW(Kde(x, Bandwidth{NAN}), InputError);
  EXPECT_THROW(Kde(x, Bandwidth{1.0}, 1), InputError);
}

TEST(Kde, ConstantDataGetAPositiveWidthAndAUnitMass) {
  const std::vector<double> x(20, 5.0);
  const Kde kde(x, isj_bandwidth(x));
  EXPECT_EQ(kde.bandwidth().selector, BandwidthSelector::fixed);
  EXPECT_NEAR(trapezoid(kde.grid(), kde.density()), 1.0, 1e-4);
  EXPECT_NEAR(kde.cdf(5.0), 0.5, 1e-3);
}

}  // namespace
}  // namespace tailq
