#include <fmt/format.h>

#include <algorithm>

#include "tailq/metric.hpp"
#include "tailq/report.hpp"

namespace tailq {

void write_curve_csv(std::ostream& out, const TailQuality& r) {
  std::vector<const ThresholdQuality*> rows;
  for (const ThresholdQuality& t : r.thresholds) rows.push_back(&t);
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto* a, const auto* b) { return a->seconds < b->seconds; });
  // A latency-only trace has no quality: its per-round figure is the share of answers on time.
  if (r.metric == kOnTimeMetric) {
    out << "label,threshold_s,on_time_min,on_time_p5,on_time_median,on_time_mean,on_time_max,"
           "late_fraction_mean\n";
  } else {
    out << "label,threshold_s,min,p5,median,mean,max,late_fraction_mean\n";
  }
  for (const ThresholdQuality* t : rows) {
    const Summary& q = t->quality;
    // Shortest round-trip representation: the CSV holds exactly the computed doubles.
    out << fmt::format("{},{},{},{},{},{},{},{}\n", t->label, t->seconds, q.min, q.p5, q.median,
                       q.mean, q.max, t->late_fraction_mean);
  }
}

}  // namespace tailq
