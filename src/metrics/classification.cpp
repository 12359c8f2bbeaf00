// Classification metrics as additive statistics.
//   top-k accuracy: one statistic, the count of instances whose label is among the first k
//     predictions and that answered on time.
//   precision / recall / F1 (macro or weighted): per class c, TP_c, FP_c, FN_c. A late answer is
//     a miss for its true class (FN) and no prediction (no FP), as if the answer were a class
//     that never occurs; classes are the labels and top-1 predictions seen in the outcomes, as
//     scikit-learn's defaults take them. An undefined ratio (0 / 0) counts as 0, as in
//     scikit-learn's zero_division default.
#include <string>
#include <unordered_map>

#include "metrics/registry.hpp"

namespace tailq {
namespace {

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto start = text.find_first_not_of(' ', pos);
    if (start == std::string_view::npos) break;
    const auto end = std::min(text.find(' ', start), text.size());
    words.push_back(text.substr(start, end - start));
    pos = end;
  }
  return words;
}

class TopKAccuracy final : public AdditiveMetric {
 public:
  TopKAccuracy(const Outcomes& outcomes, std::size_t k)
      : name_(k == 1 ? "accuracy" : "top" + std::to_string(k)) {
    correct_.reserve(outcomes.labels.size());
    for (std::size_t i = 0; i < outcomes.labels.size(); ++i) {
      const auto words = split_spaces(outcomes.predictions[i]);
      bool hit = false;
      for (std::size_t j = 0; j < words.size() && j < k; ++j) hit |= words[j] == outcomes.labels[i];
      correct_.push_back(hit);
    }
  }
  std::string_view name() const override { return name_; }
  std::size_t statistic_count() const override { return 1; }
  std::size_t instance_count() const override { return correct_.size(); }
  void statistics(std::size_t i, bool on_time, std::vector<Statistic>& out) const override {
    if (on_time && correct_[i]) out.push_back({0, 1.0});
  }
  double finalize(std::span<const double> sums) const override {
    return sums[0] / static_cast<double>(correct_.size());
  }

 private:
  std::string name_;
  std::vector<bool> correct_;
};

enum class Ratio { precision, recall, f1 };
enum class Average { macro, weighted };

class PerClassScore final : public AdditiveMetric {
 public:
  static constexpr std::uint32_t kNoAnswer = UINT32_MAX;

  PerClassScore(const Outcomes& outcomes, std::string name, Ratio ratio, Average average)
      : name_(std::move(name)), ratio_(ratio), average_(average) {
    std::unordered_map<std::string_view, std::uint32_t> ids;
    auto intern = [&](std::string_view label) {
      auto [it, inserted] = ids.try_emplace(label, static_cast<std::uint32_t>(ids.size()));
      return it->second;
    };
    const std::size_t n = outcomes.labels.size();
    label_.resize(n);
    predicted_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      label_[i] = intern(outcomes.labels[i]);
      const auto words = split_spaces(outcomes.predictions[i]);
      predicted_[i] = words.empty() ? kNoAnswer : intern(words.front());
    }
    classes_ = ids.size();
    support_.assign(classes_, 0.0);
    for (std::uint32_t c : label_) support_[c] += 1;
  }

  std::string_view name() const override { return name_; }
  std::size_t statistic_count() const override { return 3 * classes_; }
  std::size_t instance_count() const override { return label_.size(); }

  // Layout: [3c] = TP, [3c + 1] = FP, [3c + 2] = FN of class c.
  void statistics(std::size_t i, bool on_time, std::vector<Statistic>& out) const override {
    const std::uint32_t truth = label_[i];
    if (on_time && predicted_[i] == truth) {
      out.push_back({3 * truth, 1.0});
      return;
    }
    out.push_back({3 * truth + 2, 1.0});
    if (on_time && predicted_[i] != kNoAnswer) out.push_back({3 * predicted_[i] + 1, 1.0});
  }

  double finalize(std::span<const double> sums) const override {
    double total = 0, weights = 0;
    for (std::size_t c = 0; c < classes_; ++c) {
      const double tp = sums[3 * c], fp = sums[3 * c + 1], fn = sums[3 * c + 2];
      const double score = class_score(tp, fp, fn);
      const double weight = average_ == Average::macro ? 1.0 : support_[c];
      total += weight * score;
      weights += weight;
    }
    return weights > 0 ? total / weights : 0.0;
  }

 private:
  double class_score(double tp, double fp, double fn) const {
    double denominator = 0;
    double numerator = tp;
    switch (ratio_) {
      case Ratio::precision:
        denominator = tp + fp;
        break;
      case Ratio::recall:
        denominator = tp + fn;
        break;
      case Ratio::f1:
        numerator = 2 * tp;
        denominator = 2 * tp + fp + fn;
        break;
    }
    return denominator > 0 ? numerator / denominator : 0.0;
  }

  std::string name_;
  Ratio ratio_;
  Average average_;
  std::vector<std::uint32_t> label_;
  std::vector<std::uint32_t> predicted_;
  std::size_t classes_ = 0;
  std::vector<double> support_;
};

}  // namespace

std::unique_ptr<Metric> make_top_k_accuracy(const Outcomes& outcomes, std::size_t k) {
  return std::make_unique<TopKAccuracy>(outcomes, k);
}

std::unique_ptr<Metric> make_f1_family(const Outcomes& outcomes, std::string_view name) {
  struct Variant {
    std::string_view name;
    Ratio ratio;
    Average average;
  };
  static constexpr Variant kVariants[] = {
      {"f1-weighted", Ratio::f1, Average::weighted},
      {"f1-macro", Ratio::f1, Average::macro},
      {"precision-macro", Ratio::precision, Average::macro},
      {"precision-weighted", Ratio::precision, Average::weighted},
      {"recall-macro", Ratio::recall, Average::macro},
      {"recall-weighted", Ratio::recall, Average::weighted},
  };
  for (const Variant& v : kVariants) {
    if (v.name == name) {
      return std::make_unique<PerClassScore>(outcomes, std::string(name), v.ratio, v.average);
    }
  }
  return nullptr;
}

}  // namespace tailq
