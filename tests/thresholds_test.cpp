#include "tailq/thresholds.hpp"

#include <gtest/gtest.h>

#include "tailq/error.hpp"

namespace tailq {
namespace {

TEST(Thresholds, ParsesPercentilesAndUnits) {
  const auto specs = parse_thresholds("p90,P99.9,0.004,4ms,900us,250ns,1.5s");
  ASSERT_EQ(specs.size(), 7u);
  EXPECT_EQ(specs[0].kind, ThresholdSpec::Kind::percentile);
  EXPECT_EQ(specs[0].value, 90);
  EXPECT_EQ(specs[1].label, "p99.9");
  EXPECT_EQ(specs[1].value, 99.9);
  EXPECT_EQ(specs[2].kind, ThresholdSpec::Kind::absolute);
  EXPECT_EQ(specs[2].value, 0.004);
  EXPECT_DOUBLE_EQ(specs[3].value, 0.004);
  EXPECT_DOUBLE_EQ(specs[4].value, 900e-6);
  EXPECT_DOUBLE_EQ(specs[5].value, 250e-9);
  EXPECT_EQ(specs[6].value, 1.5);
  EXPECT_EQ(specs[3].label, "4ms");
}

TEST(Thresholds, RejectsBadItemsNamingThem) {
  for (const char* bad : {"p101", "p-1", "4 parsecs", "abc", "p90,,p99", "-3ms", "nan", "inf"}) {
    try {
      parse_thresholds(bad);
      FAIL() << "accepted " << bad;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("threshold"), std::string::npos) << e.what();
    }
  }
}

// The message of parse_thresholds(text, bare), or "" if it parses.
std::string refusal(const char* text, BareNumber bare) {
  try {
    parse_thresholds(text, bare);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Thresholds, NearMissesGetTheirFix) {
  EXPECT_EQ(refusal("p99,5 ms", BareNumber::seconds), "threshold '5 ms': write 5ms (no space)");
  EXPECT_EQ(refusal("p 99", BareNumber::seconds), "threshold 'p 99': write p99 (no space)");
  EXPECT_EQ(refusal("5", BareNumber::refused),
            "threshold '5': add a unit (5s, 5ms or 5us) or write p5 for a percentile");
  EXPECT_EQ(refusal("5", BareNumber::seconds), "");  // the library's programs: seconds
  EXPECT_EQ(refusal("5ms,p99,0.5s", BareNumber::refused), "");
  EXPECT_NE(refusal("4 parsecs", BareNumber::refused).find("not a number"), std::string::npos);
}

TEST(Linspace, MatchesNumpyEndpoints) {
  const auto v = linspace(0.001, 0.002, 5);
  ASSERT_EQ(v.size(), 5u);
  EXPECT_EQ(v.front(), 0.001);
  EXPECT_EQ(v.back(), 0.002);
  EXPECT_DOUBLE_EQ(v[2], 0.0015);
  EXPECT_EQ(linspace(3, 3, 1), std::vector<double>{3});
}

}  // namespace
}  // namespace tailq
