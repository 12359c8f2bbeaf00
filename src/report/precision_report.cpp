// Reporters of the precision intervals and the precision stop rule (tailq/precision.hpp):
// the table block and plain answer of `tailq analyze` and `tailq run`, and `tailq converge
// --stop precision`.
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>

#include "report/json_number.hpp"
#include "report/precision_json.hpp"
#include "report/units.hpp"
#include "tailq/report.hpp"

namespace tailq {

using detail::human_seconds;
using detail::json_number;
using detail::percent;
using nlohmann::ordered_json;

namespace {

std::string interval_text(const Interval& i, std::string (*show)(double)) {
  auto end = [&](double v) { return std::isfinite(v) ? show(v) : std::string("open"); };
  return fmt::format("{} [{}, {}]", show(i.value), end(i.low), end(i.high));
}

std::string seconds_text(const Interval& i) {
  if (i.low == i.value && i.high == i.value) return human_seconds(i.value);
  return interval_text(i, human_seconds);
}

ordered_json interval_json(const Interval& i) {
  return {{"value", json_number(i.value)}, {"low", json_number(i.low)}, {"high", json_number(i.high)}};
}

}  // namespace

namespace detail {

ordered_json precision_json(const PrecisionEstimate& e) {
  const std::string bad = fmt::format("p{:g}", 100 * e.goal.bad_round);
  ordered_json deadlines = ordered_json::array();
  for (const DeadlinePrecision& d : e.deadlines) {
    ordered_json item;
    item["label"] = d.label;
    item["seconds"] = json_number(d.seconds.value);
    item["seconds_interval"] = interval_json(d.seconds);
    item["effective_rounds"] = json_number(d.effective_rounds);
    item["lag1_autocorrelation"] = json_number(d.lag1);
    item["mean"] = interval_json(d.mean);
    item[bad] = interval_json(d.bad_round);
    item["precise"] = d.precise;
    deadlines.push_back(std::move(item));
  }
  return {{"rounds", e.rounds},
          {"confidence", e.goal.confidence},
          {"interval_confidence", json_number(e.interval_confidence)},
          {"epsilon", e.goal.epsilon},
          {"bad_round", e.goal.bad_round},
          {"met", e.met},
          {"deadlines", std::move(deadlines)}};
}

}  // namespace detail

void write_precision(std::ostream& out, const PrecisionEstimate& e) {
  out << fmt::format(
      "\nintervals at {}% confidence for all together ({}% each), valid when consecutive rounds "
      "are dependent:\n",
      percent(e.goal.confidence), percent(e.interval_confidence));
  const std::string bad = fmt::format("p{:g}% (bad round)", 100 * e.goal.bad_round);
  out << fmt::format("{:<10} {:>32} {:>24} {:>24} {:>12}\n", "deadline", "seconds", "mean%", bad,
                     "eff. rounds");
  for (const DeadlinePrecision& d : e.deadlines) {
    out << fmt::format("{:<10} {:>32} {:>24} {:>24} {:>12}\n", d.label, seconds_text(d.seconds),
                       interval_text(d.mean, percent), interval_text(d.bad_round, percent),
                       fmt::format("{:.0f} of {}", d.effective_rounds, e.rounds));
  }
}

std::vector<std::string> answer_sentences(const PrecisionEstimate& e) {
  std::vector<std::string> sentences;
  const std::string bad = fmt::format("1 in {:g}", std::round(1 / e.goal.bad_round));
  auto range = [](const Interval& i) {
    return std::isfinite(i.low) && std::isfinite(i.high)
               ? fmt::format("{}% - {}%", percent(i.low), percent(i.high))
               : std::string("not yet bounded");
  };
  for (const DeadlinePrecision& d : e.deadlines) {
    std::string deadline = human_seconds(d.seconds.value);
    if (d.seconds.low != d.seconds.high) {
      deadline += std::isfinite(d.seconds.low) && std::isfinite(d.seconds.high)
                      ? fmt::format(", known to lie in {} - {}", human_seconds(d.seconds.low),
                                    human_seconds(d.seconds.high))
                      : ", not yet known to an interval";
    }
    sentences.push_back(fmt::format(
        "Under the {} deadline ({}), a typical round scores {}% ({}) and a bad round ({}) {}% "
        "({}).",
        d.label, deadline, percent(d.mean.value), range(d.mean), bad, percent(d.bad_round.value),
        range(d.bad_round)));
  }
  const std::string eps = fmt::format("{:g}", 100 * e.goal.epsilon);
  sentences.push_back(fmt::format(
      "These intervals hold together with {}% confidence, allowing for rounds that depend on "
      "each other{}.",
      percent(e.goal.confidence),
      e.met ? fmt::format("; each is within +-{} points", eps)
            : fmt::format("; not all are within +-{} points yet, so more rounds would narrow them",
                          eps)));
  return sentences;
}

void write_answer(std::ostream& out, const PrecisionEstimate& e) {
  for (const std::string& sentence : answer_sentences(e)) out << sentence << "\n";
}

std::string to_json(const PrecisionReplay& r) {
  ordered_json looks = ordered_json::array();
  for (const PrecisionReplay::Look& l : r.looks) {
    looks.push_back({{"round", l.rounds},
                     {"mean_half_width", json_number(l.mean_half_width)},
                     {"bad_round_half_width", json_number(l.bad_round_half_width)}});
  }
  ordered_json j = detail::precision_json(r.estimate);
  ordered_json out;
  out["stop"] = "precision";
  out["rounds"] = r.rounds;
  out["stopped_at_round"] = r.stopped_at ? ordered_json(*r.stopped_at) : ordered_json(nullptr);
  out["confidence"] = j["confidence"];
  out["interval_confidence"] = j["interval_confidence"];
  out["epsilon"] = j["epsilon"];
  out["bad_round"] = j["bad_round"];
  out["deadlines"] = j["deadlines"];
  out["looks"] = std::move(looks);
  return out.dump(2);
}

void write_table(std::ostream& out, const PrecisionReplay& r) {
  const double eps = 100 * r.estimate.goal.epsilon;
  out << fmt::format("precision rule: +-{:g} points at {}% confidence, bad round p{:g}\n", eps,
                     percent(r.estimate.goal.confidence), 100 * r.estimate.goal.bad_round);
  out << fmt::format("{:>8} {:>16} {:>22}\n", "rounds", "mean +- pt", "bad round +- pt");
  for (const PrecisionReplay::Look& l : r.looks) {
    out << fmt::format("{:>8} {:>16} {:>22}\n", l.rounds, percent(l.mean_half_width),
                       percent(l.bad_round_half_width));
  }
  if (r.stopped_at) {
    out << fmt::format("met after {} of {} measured rounds\n", *r.stopped_at, r.rounds);
  } else {
    out << fmt::format("not met within the {} measured rounds\n", r.rounds);
  }
  write_precision(out, r.estimate);
}

}  // namespace tailq
