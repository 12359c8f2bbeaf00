#include <cmath>
#include <nlohmann/json.hpp>

#include "report/json_number.hpp"
#include "report/precision_json.hpp"
#include "tailq/report.hpp"

namespace tailq {
namespace {

using nlohmann::ordered_json;

// An undefined number (std of one round) is null.
ordered_json number(double v) { return detail::json_number(v); }

ordered_json summary_json(const Summary& s) {
  return {{"min", number(s.min)},       {"p1", number(s.p1)},     {"p5", number(s.p5)},
          {"median", number(s.median)}, {"mean", number(s.mean)}, {"std", number(s.std)},
          {"max", number(s.max)}};
}

ordered_json nodes_json(const NodeBreakdown& b) {
  ordered_json nodes = ordered_json::array(), deadlines = ordered_json::array();
  for (const NodeBreakdown::Node& n : b.nodes)
    nodes.push_back({{"label", n.label}, {"rounds", n.rounds}});
  for (const NodeBreakdown::Deadline& d : b.deadlines) {
    ordered_json means = ordered_json::array();
    for (double m : d.mean) means.push_back(number(m));
    deadlines.push_back({{"label", d.label},
                         {"seconds", d.seconds},
                         {"mean_per_node", means},
                         {"between_node_sd", number(d.between_sd)},
                         {"within_node_sd", number(d.within_sd)},
                         {"f_test",
                          {{"f", number(d.f_test.f)},
                           {"df_between", d.f_test.df_between},
                           {"df_within", d.f_test.df_within},
                           {"p", number(d.f_test.p)}}}});
  }
  return {{"nodes", nodes}, {"deadlines", deadlines}};
}

ordered_json guarantee_json(const QualityGuarantee& g) {
  ordered_json deadlines = ordered_json::array();
  for (const DeadlineGuarantee& d : g.deadlines) {
    deadlines.push_back({{"label", d.label},
                         {"seconds", d.seconds},
                         {"bound", d.bound ? number(*d.bound) : ordered_json()},
                         {"order", d.bound ? ordered_json(d.order) : ordered_json()},
                         {"confidence", number(d.confidence)},
                         {"lag1_autocorrelation", number(d.lag1_autocorrelation)},
                         {"looks_dependent", d.looks_dependent},
                         {"effective_rounds", number(d.effective_rounds)}});
  }
  return {{"coverage", g.request.coverage},
          {"confidence", g.request.confidence},
          {"rounds", g.rounds},
          {"rounds_needed", g.rounds_needed},
          {"deadlines", std::move(deadlines)}};
}

// A latency-only trace: per deadline the share of instances late, over rounds, and no quality
// (the on-time metric's per-round value is 1 - the late share).
ordered_json late_item(const ThresholdQuality& t, bool per_round) {
  const Summary& q = t.quality;
  ordered_json item;
  item["label"] = t.label;
  item["seconds"] = t.seconds;
  item["late_fraction"] = {{"min", number(1 - q.max)},     {"median", number(1 - q.median)},
                           {"mean", t.late_fraction_mean}, {"p95", number(1 - q.p5)},
                           {"p99", number(1 - q.p1)},      {"max", t.late_fraction_max}};
  if (per_round) item["per_round_late_fraction"] = t.per_round_late_fraction;
  return item;
}

}  // namespace

std::string to_json(const TailQuality& r, bool per_round) {
  const bool latency_only = r.metric == kOnTimeMetric;
  ordered_json j;
  j["rounds"] = r.rounds;
  j["instances"] = r.instances;
  j["time"] = r.time;
  j["metric"] = r.metric;
  if (latency_only) j["latency_only"] = true;
  j["nominal_quality"] = latency_only ? ordered_json() : number(r.nominal_quality);
  const LatencySummary& l = r.latency;
  j["latency"] = {{"count", l.count}, {"min", l.min}, {"p50", l.p50},
                  {"p90", l.p90},     {"p95", l.p95}, {"p99", l.p99},
                  {"p99.9", l.p99_9}, {"max", l.max}, {"mean", l.mean}};
  ordered_json thresholds = ordered_json::array();
  for (const ThresholdQuality& t : r.thresholds) {
    if (latency_only) {
      thresholds.push_back(late_item(t, per_round));
      continue;
    }
    ordered_json item;
    item["label"] = t.label;
    item["seconds"] = t.seconds;
    item["quality"] = summary_json(t.quality);
    item["drop"] = number(r.nominal_quality - t.quality.min);
    item["late_fraction"] = {{"mean", t.late_fraction_mean}, {"max", t.late_fraction_max}};
    if (per_round) {
      item["per_round"] = t.per_round;
      item["per_round_late_fraction"] = t.per_round_late_fraction;
    }
    thresholds.push_back(std::move(item));
  }
  j["thresholds"] = std::move(thresholds);
  j["warnings"] = r.warnings;
  if (r.guarantee) j["guarantee"] = guarantee_json(*r.guarantee);
  if (r.precision) j["precision"] = detail::precision_json(*r.precision);
  if (r.nodes) j["nodes"] = nodes_json(*r.nodes);
  return j.dump(2);
}

}  // namespace tailq
