// Generic per-instance score in [0, 1] (e.g. BLEU of one sentence, IoU of one image); a late
// answer scores 0 and stays in the denominator.
#include <string>

#include "metrics/registry.hpp"

namespace tailq {
namespace {

class MeanScore final : public AdditiveMetric {
 public:
  explicit MeanScore(std::vector<double> scores) : scores_(std::move(scores)) {}
  std::string_view name() const override { return "score"; }
  std::size_t statistic_count() const override { return 1; }
  std::size_t instance_count() const override { return scores_.size(); }
  void statistics(std::size_t i, bool on_time, std::vector<Statistic>& out) const override {
    if (on_time && scores_[i] != 0) out.push_back({0, scores_[i]});
  }
  double finalize(std::span<const double> sums) const override {
    return sums[0] / static_cast<double>(scores_.size());
  }

 private:
  std::vector<double> scores_;
};

// Latency-only traces: the share of instances answered on time, 1 - the late fraction. The
// instance count is summed as a statistic, as the trace records no outcome to count.
class OnTime final : public AdditiveMetric {
 public:
  std::string_view name() const override { return kOnTimeMetric; }
  std::size_t statistic_count() const override { return 2; }
  std::size_t instance_count() const override { return 0; }  // any: nothing per instance
  void statistics(std::size_t, bool on_time, std::vector<Statistic>& out) const override {
    if (on_time) out.push_back({0, 1});
    out.push_back({1, 1});
  }
  double finalize(std::span<const double> sums) const override {
    return sums[1] > 0 ? sums[0] / sums[1] : 1.0;
  }
};

}  // namespace

std::unique_ptr<Metric> make_on_time() { return std::make_unique<OnTime>(); }

std::unique_ptr<Metric> make_mean_score(const Outcomes& outcomes) {
  return std::make_unique<MeanScore>(outcomes.scores);
}

}  // namespace tailq
