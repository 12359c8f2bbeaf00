#include <fmt/format.h>

#include <cmath>

#include "report/node_words.hpp"
#include "report/units.hpp"
#include "tailq/metric.hpp"
#include "tailq/report.hpp"

namespace tailq {

using detail::human_seconds;
using detail::percent;

namespace {

// The text metrics are 1 - error rate; readers of OCR results expect the error rate itself.
// Ranking metrics are conventionally written as fractions (NDCG@20 0.1554, docs/ranking.md).
std::string error_rate(const std::string& metric, double quality) {
  if (metric == "char-accuracy") return fmt::format("  (CER {}%)", percent(1 - quality));
  if (metric == "word-accuracy") return fmt::format("  (WER {}%)", percent(1 - quality));
  if (const std::string title = metric_title(metric); title != metric) {
    return fmt::format("  ({} {:.4f})", title, quality);
  }
  return "";
}

void write_guarantee(std::ostream& out, const QualityGuarantee& g) {
  out << fmt::format(
      "\nguarantee: with {}% confidence, at least {}% of rounds reach Q@T >= bound\n"
      "(distribution-free order statistics of {} rounds, counted as the independent rounds they "
      "are worth; needs >= {} independent rounds)\n",
      percent(g.request.confidence), percent(g.request.coverage), g.rounds, g.rounds_needed);
  out << fmt::format("{:<10} {:>11} {:>8} {:>8} {:>11} {:>8} {:>12}\n", "deadline", "seconds",
                     "bound%", "order", "confidence%", "lag-1 r", "worth rounds");
  for (const DeadlineGuarantee& d : g.deadlines) {
    out << fmt::format(
        "{:<10} {:>11} {:>8} {:>8} {:>11} {:>8} {:>12.0f}\n", d.label, human_seconds(d.seconds),
        d.bound ? percent(*d.bound) : "-", d.bound ? std::to_string(d.order) : "-",
        percent(d.confidence),
        std::isnan(d.lag1_autocorrelation) ? "-" : fmt::format("{:.3f}", d.lag1_autocorrelation),
        d.effective_rounds);
  }
  for (const DeadlineGuarantee& d : g.deadlines) {
    if (d.bound) continue;
    out << fmt::format(
        "warning: {}: {} rounds worth {:.0f} independent ones are too few: even the worst holds "
        "with only {}% confidence; {} independent rounds are needed\n",
        d.label, g.rounds, d.effective_rounds, percent(d.confidence), g.rounds_needed);
  }
  std::string dependent;
  for (const DeadlineGuarantee& d : g.deadlines) {
    if (d.looks_dependent) {
      dependent += fmt::format("{}{} {:.3f}", dependent.empty() ? "" : ", ", d.label,
                               d.lag1_autocorrelation);
    }
  }
  if (!dependent.empty()) {
    out << fmt::format(
        "note: consecutive rounds' Q@T is correlated (lag-1 r: {}; beyond +-{:.3f}): drift or "
        "bursts make rounds dependent; the bounds count them as the fewer independent rounds "
        "they are worth\n",
        dependent, 2 / std::sqrt(static_cast<double>(g.rounds)));
  }
}

void write_latency(std::ostream& out, const LatencySummary& l) {
  out << fmt::format("latency  min {}  p50 {}  p90 {}  p95 {}  p99 {}  p99.9 {}  max {}\n",
                     human_seconds(l.min), human_seconds(l.p50), human_seconds(l.p90),
                     human_seconds(l.p95), human_seconds(l.p99), human_seconds(l.p99_9),
                     human_seconds(l.max));
}

// A latency-only trace has no quality: per deadline, the share of instances late in a round,
// over rounds. The on-time metric's per-round quality is 1 - that share, so its low
// percentiles are the late share's high ones.
void write_late_table(std::ostream& out, const TailQuality& r) {
  out << fmt::format("{} rounds x {} instances, {} time, latency only (no outcomes recorded)\n",
                     r.rounds, r.instances, r.time);
  write_latency(out, r.latency);
  for (const std::string& w : r.warnings) out << "warning: " << w << "\n";
  out << "\nlate: share of instances answered after the deadline, per round\n";
  out << fmt::format("{:<10} {:>11} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}\n", "deadline", "seconds",
                     "mean%", "best%", "median%", "p95%", "p99%", "worst%");
  for (const ThresholdQuality& t : r.thresholds) {
    const Summary& q = t.quality;
    out << fmt::format("{:<10} {:>11} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}\n", t.label,
                       human_seconds(t.seconds), percent(t.late_fraction_mean), percent(1 - q.max),
                       percent(1 - q.median), percent(1 - q.p5), percent(1 - q.p1),
                       percent(t.late_fraction_max));
  }
}

}  // namespace

namespace {

// A merged trace: mean Q@T per node beside the spread between nodes and within one.
void write_nodes(std::ostream& out, const NodeBreakdown& b) {
  out << "\nby node (mean Q@T %; sd between node means and of rounds within a node, points; "
         "one-way "
         "ANOVA F and p):\n";
  out << fmt::format("{:<10} {:>11}", "deadline", "seconds");
  for (std::size_t n = 0; n < b.nodes.size(); ++n)
    out << fmt::format(" {:>8}", "node " + std::to_string(n));
  out << fmt::format(" {:>8} {:>8} {:>8} {:>8}\n", "between", "within", "F", "p");
  for (const NodeBreakdown::Deadline& d : b.deadlines) {
    out << fmt::format("{:<10} {:>11}", d.label, human_seconds(d.seconds));
    for (double m : d.mean) out << fmt::format(" {:>8}", percent(m));
    out << fmt::format(" {:>8} {:>8} {:>8} {:>8}\n", percent(d.between_sd), percent(d.within_sd),
                       detail::f_text(d.f_test.f), detail::p_text(d.f_test.p));
  }
  for (std::size_t n = 0; n < b.nodes.size(); ++n)
    out << fmt::format("node {}: {}, {} rounds\n", n, b.nodes[n].label, b.nodes[n].rounds);
  for (const NodeBreakdown::Deadline& d : b.deadlines) out << detail::node_verdict(d) << "\n";
}

}  // namespace

void write_table(std::ostream& out, const TailQuality& r) {
  if (r.metric == kOnTimeMetric) return write_late_table(out, r);
  const LatencySummary& l = r.latency;
  out << fmt::format("{} rounds x {} instances, {} time, metric {}\n", r.rounds, r.instances,
                     r.time, metric_title(r.metric));
  write_latency(out, l);
  out << fmt::format("nominal quality (no deadline): {}%{}\n", percent(r.nominal_quality),
                     error_rate(r.metric, r.nominal_quality));
  for (const std::string& w : r.warnings) out << "warning: " << w << "\n";
  out << "\n";
  out << fmt::format("{:<10} {:>11} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}\n", "deadline",
                     "seconds", "worst%", "p1%", "p5%", "median%", "mean%", "best%", "drop pt",
                     "late%");
  for (const ThresholdQuality& t : r.thresholds) {
    const Summary& q = t.quality;
    out << fmt::format("{:<10} {:>11} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}\n", t.label,
                       human_seconds(t.seconds), percent(q.min), percent(q.p1), percent(q.p5),
                       percent(q.median), percent(q.mean), percent(q.max),
                       percent(r.nominal_quality - q.min), percent(t.late_fraction_mean));
  }
  if (r.precision) write_precision(out, *r.precision);
  if (r.guarantee) write_guarantee(out, *r.guarantee);
  if (r.nodes) write_nodes(out, *r.nodes);
}

}  // namespace tailq
