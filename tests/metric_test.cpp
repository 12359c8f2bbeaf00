#include "tailq/metric.hpp"

#include <gtest/gtest.h>

#include "tailq/error.hpp"

namespace tailq {
namespace {

Outcomes classification(std::vector<std::string> labels, std::vector<std::string> predictions) {
  Outcomes o;
  o.kind = Outcomes::Kind::classification;
  o.labels = std::move(labels);
  o.predictions = std::move(predictions);
  return o;
}

TEST(Accuracy, LateAnswersAreWrongAndStayInTheDenominator) {
  const auto o = classification({"a", "b", "c", "a"}, {"a", "b", "a", "a"});
  const auto m = make_metric("accuracy", o);
  const std::vector<std::uint8_t> all = {1, 1, 1, 1}, some = {1, 0, 1, 1}, none = {0, 0, 0, 0};
  EXPECT_DOUBLE_EQ(m->quality(all), 0.75);
  EXPECT_DOUBLE_EQ(m->quality(some), 0.5);
  EXPECT_DOUBLE_EQ(m->quality(none), 0.0);
}

TEST(TopK, CountsALabelAmongTheFirstK) {
  const auto o = classification({"a", "b", "c"}, {"x a y", "y z b", ""});
  const std::vector<std::uint8_t> all = {1, 1, 1};
  EXPECT_DOUBLE_EQ(make_metric("top1", o)->quality(all), 0.0);
  EXPECT_DOUBLE_EQ(make_metric("top2", o)->quality(all), 1.0 / 3);
  EXPECT_DOUBLE_EQ(make_metric("top3", o)->quality(all), 2.0 / 3);
}

TEST(F1, LateIsAMissOfTheTrueClassOnly) {
  // Class a: 2 instances, class b: 1. Predictions all right.
  const auto o = classification({"a", "a", "b"}, {"a", "a", "b"});
  const std::vector<std::uint8_t> late_b = {1, 1, 0};
  // a: TP 2, F1 1. b: TP 0 FN 1, F1 0.
  EXPECT_DOUBLE_EQ(make_metric("f1-macro", o)->quality(late_b), 0.5);
  EXPECT_DOUBLE_EQ(make_metric("f1-weighted", o)->quality(late_b), 2.0 / 3);
  // Precision of a stays 1: the late answer adds no false positive anywhere.
  EXPECT_DOUBLE_EQ(make_metric("precision-macro", o)->quality(late_b), 0.5);
  EXPECT_DOUBLE_EQ(make_metric("recall-weighted", o)->quality(late_b), 2.0 / 3);
}

TEST(F1, WrongAnswerIsFalsePositiveOfThePredictedClass) {
  const auto o = classification({"a", "b"}, {"b", "b"});
  const std::vector<std::uint8_t> all = {1, 1};
  // a: TP 0 FN 1 -> 0. b: TP 1 FP 1 -> 2/3.
  EXPECT_DOUBLE_EQ(make_metric("f1-macro", o)->quality(all), 1.0 / 3);
}

TEST(Score, MeanWithZeroForLate) {
  Outcomes o;
  o.kind = Outcomes::Kind::score;
  o.scores = {0.5, 1.0, 0.25, 0.0};
  const std::vector<std::uint8_t> mask = {1, 0, 1, 1};
  EXPECT_DOUBLE_EQ(make_metric("score", o)->quality(mask), 0.75 / 4);
}

TEST(MetricFactory, RejectsUnknownAndMismatchedNames) {
  const auto o = classification({"a"}, {"a"});
  EXPECT_THROW(make_metric("bleu", o), InputError);
  EXPECT_THROW(make_metric("score", o), InputError);
  EXPECT_THROW(make_metric("top0", o), InputError);
  Outcomes s;
  s.kind = Outcomes::Kind::score;
  s.scores = {1};
  EXPECT_THROW(make_metric("accuracy", s), InputError);
  try {
    make_metric("bleu", o);
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("f1-macro"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tailq
