// `tailq analyze` of a load-scenario trace: one row per offered load, then the capacity.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "report/json_number.hpp"
#include "report/units.hpp"
#include "tailq/load_analysis.hpp"

namespace tailq {

using detail::human_seconds;
using detail::json_number;
using detail::percent;

namespace {

std::string load_text(const std::optional<double>& qps) {
  return qps ? fmt::format("{:g}", *qps) : std::string("all");
}

nlohmann::ordered_json spread_json(const Spread& s) {
  return {{"mean", json_number(s.mean)},
          {"p50", json_number(s.p50)},
          {"p90", json_number(s.p90)},
          {"p99", json_number(s.p99)},
          {"max", json_number(s.max)}};
}

}  // namespace

void write_load_table(std::ostream& out, const LoadAnalysis& a) {
  out << fmt::format("{} scenario, {} time, metric {}: nominal {}%\n", a.scenario, a.time, a.metric,
                     percent(a.nominal_quality));
  out << "deadlines (percentiles taken at the lowest load):";
  for (const LoadCapacity& c : a.capacity) {
    out << fmt::format(" {} = {}", c.label, human_seconds(c.seconds));
  }
  out << "\n\n";
  out << fmt::format("{:>9} {:>10} {:>6} {:>10} {:>10} {:>10} {:>10} {:>10}", "load/s", "served/s",
                     "rounds", "p50", "p99", "p99 svc", "mean wait", "p99 wait");
  for (const LoadCapacity& c : a.capacity) {
    out << fmt::format(" {:>13} {:>13}", "worst%@" + c.label, "median%@" + c.label);
  }
  out << "\n";
  for (const LoadLevel& l : a.levels) {
    out << fmt::format("{:>9} {:>10.1f} {:>6} {:>10} {:>10} {:>10} {:>10} {:>10}",
                       load_text(l.offered_qps), l.achieved_qps, l.rounds,
                       human_seconds(l.quality.latency.p50), human_seconds(l.quality.latency.p99),
                       human_seconds(l.service.p99), human_seconds(l.queue_wait.mean),
                       human_seconds(l.queue_wait.p99));
    for (const ThresholdQuality& t : l.quality.thresholds) {
      out << fmt::format(" {:>13} {:>13}", percent(t.quality.min), percent(t.quality.median));
    }
    out << "\n";
  }
  out << fmt::format("\nquality-preserving capacity (worst case within {} pt of nominal):",
                     percent(a.max_drop));
  for (const LoadCapacity& c : a.capacity) {
    out << fmt::format(" {} {}", c.label,
                       c.capacity_qps ? fmt::format("{:g}/s", *c.capacity_qps)
                                      : std::string("below the lowest load"));
    if (&c != &a.capacity.back()) out << ";";
  }
  out << "\n";
}

std::string to_json(const LoadAnalysis& a) {
  nlohmann::ordered_json j;
  j["scenario"] = a.scenario;
  j["metric"] = a.metric;
  j["time"] = a.time;
  j["nominal_quality"] = json_number(a.nominal_quality);
  j["max_drop"] = a.max_drop;
  nlohmann::ordered_json levels = nlohmann::ordered_json::array();
  for (const LoadLevel& l : a.levels) {
    nlohmann::ordered_json level;
    level["offered_qps"] = l.offered_qps ? nlohmann::ordered_json(*l.offered_qps) : nullptr;
    level["achieved_qps"] = json_number(l.achieved_qps);
    level["rounds"] = l.rounds;
    level["latency"] = {{"p50", l.quality.latency.p50},
                        {"p90", l.quality.latency.p90},
                        {"p99", l.quality.latency.p99},
                        {"max", l.quality.latency.max}};
    level["service"] = spread_json(l.service);
    level["queue_wait"] = spread_json(l.queue_wait);
    level["issue_delay"] = spread_json(l.issue_delay);
    nlohmann::ordered_json deadlines = nlohmann::ordered_json::array();
    for (const ThresholdQuality& t : l.quality.thresholds) {
      deadlines.push_back({{"label", t.label},
                           {"seconds", t.seconds},
                           {"worst", json_number(t.quality.min)},
                           {"median", json_number(t.quality.median)},
                           {"mean", json_number(t.quality.mean)},
                           {"late_fraction_mean", json_number(t.late_fraction_mean)}});
    }
    level["deadlines"] = std::move(deadlines);
    levels.push_back(std::move(level));
  }
  j["levels"] = std::move(levels);
  nlohmann::ordered_json capacity = nlohmann::ordered_json::array();
  for (const LoadCapacity& c : a.capacity) {
    capacity.push_back(
        {{"label", c.label},
         {"seconds", c.seconds},
         {"capacity_qps", c.capacity_qps ? nlohmann::ordered_json(*c.capacity_qps) : nullptr}});
  }
  j["capacity"] = std::move(capacity);
  return j.dump(2);
}

}  // namespace tailq
