#include "metrics/coco/accumulate.hpp"

#include <algorithm>
#include <limits>

namespace tailq::coco {

void count_on_time(const CocoEvaluation::Category& c, std::size_t area,
                   std::span<const std::uint8_t> on_time, std::vector<std::uint32_t>& before) {
  const std::size_t n = c.image.size();
  before.resize(n + 1);
  std::uint32_t count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    before[i] = count;
    count += (on_time[c.image[i]] != 0) & ((c.in_range[i] >> area) & 1u);
  }
  before[n] = count;
}

template <bool with_limits>
ThresholdResult accumulate(const CocoEvaluation::Category& c, std::size_t area,
                           std::size_t threshold, std::span<const std::uint8_t> on_time,
                           std::span<const std::uint32_t> before, std::vector<double>& precision) {
  using Category = CocoEvaluation::Category;
  // numpy's spacing(1): the reference adds it to every denominator.
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  ThresholdResult out;
  precision.resize(c.counted[area] + 1);
  std::uint32_t tp = 0;
  // Counted entries so far beyond before[]: true positives outside the range count, ignored
  // ones inside it do not.
  std::int64_t extra = 0;
  for (const Category::Event& event : c.events[area * kThresholds + threshold]) {
    if (!on_time[event.image]) continue;
    const std::uint32_t kind = event.code & 3u;
    if (kind == Category::ignored_inside) {
      --extra;
      continue;
    }
    extra += kind == Category::hit_outside;
    ++tp;
    const std::uint32_t entry = event.code >> 2;
    // tp + fp up to and including this entry.
    const double counted = static_cast<double>(before[entry + 1] + extra);
    precision[tp] = static_cast<double>(tp) / (counted + kEps);
    if constexpr (with_limits) {
      for (std::size_t l = 0; l + 1 < kDetectionLimits.size(); ++l)
        out.true_positives[l] += c.rank[entry] < kDetectionLimits[l];
    }
  }
  out.true_positives.back() = tp;
  // The envelope (precision at a recall is the best precision at that recall or beyond), read
  // at the recall points; points never reached add 0.
  const std::vector<std::uint32_t>& points = c.points_reached[area];
  double best = 0;
  for (std::uint32_t j = tp; j > 0; --j) {
    best = std::max(best, precision[j]);
    if (points[j] != 0) out.precision_sum += points[j] * best;
  }
  return out;
}

template ThresholdResult accumulate<true>(const CocoEvaluation::Category&, std::size_t, std::size_t,
                                          std::span<const std::uint8_t>,
                                          std::span<const std::uint32_t>, std::vector<double>&);
template ThresholdResult accumulate<false>(const CocoEvaluation::Category&, std::size_t,
                                           std::size_t, std::span<const std::uint8_t>,
                                           std::span<const std::uint32_t>, std::vector<double>&);

std::vector<std::uint32_t> recall_points_reached(std::uint32_t counted) {
  std::vector<std::uint32_t> points(counted + 1, 0);
  if (counted == 0) return points;
  std::uint32_t j = 1;  // recall point 0 reads the first entry: the best precision overall
  for (std::size_t r = 0; r < kRecallPoints; ++r) {
    const double point = recall_threshold(r);
    while (j < counted && static_cast<double>(j) / static_cast<double>(counted) < point) ++j;
    ++points[j];
  }
  return points;
}

}  // namespace tailq::coco
