// Ranking metrics (docs/ranking.md): small cases worked out by hand, and a generated set against
// the independent numpy evaluator (tests/reference/ranking_reference.py, fixture ranking.json).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tailq/metric.hpp"
#include "tailq/trace.hpp"
#include "test_util.hpp"

namespace tailq {
namespace {

using testing::ThrowsInputError;

Outcomes ranking(std::vector<std::string> relevant, std::vector<std::string> ranked) {
  Outcomes o;
  o.kind = Outcomes::Kind::ranking;
  o.labels = std::move(relevant);
  o.predictions = std::move(ranked);
  return o;
}

double quality(std::string_view metric, const Outcomes& o, std::vector<std::uint8_t> on_time) {
  return make_metric(metric, o)->quality(on_time);
}

TEST(Ranking, HandCheckedExample) {
  // Relevant {a, c, f}, ranking (a, b, c, d), K = 3: hits at ranks 1 and 3.
  //   Precision@3 = 2/3, Recall@3 = 2/3,
  //   DCG = 1/log2(2) + 1/log2(4) = 1 + 0.5 = 1.5,
  //   IDCG = 1 + 1/log2(3) + 1/log2(4) = 2.1309297535714578, NDCG@3 = 0.7039180890341347.
  const Outcomes o = ranking({"a c f"}, {"a b c d"});
  EXPECT_NEAR(quality("precision@3", o, {1}), 2.0 / 3, 1e-15);
  EXPECT_NEAR(quality("recall@3", o, {1}), 2.0 / 3, 1e-15);
  EXPECT_NEAR(quality("ndcg@3", o, {1}), 1.5 / (1.5 + 1 / std::log2(3.0)), 1e-15);
  EXPECT_NEAR(quality("ndcg@3", o, {1}), 0.7039180890341347, 1e-15);
  // K = 1: the first item is relevant, so every measure is perfect except recall (1 of 3).
  EXPECT_EQ(quality("precision@1", o, {1}), 1.0);
  EXPECT_NEAR(quality("recall@1", o, {1}), 1.0 / 3, 1e-15);
  EXPECT_EQ(quality("ndcg@1", o, {1}), 1.0);
}

TEST(Ranking, LateUsersScoreZeroAndStayInTheMean) {
  // User 0 as above; user 1 is perfect at K = 2 (Precision 1, Recall 1, NDCG 1).
  const Outcomes o = ranking({"a c f", "x y"}, {"a b c d", "y x z"});
  const double ndcg0 = 1.5 / (1.5 + 1 / std::log2(3.0));
  EXPECT_NEAR(quality("ndcg@3", o, {1, 1}), (ndcg0 + 1) / 2, 1e-15);
  EXPECT_NEAR(quality("ndcg@3", o, {1, 0}), ndcg0 / 2, 1e-15);
  EXPECT_NEAR(quality("ndcg@3", o, {0, 1}), 0.5, 1e-15);
  EXPECT_EQ(quality("ndcg@3", o, {0, 0}), 0.0);
  // Precision@3 of user 1: 2 hits among its first 3 = 2/3; late user 0 adds nothing.
  EXPECT_NEAR(quality("precision@3", o, {0, 1}), (2.0 / 3) / 2, 1e-15);
  EXPECT_NEAR(quality("recall@3", o, {0, 1}), 0.5, 1e-15);
}

TEST(Ranking, CutOffBeyondTheListAndEmptyLists) {
  // Relevant {a, b}, ranking (a), K = 5: Precision@5 = 1/5 (K, not the list's length),
  // Recall@5 = 1/2, NDCG@5 = 1 / (1 + 1/log2(3)) (the ideal list holds both items).
  const Outcomes o = ranking({"a b", "a"}, {"a", ""});
  EXPECT_NEAR(quality("precision@5", o, {1, 0}), 0.2 / 2, 1e-15);
  EXPECT_NEAR(quality("recall@5", o, {1, 0}), 0.5 / 2, 1e-15);
  EXPECT_NEAR(quality("ndcg@5", o, {1, 0}), 1 / (1 + 1 / std::log2(3.0)) / 2, 1e-15);
  // The empty ranking of user 1 scores 0 on time too.
  EXPECT_EQ(quality("ndcg@5", ranking({"a"}, {""}), {1}), 0.0);
  // K far beyond every list: the sums stop at the lists' and relevant sets' ends.
  EXPECT_NEAR(quality("ndcg@1000000000000", o, {1, 0}), 1 / (1 + 1 / std::log2(3.0)) / 2, 1e-15);
}

TEST(Ranking, NdcgIsOneForAListThatStartsWithMinOfKAndRelevantHits) {
  // More relevant items than K: the ideal list is K hits, so two hits at K = 2 is perfect.
  EXPECT_EQ(quality("ndcg@2", ranking({"a b c d"}, {"c a"}), {1}), 1.0);
  // Extra spaces in stored lists read as single separators.
  EXPECT_EQ(quality("ndcg@2", ranking({" a  b "}, {"b   a"}), {1}), 1.0);
}

TEST(Ranking, MatchesNumpyReference) {
  std::ifstream in(std::string(TAILQ_FIXTURES) + "/ranking.json");
  const auto data = nlohmann::json::parse(in);
  const Outcomes o = ranking(data["relevant"].get<std::vector<std::string>>(),
                             data["ranking"].get<std::vector<std::string>>());
  std::size_t checked = 0;
  for (const auto& c : data["cases"]) {
    const auto on_time = c["on_time"].get<std::vector<std::uint8_t>>();
    for (const auto& [name, want] : c["expected"].items()) {
      EXPECT_NEAR(quality(name, o, on_time), want.get<double>(), 1e-12) << name;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 5u * 18u);
}

TEST(Ranking, RefusesUsersWithoutRelevantItemsAndRepeatedItems) {
  EXPECT_TRUE(ThrowsInputError(
      [] {
        make_metric("ndcg@20", ranking({"a", " "}, {"a", "a"}));
      },
      {"instance 1 has no relevant items", "leave users"}));
  EXPECT_TRUE(ThrowsInputError([] { make_metric("recall@5", ranking({"a"}, {"b a b"})); },
                               {"instance 0 ranks item 'b' twice", "each item once"}));
  EXPECT_TRUE(ThrowsInputError([] { make_metric("precision@5", ranking({"a c a"}, {"a"})); },
                               {"relevant item 'a' twice"}));
}

TEST(Ranking, NamesKAndKinds) {
  const Outcomes o = ranking({"a"}, {"a"});
  for (const char* bad : {"ndcg@0", "ndcg@x", "ndcg@", "recall@-1", "precision@1.5", "ndcg@ 5"}) {
    EXPECT_TRUE(ThrowsInputError([&] { make_metric(bad, o); },
                                 {std::string("metric '") + bad + "'", "whole number >= 1"}))
        << bad;
  }
  EXPECT_TRUE(ThrowsInputError([&] { make_metric("accuracy", o); },
                               {"does not apply to ranking outcomes", "ndcg@<k>"}));
  Outcomes classification;
  classification.labels = {"a"};
  classification.predictions = {"a"};
  EXPECT_TRUE(ThrowsInputError([&] { make_metric("ndcg@20", classification); },
                               {"does not apply to classification outcomes"}));
  EXPECT_EQ(make_metric("ndcg@020", o)->name(), "ndcg@20");
  EXPECT_EQ(default_metric(Outcomes::Kind::ranking), "ndcg@20");
  EXPECT_EQ(metric_title("ndcg@20"), "NDCG@20");
  EXPECT_EQ(metric_title("precision@5"), "Precision@5");
  EXPECT_EQ(metric_title("recall@20"), "Recall@20");
  EXPECT_EQ(metric_title("precision-macro"), "precision-macro");
  EXPECT_EQ(to_string(Outcomes::Kind::ranking), "ranking");
}

TEST(Ranking, TraceKeepsTheKindAndTheLists) {
  testing::TempDir dir;
  std::vector<Instance> users(2);
  users[0].name = "u0";
  users[1].name = "u1";
  users[1].batch = 1;
  Experiment e;
  e.metric = "recall@20";
  const Outcomes o = ranking({"a c", "x"}, {"c b a", ""});
  auto w = TraceWriter::create(dir / "r.trace", e, users, o);
  const std::vector<double> times = {0.1, 0.2};
  w.append_round({0, false, 0}, times, times);
  w.close();
  const TraceReader t(dir / "r.trace");
  EXPECT_EQ(t.outcomes().kind, Outcomes::Kind::ranking);
  EXPECT_EQ(t.outcomes().labels, o.labels);
  EXPECT_EQ(t.outcomes().predictions, o.predictions);
  EXPECT_EQ(
      make_metric(t.experiment().metric, t.outcomes())->quality(std::vector<std::uint8_t>{1, 1}),
      0.5);
}

}  // namespace
}  // namespace tailq
