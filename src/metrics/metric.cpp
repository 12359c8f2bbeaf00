#include "tailq/metric.hpp"

#include <charconv>
#include <string>

#include "metrics/registry.hpp"
#include "tailq/coco.hpp"
#include "tailq/error.hpp"

namespace tailq {

double AdditiveMetric::quality(std::span<const std::uint8_t> on_time) const {
  std::vector<double> sums(statistic_count(), 0.0);
  std::vector<Statistic> stats;
  for (std::size_t i = 0; i < on_time.size(); ++i) {
    stats.clear();
    statistics(i, on_time[i] != 0, stats);
    for (const Statistic& s : stats) sums[s.index] += s.value;
  }
  return finalize(sums);
}

namespace {

bool parse_top_k(std::string_view name, std::size_t& k) {
  if (!name.starts_with("top") || name.size() == 3) return false;
  const char* first = name.data() + 3;
  const char* last = name.data() + name.size();
  auto [ptr, ec] = std::from_chars(first, last, k);
  return ec == std::errc() && ptr == last && k >= 1;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::vector<std::string> metric_names(Outcomes::Kind kind) {
  if (kind == Outcomes::Kind::score) return {"score"};
  if (kind == Outcomes::Kind::none) return {std::string(kOnTimeMetric)};
  if (kind == Outcomes::Kind::text) return {"char-accuracy", "word-accuracy", "line-accuracy"};
  if (kind == Outcomes::Kind::detection) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < CocoSummary{}.values.size(); ++i)
      names.emplace_back(coco_metric_name(static_cast<CocoSummary::Index>(i)));
    return names;
  }
  if (kind == Outcomes::Kind::ranking) return {"ndcg@<k>", "recall@<k>", "precision@<k>"};
  return {"accuracy",        "top<k>",       "f1-weighted",        "f1-macro",
          "precision-macro", "recall-macro", "precision-weighted", "recall-weighted"};
}

std::string default_metric(Outcomes::Kind kind) {
  if (kind == Outcomes::Kind::text) return "char-accuracy";
  if (kind == Outcomes::Kind::ranking) return "ndcg@20";  // LightGCN's cut-off
  if (kind == Outcomes::Kind::none) return std::string(kOnTimeMetric);
  if (kind == Outcomes::Kind::detection) return "ap";
  return kind == Outcomes::Kind::score ? "score" : "accuracy";
}

std::unique_ptr<Metric> make_metric(std::string_view name, const Outcomes& outcomes) {
  std::size_t k = 0;
  if (outcomes.kind == Outcomes::Kind::classification) {
    if (name == "accuracy") return make_top_k_accuracy(outcomes, 1);
    if (parse_top_k(name, k)) return make_top_k_accuracy(outcomes, k);
    if (auto metric = make_f1_family(outcomes, name)) return metric;
  } else if (outcomes.kind == Outcomes::Kind::text) {
    if (auto metric = make_text_metric(outcomes, name)) return metric;
  } else if (outcomes.kind == Outcomes::Kind::detection) {
    if (const auto index = parse_coco_metric(name)) return make_detection_metric(outcomes, *index);
  } else if (outcomes.kind == Outcomes::Kind::ranking) {
    if (auto metric = make_ranking_metric(outcomes, name)) return metric;
  } else if (outcomes.kind == Outcomes::Kind::none) {
    if (name == kOnTimeMetric) return make_on_time();
  } else if (name == "score") {
    return make_mean_score(outcomes);
  }
  const std::string what = outcomes.kind == Outcomes::Kind::none
                               ? "a latency-only trace (it records no outcomes)"
                               : std::string(to_string(outcomes.kind)) + " outcomes";
  throw InputError("metric '" + std::string(name) + "' does not apply to " + what +
                   "; choose one of: " + joined(metric_names(outcomes.kind)));
}

}  // namespace tailq
