// Quality metrics, scored with late answers as failures (docs/method.md section 3).
//
// Every metric answers one question: the quality of a round, given which instances answered
// on time. Most metrics are additive: quality is a final function of sums of small
// per-instance statistics (accuracy, per-class TP/FP/FN, per-user hits). Those derive from
// AdditiveMetric, which lets the engine score every deadline of a round in one pass over its
// batches. Metrics that are not additive (COCO AP) implement Metric directly and are scored
// with one call per round and deadline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tailq/trace.hpp"

namespace tailq {

class Metric {
 public:
  virtual ~Metric() = default;
  virtual std::string_view name() const = 0;
  // Quality of one round in which instance i answered on time iff on_time[i] != 0.
  // Called concurrently from the engine's worker threads: must not mutate the metric.
  virtual double quality(std::span<const std::uint8_t> on_time) const = 0;
};

// One non-zero per-instance statistic.
struct Statistic {
  std::uint32_t index;
  double value;
};

// quality = finalize(sum over instances of statistics(i, on_time(i))).
class AdditiveMetric : public Metric {
 public:
  virtual std::size_t statistic_count() const = 0;
  virtual std::size_t instance_count() const = 0;
  // Appends the non-zero statistics of instance i answering on time or late.
  virtual void statistics(std::size_t instance, bool on_time,
                          std::vector<Statistic>& out) const = 0;
  // Quality from the summed statistics (statistic_count() entries).
  virtual double finalize(std::span<const double> sums) const = 0;

  double quality(std::span<const std::uint8_t> on_time) const override;
};

// The metrics a trace's outcomes support, by name: "accuracy", "top5" (any "top<k>"),
// "f1-weighted", "f1-macro", "precision-macro", "recall-macro" for classification; "score" for
// per-instance scores; "char-accuracy" (1 - CER), "word-accuracy" (1 - WER) and
// "line-accuracy" (exact lines) for text; "precision@K", "recall@K", "ndcg@K" (any whole
// K >= 1, docs/ranking.md) for ranking; "on-time" (share of instances answered on time) for
// latency-only traces, which record no answers. Throws InputError for an unknown name or one that
// does not fit the kind.
std::unique_ptr<Metric> make_metric(std::string_view name, const Outcomes& outcomes);
std::vector<std::string> metric_names(Outcomes::Kind kind);
// The metric of latency-only traces; reporters show it as late fractions, not as a quality.
inline constexpr std::string_view kOnTimeMetric = "on-time";
std::string default_metric(Outcomes::Kind kind);  // "char-accuracy" for text, "ndcg@20" ranking
// How reports write a metric's name: "NDCG@20" for "ndcg@20"; other names as they are.
std::string metric_title(std::string_view name);

}  // namespace tailq
