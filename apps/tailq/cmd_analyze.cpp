#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "tailq/analysis.hpp"
#include "tailq/error.hpp"
#include "tailq/load_analysis.hpp"
#include "tailq/options.hpp"
#include "tailq/ranks.hpp"
#include "tailq/report.hpp"
#include "tailq/serve.hpp"
#include "tailq/shards.hpp"

namespace tailq::cli {
namespace {

// A trace measured through a server: its failures (recorded as late as the request timeout).
void write_late_answers(std::ostream& out, const TraceReader& trace) {
  const std::optional<LateAnswers> late = answers_past_timeout(trace);
  if (!late) return;
  out << fmt::format(
      "\nthrough a server: {} of {} answers ({:.2f}%) at or past the request timeout of {:g} s "
      "(failed requests, or as late)\n",
      late->late, late->answers,
      late->answers ? 100.0 * static_cast<double>(late->late) / static_cast<double>(late->answers)
                    : 0.0,
      late->timeout_s);
}

struct AnalyzeOptions {
  std::string trace;
  std::string time = "total";
  std::string thresholds{kDefaultAnalysisThresholds};
  std::string rounds;
  std::string guarantee;
  std::string epsilon = "1", confidence = "95%", bad_round = "5";
  double load = 0;
  double max_drop_pt = 1;
  TraceAnalysisOptions analysis;
  bool json = false;
  bool csv = false;
  bool answer = false;
};

// The analysis and its output; rank 0 prints (the other ranks of a sharded job return).
void analyze_command(AnalyzeOptions& o, Shards& shards) {
  TraceAnalysisOptions& analysis = o.analysis;
  analysis.time = parse_time_kind(o.time);
  analysis.request.thresholds = parse_deadlines(o.thresholds);
  if (!o.rounds.empty()) parse_round_range(o.rounds, analysis);
  if (!o.guarantee.empty()) analysis.guarantee = parse_guarantee(o.guarantee);
  if (o.csv && analysis.request.sweep == 0) analysis.request.sweep = 100;
  if (!o.csv) {
    analysis.precision =
        PrecisionGoal{with_flag("--epsilon", [&] { return parse_points(o.epsilon); }),
                      with_flag("--confidence", [&] { return parse_share(o.confidence); }),
                      with_flag("--bad-round", [&] { return parse_percentage(o.bad_round); })};
  }
  const TraceReader trace(o.trace);
  if (trace.outcomes().kind == Outcomes::Kind::none) {
    // Intervals and guarantees bound a quality, which a latency-only trace does not have.
    if (o.answer || analysis.guarantee) {
      throw InputError(o.trace + ": a latency-only trace (imported without outcomes) " +
                       "has no quality to " + (o.answer ? "answer for" : "guarantee") + "; drop " +
                       (o.answer ? "--answer" : "--guarantee") +
                       " for its late fractions, or import it with --outcomes");
    }
    analysis.precision.reset();
  }
  if (o.load > 0) analysis.offered_qps = o.load;
  // A load trace mixes loads: unless one is picked, show quality against load.
  if (is_load_trace(trace) && !analysis.offered_qps && !o.csv) {
    if (analysis.guarantee) {
      throw InputError(o.trace + ": --guarantee holds for the rounds of one load: add --load QPS");
    }
    analysis.precision.reset();
    if (!shards.lead()) return;  // not split between ranks: rank 0 analyses the loads alone
    LoadAnalysisOptions load;
    load.time = analysis.time;
    load.metric = analysis.metric;
    load.thresholds = analysis.request.thresholds;
    load.max_drop = o.max_drop_pt / 100;
    load.threads = analysis.request.threads;
    const LoadAnalysis result = analyze_load(trace, load);
    if (o.json) {
      std::cout << to_json(result) << "\n";
    } else {
      write_load_table(std::cout, result);
      write_late_answers(std::cout, trace);
    }
    return;
  }
  const TailQuality result = analyze_trace(trace, analysis, shards);
  if (!shards.lead()) return;
  if (o.answer) {
    write_answer(std::cout, *result.precision);
  } else if (o.json) {
    std::cout << to_json(result) << "\n";
  } else if (o.csv) {
    write_curve_csv(std::cout, result);
  } else {
    write_table(std::cout, result);
    write_late_answers(std::cout, trace);
  }
}

}  // namespace

void add_analyze_command(CLI::App& app) {
  auto options = std::make_shared<AnalyzeOptions>();
  TraceAnalysisOptions& a = options->analysis;
  CLI::App* cmd = app.add_subcommand("analyze", "Tail latency and quality under deadlines (Q@T)");
  cmd->add_option("trace", options->trace, "trace file")->required();
  cmd->add_option("--time", options->time, "inference | total")->capture_default_str();
  cmd->add_option("--thresholds", options->thresholds,
                  "deadlines: percentiles p99, or times with a unit 4ms, 900us, 1.5s")
      ->capture_default_str();
  cmd->add_option("--sweep", a.request.sweep, "K evenly spaced deadlines from min to max time")
      ->check(count_at_least(0));
  cmd->add_flag("--sweep-trim-outliers", a.request.sweep_trim_outliers,
                "sweep between the 1.5 IQR fences of the times");
  cmd->add_option("--metric", a.metric,
                  "accuracy, top5, f1-weighted, f1-macro, score, char-accuracy (1 - CER), "
                  "word-accuracy (1 - WER), line-accuracy, ndcg@20, recall@20, "
                  "precision@20, ...");
  cmd->add_option("--rounds", options->rounds,
                  "measured rounds A:B (A to B - 1, counted from 0 after the warm-up)");
  cmd->add_option("--threads", a.request.threads, "worker threads (0: one per core)")
      ->check(count_at_least(0));
  cmd->add_option("--load", options->load,
                  "load traces: analyse only the rounds run at this offered load (instances/s)")
      ->check(number_in(0));
  cmd->add_option("--max-drop", options->max_drop_pt,
                  "load traces: capacity keeps the worst case within this many points of nominal")
      ->capture_default_str()
      ->check(number_in(0));
  auto* guarantee = cmd->add_option(
      "--guarantee", options->guarantee,
      "COVERAGE:CONFIDENCE, e.g. 99%:95%: per deadline, the Q@T that at least COVERAGE of "
      "rounds reach, with CONFIDENCE (distribution-free; rounds assumed independent)");
  cmd->add_option("--confidence", options->confidence,
                  "confidence of the intervals of mean and bad-round Q@T, all together")
      ->capture_default_str();
  cmd->add_option("--bad-round", options->bad_round,
                  "the bad round is this percentile of per-round Q@T (5: 1 round in 20)")
      ->capture_default_str();
  cmd->add_option("--epsilon", options->epsilon,
                  "a deadline is precise when both its intervals are within +- this many points")
      ->capture_default_str();
  auto* answer = cmd->add_flag("--answer", options->answer,
                               "print only the answer in plain words: per deadline a typical and "
                               "a bad round with their intervals");
  auto* json = cmd->add_flag("--json", options->json, "print JSON")->excludes(answer);
  cmd->add_flag("--csv", options->csv,
                "print the quality-time curve as CSV (sweep 100 unless --sweep)")
      ->excludes(json)
      ->excludes(guarantee)
      ->excludes(answer);
  cmd->callback([options] {
    // Under `mpirun -np K` every rank reads and scores its share of the rounds and rank 0
    // prints (docs/multi-node.md, "Sharded analysis"); a load trace's analysis is rank 0's alone.
    run_shared([&](Shards& shards) { analyze_command(*options, shards); });
  });
}

}  // namespace tailq::cli
