// tailq run: measure a workload round after round until the stop rule is met. The options come
// from the library's one table of run settings (tailq/run_options.hpp).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <iostream>

#include "commands.hpp"
#include "tailq/analysis.hpp"
#include "tailq/error.hpp"
#include "tailq/load_analysis.hpp"
#include "tailq/ranks.hpp"
#include "tailq/report.hpp"
#include "tailq/run.hpp"
#include "tailq/run_options.hpp"

namespace tailq::cli {
namespace {

extern "C" void on_stop_signal(int) { request_stop(); }

std::string clock_text(double seconds) {
  const auto s = static_cast<long>(seconds);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60)
                   : fmt::format("{}m{:02}s", s / 60, s % 60);
}

void show_progress(const RunProgress& p) {
  const RunSettings& s = *p.settings;
  auto rjsd = [](const std::optional<double>& v) {
    return v ? fmt::format("{:.4f}", *v) : std::string("-");
  };
  auto points = [](const std::optional<double>& v) {
    return v && std::isfinite(*v) ? fmt::format("{:.2f}", 100 * *v) : std::string("-");
  };
  const double left = p.rounds_per_s > 0 && s.max_rounds > p.round
                          ? static_cast<double>(s.max_rounds - p.round) / p.rounds_per_s
                          : 0;
  const std::string load = p.offered_qps ? fmt::format(" at {:g}/s", *p.offered_qps) : "";
  const std::string rule =
      s.stop == StopRule::rjsd
          ? fmt::format("rJSD inference {} total {} (tau {})", rjsd(p.rjsd_inference),
                        rjsd(p.rjsd_total), s.convergence.tau)
          : fmt::format("+- pt: mean {} bad round {} (goal {:g})", points(p.mean_half_width),
                        points(p.bad_round_half_width), 100 * s.precision.goal.epsilon);
  std::cerr << fmt::format("\r\033[Kround {}{}{} | {:.1f} rounds/s | {} | {} | <= {} to {} rounds",
                           p.round, load, p.warmup ? " (warm-up)" : "", p.rounds_per_s, rule,
                           clock_text(p.elapsed_s), clock_text(left), s.max_rounds);
}

// The summary after the run: the table, and for single-stream the intervals at the deadlines
// the precision rule certifies (an rJSD run gets them too, to show how precise it came out).
void write_summary(const RunResult& result) {
  const RunSettings& s = result.settings;
  if (result.measured_rounds == 0) return;
  std::cout << "\n";
  const TraceReader trace(result.trace);
  if (s.load.scenario != Scenario::single_stream) {
    LoadAnalysisOptions summary;
    summary.thresholds = parse_thresholds("p90,p99");
    write_load_table(std::cout, analyze_load(trace, summary));
    return;
  }
  TraceAnalysisOptions summary;
  summary.request.thresholds = parse_thresholds(kDefaultAnalysisThresholds);
  write_table(std::cout, analyze_trace(trace, summary));
  std::optional<PrecisionEstimate> answer = result.precision;
  if (!answer) {
    TraceAnalysisOptions certified;
    certified.request.thresholds = parse_thresholds(s.precision.thresholds);
    certified.precision = s.precision.goal;
    answer = analyze_trace(trace, certified).precision;
  }
  write_precision(std::cout, *answer);
  std::cout << "\n";
  write_answer(std::cout, *answer);
}

}  // namespace

