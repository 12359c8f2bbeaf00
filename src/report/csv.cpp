#include <fmt/format.h>

#include <algorithm>

#include "tailq/report.hpp"

namespace tailq {

void write_curve_csv(std::ostream& out, const TailQuality& r) {
  std::vector<const ThresholdQuality*> rows;
  for (const ThresholdQuality& t : r.thresholds) rows.push_back(&t);
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto* a, const auto* b) { return a->seconds < b->seconds; });
  out << "label,threshold_s,min,p5,median,mean,max,late_fraction_mean\n";
  for (const ThresholdQuality* t : rows) {
    const Summary& q = t->quality;
    // Shortest round-trip representation: the CSV holds exactly the computed doubles.
    out << fmt::format("{},{},{},{},{},{},{},{}\n", t->label, t->seconds, q.min, q.p5, q.median,
                       q.mean, q.max, t->late_fraction_mean);
  }
}

}  // namespace tailq
