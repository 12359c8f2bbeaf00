// Checks describe() and fit_line() against tests/reference/make_describe_fixtures.py (numpy,
// scipy.stats.skew/kurtosis(bias=False), scipy.stats.linregress), and their handling of bad
// input. Every call passes with_bandwidth = false: the ISJ fit is tested where it is written.
#include "tailq/describe.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "model/sort_finite.hpp"
#include "tailq/error.hpp"

namespace tailq {
namespace {

using nlohmann::json;

const json& fixtures() {
  static const json data = [] {
    std::ifstream in(std::string(TAILQ_FIXTURES) + "/describe.json");
    return json::parse(in);
  }();
  return data;
}

// Within `rel` of the expected value, or `floor` where that is larger (for expected values at
// or near 0); a JSON null stands for NaN.
void expect_close(double actual, const json& expected, double rel, double floor,
                  const std::string& what) {
  if (expected.is_null()) {
    EXPECT_TRUE(std::isnan(actual)) << what << " = " << actual << ", expected NaN";
    return;
  }
  const double e = expected.get<double>();
  EXPECT_NEAR(actual, e, std::max(rel * std::abs(e), floor)) << what;
}

class DescribeReference : public ::testing::TestWithParam<std::size_t> {};

TEST_P(DescribeReference, MatchesNumpyAndScipy) {
  const json& c = fixtures()["describe"][GetParam()];
  SCOPED_TRACE(c["name"].get<std::string>());
  const auto values = c["values"].get<std::vector<double>>();
  const Description d = describe(values, /*with_bandwidth=*/false);

  EXPECT_EQ(d.count, c["count"].get<std::size_t>());
  // Order statistics pick or average data values with numpy's operations: exact.
  EXPECT_EQ(d.min, c["min"].get<double>());
  EXPECT_EQ(d.max, c["max"].get<double>());
  EXPECT_EQ(d.median, c["median"].get<double>());
  EXPECT_EQ(d.q1, c["q1"].get<double>());
  EXPECT_EQ(d.q3, c["q3"].get<double>());
  EXPECT_EQ(d.iqr, c["iqr"].get<double>());
  EXPECT_EQ(d.outliers_iqr, c["outliers_iqr"].get<std::size_t>());
  EXPECT_EQ(d.outliers_sigma, c["outliers_sigma"].get<std::size_t>());
  EXPECT_EQ(d.outliers_mad, c["outliers_mad"].get<std::size_t>());

  // The fixture's moments are exact (rational arithmetic); skewness and kurtosis are unitless,
  // mean and std carry the data's unit, so they get no absolute floor.
  expect_close(d.mean, c["mean"], 1e-9, 0, "mean");
  expect_close(d.std, c["std"], 1e-9, 0, "std");
  expect_close(d.skewness, c["skewness"], 1e-9, 1e-12, "skewness");
  expect_close(d.kurtosis, c["kurtosis"], 1e-9, 1e-12, "kurtosis");
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DescribeReference,
                         ::testing::Range<std::size_t>(0, fixtures()["describe"].size()));

class FitLineReference : public ::testing::TestWithParam<std::size_t> {};

TEST_P(FitLineReference, MatchesLinregress) {
  const json& c = fixtures()["fit_line"][GetParam()];
  SCOPED_TRACE(c["name"].get<std::string>());
  const auto x = c["x"].get<std::vector<double>>();
  const auto y = c["y"].get<std::vector<double>>();
  const std::optional<LinearFit> fit = fit_line(x, y);
  if (c["fit"].is_null()) {
    EXPECT_FALSE(fit.has_value());
    return;
  }
  ASSERT_TRUE(fit.has_value());
  const json& e = c["fit"];
  EXPECT_EQ(fit->count, e["count"].get<std::size_t>());
  // An expected intercept or slope of exactly 0 gets a floor on the scale of the data: the
  // rounding of the means leaves ~1e-16 of max |y| there.
  double y_scale = 0;
  for (double v : y) y_scale = std::max(y_scale, std::abs(v));
  const auto [x_lo, x_hi] = std::minmax_element(x.begin(), x.end());
  expect_close(fit->slope, e["slope"], 1e-9, 1e-12 * y_scale / (*x_hi - *x_lo), "slope");
  expect_close(fit->intercept, e["intercept"], 1e-9, 1e-12 * y_scale, "intercept");
  expect_close(fit->r_squared, e["r_squared"], 1e-9, 1e-12, "r_squared");
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FitLineReference,
                         ::testing::Range<std::size_t>(0, fixtures()["fit_line"].size()));

TEST(Describe, MomentsIgnoreALargeOffset) {
  // {1, 2, 4, 8} shifted by 1e9: every value and the mean (1e9 + 3.75) are exact doubles, so
  // two-pass moments are unchanged; sum(x^2) - n mean^2 would lose them entirely.
  const std::vector<double> small = {1, 2, 4, 8};
  const std::vector<double> shifted = {1e9 + 1, 1e9 + 2, 1e9 + 4, 1e9 + 8};
  const Description a = describe(small, false);
  const Description b = describe(shifted, false);
  EXPECT_EQ(b.mean, 1e9 + 3.75);
  EXPECT_DOUBLE_EQ(b.std, a.std);
  EXPECT_DOUBLE_EQ(b.skewness, a.skewness);
  EXPECT_DOUBLE_EQ(b.kurtosis, a.kurtosis);
}

TEST(Describe, ConstantDataHasExactMeanAndUndefinedShape) {
  const std::vector<double> v(7, 0.1);  // 7 x 0.1 / 7 is not 0.1 in doubles
  const Description d = describe(v, false);
  EXPECT_EQ(d.mean, 0.1);
  EXPECT_EQ(d.std, 0.0);
  EXPECT_TRUE(std::isnan(d.skewness));
  EXPECT_TRUE(std::isnan(d.kurtosis));
  EXPECT_EQ(d.outliers_iqr + d.outliers_sigma + d.outliers_mad, 0u);
}

TEST(Describe, ShapeNeedsEnoughValues) {
  // scipy returns the biased skewness for 2 values and kurtosis for 3; tailq says NaN.
  const std::vector<double> two = {1, 3};
  const std::vector<double> three = {1, 3, 7};
  EXPECT_TRUE(std::isnan(describe(two, false).skewness));
  EXPECT_FALSE(std::isnan(describe(three, false).skewness));
  EXPECT_TRUE(std::isnan(describe(three, false).kurtosis));
  EXPECT_TRUE(std::isnan(describe(std::vector<double>{5}, false).std));
}

TEST(Describe, ZeroMadFlagsNoOutliers) {
  // MAD = 0: a literal 3 MAD fence would flag 3 and 9. The IQR rule has no such exception.
  const std::vector<double> v = {4, 4, 4, 4, 4, 3, 9};
  const Description d = describe(v, false);
  EXPECT_EQ(d.outliers_mad, 0u);
  EXPECT_EQ(d.outliers_iqr, 2u);
}

TEST(Describe, MedianAveragesTheMiddlePairAndQuartilesPickValues) {
  const std::vector<double> v = {4, 1, 3, 2};
  const Description d = describe(v, false);
  EXPECT_EQ(d.median, 2.5);  // numpy.median
  EXPECT_EQ(d.q1, 1.0);      // inverted_cdf: n q = 1 is whole, index 0
  EXPECT_EQ(d.q3, 3.0);
}

TEST(Describe, RejectsEmptyAndNonFiniteInput) {
  EXPECT_THROW(describe(std::vector<double>{}, false), InputError);
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_THROW(describe(std::vector<double>{1, std::nan(""), 2}, false), InputError);
  EXPECT_THROW(describe(std::vector<double>{1, inf}, false), InputError);
  EXPECT_THROW(describe(std::vector<double>{-inf}, false), InputError);
}

TEST(FitLine, RejectsMismatchedOrNonFiniteInput) {
  const std::vector<double> three = {1, 2, 3};
  const std::vector<double> two = {1, 2};
  EXPECT_THROW(fit_line(three, two), InputError);
  EXPECT_THROW(fit_line(std::vector<double>{}, two), InputError);
  EXPECT_THROW(fit_line(three, std::vector<double>{1, std::nan(""), 3}), InputError);
}

TEST(FitLine, NoFitWithoutTwoDistinctX) {
  EXPECT_FALSE(fit_line(std::vector<double>{}, std::vector<double>{}).has_value());
  EXPECT_FALSE(fit_line(std::vector<double>{2}, std::vector<double>{1}).has_value());
  EXPECT_FALSE(fit_line(std::vector<double>{2, 2}, std::vector<double>{1, 5}).has_value());
}

TEST(FitLine, ConstantYFitsExactlyButHasNoCorrelation) {
  // linregress semantics: r = 0 when y does not vary.
  const auto fit = fit_line(std::vector<double>{1, 2, 3}, std::vector<double>{0.1, 0.1, 0.1});
  ASSERT_TRUE(fit.has_value());
  EXPECT_EQ(fit->slope, 0.0);
  EXPECT_EQ(fit->intercept, 0.1);
  EXPECT_EQ(fit->r_squared, 0.0);
}

// Data that a bucket sort on the bits handles badly or specially, next to times.
std::vector<std::vector<double>> awkward_samples() {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> times(std::log(5e-3), 0.2);
  std::normal_distribution<double> signed_values(0, 1);
  std::uniform_real_distribution<double> exponent(-300, 300);
  std::vector<std::vector<double>> samples(7);
  for (int i = 0; i < 100000; ++i) samples[0].push_back(times(rng));
  for (int i = 0; i < 5000; ++i) samples[1].push_back(signed_values(rng));
  for (int i = 0; i < 5000; ++i) samples[2].push_back(static_cast<double>(i % 3));  // ties
  samples[3] = samples[0];
  samples[3][17] = 1e300;  // one far outlier puts nearly everything into one bucket
  for (int i = 0; i < 5000; ++i) samples[4].push_back(std::pow(10.0, exponent(rng)));
  for (int i = 0; i < 1000; ++i) samples[5].push_back(i % 2 ? 5e-324 * i : -0.0);  // subnormal
  for (std::size_t n : {0, 1, 2, 63, 64, 65}) {
    for (std::size_t i = 0; i < n; ++i) samples[6].push_back(times(rng));
    samples.push_back(samples[6]);
    samples[6].clear();
  }
  return samples;
}

TEST(SortFinite, SameOrderAsStdSort) {
  for (const std::vector<double>& values : awkward_samples()) {
    std::vector<double> expected = values;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(detail::sorted_finite(values), expected) << values.size() << " values";
  }
}

// The MAD outliers against numpy's way: sort the deviations and take their median.
TEST(Describe, MadOutliersMatchSortedDeviations) {
  std::mt19937_64 rng(8);
  std::normal_distribution<double> d(1, 0.5);
  std::vector<std::size_t> sizes = {100, 101, 1000, 1001};
  for (std::size_t n = 1; n <= 40; ++n) sizes.insert(sizes.end(), 3, n);
  for (std::size_t n : sizes) {
    std::vector<double> v(n);
    for (double& x : v) x = std::round(d(rng) * 8) / 8;  // ties around the median too
    const Description got = describe(v, false);
    std::vector<double> dev;
    for (double x : v) dev.push_back(std::abs(x - got.median));
    std::sort(dev.begin(), dev.end());
    const double mad = n % 2 ? dev[n / 2] : (dev[n / 2 - 1] + dev[n / 2]) / 2;
    const auto beyond =
        std::count_if(dev.begin(), dev.end(), [&](double x) { return x > 3 * mad; });
    EXPECT_EQ(got.outliers_mad, mad > 0 ? static_cast<std::size_t>(beyond) : 0u) << n;
  }
}

}  // namespace
}  // namespace tailq