void add_run_command(CLI::App& app) {
  struct Options {
    std::string output, resume;
    bool quiet = false;
    std::vector<std::pair<std::string, std::string>> values;  // key, text; one per option
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Measure a workload round after round until its tail quality is known (or a limit)");
  cmd->add_option("-o,--output", o->output, "trace to write (default out/<workload>-<time>.trace)");
  const RunSettings defaults;
  const auto options = run_options();
  o->values.resize(options.size());
  std::vector<CLI::Option*> added;
  for (std::size_t k = 0; k < options.size(); ++k) {
    const RunOption& option = options[k];
    std::string help(option.help);
    const std::string fallback = run_option_text(defaults, option.key);
    if (!fallback.empty() && !option.value_name.empty()) help += " (default " + fallback + ")";
    if (!option.applies_to.empty()) help = "[" + std::string(option.applies_to) + "] " + help;
    o->values[k].first = option.key;
    CLI::Option* added_option =
        option.value_name.empty()
            // (A non-const string as add_flag's second argument would be taken as the variable
            // the flag writes to, not as its description.)
            ? cmd->add_flag(std::string(option.flag))->description(help)
            : cmd->add_option(std::string(option.flag), o->values[k].second, help)
                  ->type_name(std::string(option.value_name));
    added.push_back(added_option);
  }
  cmd->add_option("--resume", o->resume, "continue the interrupted experiment in this trace");
  cmd->add_flag("--quiet", o->quiet, "no progress line");
  cmd->callback([o, added] {
    GivenOptions given;
    for (std::size_t k = 0; k < added.size(); ++k) {
      if (added[k]->count() > 0) given.push_back(o->values[k]);
    }
    const bool show = !o->quiet && isatty(STDERR_FILENO);
    auto progress = [show](const RunProgress& p) {
      if (show) show_progress(p);
    };
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    RunResult result;
    std::string trace = o->resume.empty() ? o->output : o->resume;
    try {
      if (launched_job().size > 1) {
        // Started by mpirun: one experiment over every rank, written by rank 0 alone
        // (docs/multi-node.md), or a one-line refusal when the MPI part is not built.
        result = run_ranked({given, o->output, o->resume}, progress);
      } else if (o->resume.empty()) {
        RunSettings settings = run_settings_from(given);
        settings.output = o->output;
        result = run_experiment(settings, progress);
      } else {
        if (!o->output.empty()) {
          throw InputError("-o: a resumed run writes to the trace it resumes");
        }
        result = resume_experiment(o->resume, given, progress);
      }
    } catch (const StoreError& e) {
      // The library says that resuming continues; here is the command that does it.
      throw StoreError(std::string(e.what()) +
                       (trace.empty() ? "" : " (tailq run --resume " + trace + ")"));
    }
    if (result.rank != 0) {  // rank 0 says how the job went
      if (result.stop == RunResult::Stop::interrupted) throw ExitCode{130};
      return;
    }
    if (show) std::cerr << "\n";
    for (const std::string& w : result.warnings) std::cerr << "warning: " << w << "\n";
    const char* why[] = {result.settings.stop == StopRule::precision ? "precise" : "converged",
                         "reached --max-rounds", "reached --max-duration", "interrupted"};
    std::cout << fmt::format(
        "{} after {} measured rounds ({} inferences with warm-up, {:.1f} s); trace: {}\n",
        why[static_cast<int>(result.stop)], result.measured_rounds, result.inferences,
        result.elapsed_s, result.trace.string());
    if (result.ranks > 1) {
      // What one writer costs the job: its share of the run, which grows with the ranks.
      const double rounds = std::max<double>(1, static_cast<double>(result.rounds_stored));
      const double run = std::max(result.elapsed_s, 1e-9);
      std::cout << fmt::format(
          "{} ranks; rank 0 spent {:.2f}% of the run receiving rounds ({:.3f} ms per round) and "
          "{:.2f}% storing them ({:.3f} ms per round)\n",
          result.ranks, 100 * result.receive_s / run, 1e3 * result.receive_s / rounds,
          100 * result.store_s / run, 1e3 * result.store_s / rounds);
    }
    if (result.failed_answers > 0) {
      std::cout << fmt::format(
          "{} answers failed (counted as late as the request timeout, {:g} s); the last: {}\n",
          result.failed_answers, result.settings.request_timeout_s, result.last_failure);
    }
    if (result.jitter) {
      std::cout << fmt::format(
          "load generator: {} queries issued {:.1f} us late at the median, {:.1f} us at P99, "
          "{:.1f} us at most\n",
          result.jitter->queries, result.jitter->p50_s * 1e6, result.jitter->p99_s * 1e6,
          result.jitter->max_s * 1e6);
    }
    write_summary(result);
    if (result.stop == RunResult::Stop::interrupted) throw ExitCode{130};
  });
}

}  // namespace tailq::cli
