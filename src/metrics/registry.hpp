// Factories of the built-in metrics; make_metric() picks among them by name.
#pragma once

#include <memory>
#include <string_view>

#include "tailq/coco.hpp"
#include "tailq/metric.hpp"

namespace tailq {

std::unique_ptr<Metric> make_top_k_accuracy(const Outcomes& outcomes, std::size_t k);
// "f1-weighted", "f1-macro", "precision-macro", ...; nullptr when `name` is not one of them.
std::unique_ptr<Metric> make_f1_family(const Outcomes& outcomes, std::string_view name);
std::unique_ptr<Metric> make_mean_score(const Outcomes& outcomes);
std::unique_ptr<Metric> make_on_time();
// "line-accuracy", "char-accuracy", "word-accuracy"; nullptr when `name` is not one of them.
std::unique_ptr<Metric> make_text_metric(const Outcomes& outcomes, std::string_view name);
// "precision@K", "recall@K", "ndcg@K"; nullptr when `name` is none of them; throws InputError
// for a K that is not a whole number >= 1.
std::unique_ptr<Metric> make_ranking_metric(const Outcomes& outcomes, std::string_view name);

// COCO AP or one of the other summary numbers (docs/detection.md) of detection outcomes; refuses
// a number the data leaves undefined (e.g. "ap-small" without a small ground-truth box).
std::unique_ptr<Metric> make_detection_metric(const Outcomes& outcomes, CocoSummary::Index index);

}  // namespace tailq
