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

}  // namespace

void add_analyze_command(CLI::App& app) {
  struct Options {
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
  auto options = std::make_shared<Options>();
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
    // Not split between the ranks of `mpirun -np K` yet (docs/multi-node.md): rank 0 analyses
    // and prints, the others end at once.
    if (launched_job().rank != 0) return;
    TraceAnalysisOptions& analysis = options->analysis;
    analysis.time = parse_time_kind(options->time);
    analysis.request.thresholds = parse_deadlines(options->thresholds);
    if (!options->rounds.empty()) parse_round_range(options->rounds, analysis);
    if (!options->guarantee.empty()) analysis.guarantee = parse_guarantee(options->guarantee);
    if (options->csv && analysis.request.sweep == 0) analysis.request.sweep = 100;
    if (!options->csv) {
      analysis.precision = PrecisionGoal{with_flag("--epsilon", [&] { return parse_points(options->epsilon); }),
                                         with_flag("--confidence", [&] { return parse_share(options->confidence); }),
                                         with_flag("--bad-round", [&] { return parse_percentage(options->bad_round); })};
    }
    const TraceReader trace(options->trace);
    if (trace.outcomes().kind == Outcomes::Kind::none) {
      // Intervals and guarantees bound a quality, which a latency-only trace does not have.
      if (options->answer || analysis.guarantee) {
        throw InputError(options->trace + ": a latency-only trace (imported without outcomes) " +
                         "has no quality to " + (options->answer ? "answer for" : "guarantee") +
                         "; drop " + (options->answer ? "--answer" : "--guarantee") +
                         " for its late fractions, or import it with --outcomes");
      }
      analysis.precision.reset();
    }
    if (options->load > 0) analysis.offered_qps = options->load;
    // A load trace mixes loads: unless one is picked, show quality against load.
    if (is_load_trace(trace) && !analysis.offered_qps && !options->csv) {
      if (analysis.guarantee) {
        throw InputError(options->trace +
                         ": --guarantee holds for the rounds of one load: add --load QPS");
      }
      analysis.precision.reset();
      LoadAnalysisOptions load;
      load.time = analysis.time;
      load.metric = analysis.metric;
      load.thresholds = analysis.request.thresholds;
      load.max_drop = options->max_drop_pt / 100;
      load.threads = analysis.request.threads;
      const LoadAnalysis result = analyze_load(trace, load);
      if (options->json) {
        std::cout << to_json(result) << "\n";
      } else {
        write_load_table(std::cout, result);
        write_late_answers(std::cout, trace);
      }
      return;
    }
    const TailQuality result = analyze_trace(trace, analysis);
    if (options->answer) {
      write_answer(std::cout, *result.precision);
    } else if (options->json) {
      std::cout << to_json(result) << "\n";
    } else if (options->csv) {
      write_curve_csv(std::cout, result);
    } else {
      write_table(std::cout, result);
      write_late_answers(std::cout, trace);
    }
  });
}

}  // namespace tailq::cli
