// Ranking metrics as additive statistics (docs/ranking.md): Precision@K, Recall@K and NDCG@K of
// each user with binary relevance, averaged over all users; a late user scores 0. One
// statistic: the sum of the values of the users on time, fixed per user at construction.
#include "metrics/ranking.hpp"

#include <charconv>
#include <cmath>
#include <string>
#include <unordered_set>

#include "metrics/registry.hpp"
#include "tailq/error.hpp"

namespace tailq {
namespace ranking {

std::vector<std::string_view> split_items(std::string_view text) {
  std::vector<std::string_view> items;
  std::size_t pos = 0;
  while ((pos = text.find_first_not_of(' ', pos)) != std::string_view::npos) {
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    items.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return items;
}

std::optional<std::string_view> repeated_item(std::span<const std::string_view> items) {
  std::unordered_set<std::string_view> seen;
  seen.reserve(items.size());
  for (std::string_view item : items) {
    if (!seen.insert(item).second) return item;
  }
  return std::nullopt;
}

}  // namespace ranking

namespace {

enum class Measure { precision, recall, ndcg };

struct Family {
  std::string_view prefix;  // the name up to K
  std::string_view title;   // how reports write it
  Measure measure;
};
constexpr Family kFamilies[] = {
    {"precision@", "Precision@", Measure::precision},
    {"recall@", "Recall@", Measure::recall},
    {"ndcg@", "NDCG@", Measure::ndcg},
};

const Family* family_of(std::string_view name) {
  for (const Family& f : kFamilies) {
    if (name.starts_with(f.prefix)) return &f;
  }
  return nullptr;
}

// Weight of rank j (1-based) in DCG: 1 / log2(j + 1).
double discount(std::size_t rank) { return 1.0 / std::log2(static_cast<double>(rank) + 1.0); }

double user_value(Measure measure, std::size_t k, std::span<const std::string_view> ranked,
                  const std::unordered_set<std::string_view>& relevant) {
  const std::size_t depth = std::min(k, ranked.size());
  double hits = 0, dcg = 0;
  for (std::size_t j = 0; j < depth; ++j) {
    if (!relevant.contains(ranked[j])) continue;
    hits += 1;
    dcg += discount(j + 1);
  }
  switch (measure) {
    case Measure::precision:
      return hits / static_cast<double>(k);
    case Measure::recall:
      return hits / static_cast<double>(relevant.size());
    case Measure::ndcg:
      break;
  }
  double ideal = 0;
  for (std::size_t j = 1; j <= std::min(k, relevant.size()); ++j) ideal += discount(j);
  return dcg / ideal;
}

class RankingMetric final : public AdditiveMetric {
 public:
  RankingMetric(const Outcomes& outcomes, const Family& family, std::size_t k)
      : name_(std::string(family.prefix) + std::to_string(k)) {
    const std::size_t n = outcomes.labels.size();
    if (outcomes.predictions.size() != n) {
      throw InputError("ranking outcomes: " + std::to_string(n) + " relevant sets but " +
                       std::to_string(outcomes.predictions.size()) + " ranked lists");
    }
    values_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto relevant_items = ranking::split_items(outcomes.labels[i]);
      const auto ranked = ranking::split_items(outcomes.predictions[i]);
      check_user(i, relevant_items, ranked);
      const std::unordered_set<std::string_view> relevant(relevant_items.begin(),
                                                          relevant_items.end());
      values_.push_back(user_value(family.measure, k, ranked, relevant));
    }
  }
  std::string_view name() const override { return name_; }
  std::size_t statistic_count() const override { return 1; }
  std::size_t instance_count() const override { return values_.size(); }
  void statistics(std::size_t i, bool on_time, std::vector<Statistic>& out) const override {
    if (on_time && values_[i] != 0) out.push_back({0, values_[i]});
  }
  double finalize(std::span<const double> sums) const override {
    return values_.empty() ? 0.0 : sums[0] / static_cast<double>(values_.size());
  }

 private:
  // The importer refuses the same (src/import/outcomes_csv.cpp); this catches traces written
  // another way.
  static void check_user(std::size_t i, std::span<const std::string_view> relevant,
                         std::span<const std::string_view> ranked) {
    const std::string user = "ranking outcomes: instance " + std::to_string(i);
    if (relevant.empty()) {
      throw InputError(user +
                       " has no relevant items, so its recall and NDCG are undefined; leave "
                       "users without relevant items out");
    }
    if (const auto item = ranking::repeated_item(relevant)) {
      throw InputError(user + " lists relevant item '" + std::string(*item) +
                       "' twice; list each item once");
    }
    if (const auto item = ranking::repeated_item(ranked)) {
      throw InputError(user + " ranks item '" + std::string(*item) +
                       "' twice; a ranked list lists each item once");
    }
  }

  std::string name_;
  std::vector<double> values_;  // per user, when on time
};

}  // namespace

std::unique_ptr<Metric> make_ranking_metric(const Outcomes& outcomes, std::string_view name) {
  const Family* family = family_of(name);
  if (family == nullptr) return nullptr;
  const std::string_view digits = name.substr(family->prefix.size());
  std::size_t k = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), k);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || k < 1) {
    throw InputError("metric '" + std::string(name) + "': K must be a whole number >= 1, e.g. " +
                     std::string(family->prefix) + "20");
  }
  return std::make_unique<RankingMetric>(outcomes, *family, k);
}

std::string metric_title(std::string_view name) {
  if (const auto coco = parse_coco_metric(name)) return std::string(coco_metric_title(*coco));
  const Family* family = family_of(name);
  if (family == nullptr) return std::string(name);
  return std::string(family->title) + std::string(name.substr(family->prefix.size()));
}

}  // namespace tailq
