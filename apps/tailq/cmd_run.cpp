// tailq run: measure a workload until its time distribution has converged.
#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <iostream>

#include "commands.hpp"
#include "tailq/analysis.hpp"
#include "tailq/error.hpp"
#include "tailq/load_analysis.hpp"
#include "tailq/options.hpp"
#include "tailq/report.hpp"
#include "tailq/run.hpp"

namespace tailq::cli {
namespace {

extern "C" void on_stop_signal(int) { request_stop(); }

std::string clock_text(double seconds) {
  const auto s = static_cast<long>(seconds);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60)
                   : fmt::format("{}m{:02}s", s / 60, s % 60);
}

}  // namespace

void add_run_command(CLI::App& app) {
  struct Options {
    RunSettings settings;
    std::string output, pin, max_duration, resume, model, data, sleep_model;
    std::string scenario = "single-stream", qps, qps_sweep, batch_timeout, interval;
    std::string stop = "precision", epsilon = "1", confidence = "95%", bad_round = "5";
    std::uint64_t shuffle = 0;
    bool quiet = false;
  };
  auto o = std::make_shared<Options>();
  RunSettings& s = o->settings;
  CLI::App* cmd = app.add_subcommand(
      "run", "Measure a workload round after round until its time distribution has converged");
  std::vector<std::pair<std::string, CLI::Option*>> tracked;
  auto track = [&](CLI::Option* opt, const std::string& name) {
    tracked.emplace_back(name, opt);
    return opt;
  };
  cmd->add_option("-o,--output", o->output, "trace to write (default out/<workload>-<time>.trace)");
  track(cmd->add_option("--workload", s.workload,
                        "digits (LibTorch CNN), ocr (Tesseract LSTM on text lines) or sleep")
            ->capture_default_str(),
        "--workload");
  track(cmd->add_option("--batch-size", s.batch_size, "instances per batch")
            ->capture_default_str()
            ->check(CLI::PositiveNumber),
        "--batch-size");
  track(cmd->add_option("--threads", s.threads, "intra-op threads of the backend")
            ->capture_default_str()
            ->check(CLI::PositiveNumber),
        "--threads");
  track(cmd->add_option("--pin-cpus", o->pin, "run on these CPUs, e.g. 0 or 0-1,3"), "--pin-cpus");
  track(cmd->add_option("--warmup-rounds", s.warmup_rounds, "rounds run before measuring")
            ->capture_default_str(),
        "--warmup-rounds");
  cmd->add_option("--max-rounds", s.max_rounds, "stop after this many measured rounds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-duration", o->max_duration, "stop after this long, e.g. 90s, 5m");
  CLI::Option* stop_option =
      cmd->add_option("--stop", o->stop,
                      "precision: until every deadline's mean and bad-round Q@T are known to "
                      "+-epsilon; rjsd: until the time distribution stops moving (rJSD <= tau); "
                      "an option of one rule alone picks it")
          ->capture_default_str();
  std::vector<std::pair<std::string, CLI::Option*>> precision_options, rjsd_options;
  precision_options.emplace_back(
      "--epsilon", cmd->add_option("--epsilon", o->epsilon,
                                   "precision: half-width goal in quality points")
                       ->capture_default_str());
  precision_options.emplace_back(
      "--confidence",
      cmd->add_option("--confidence", o->confidence,
                      "precision: confidence of all intervals together, e.g. 95% or 0.95")
          ->capture_default_str());
  precision_options.emplace_back(
      "--bad-round", cmd->add_option("--bad-round", o->bad_round,
                                     "precision: the bad round is this percentile of per-round "
                                     "Q@T (5: 1 round in 20)")
                         ->capture_default_str());
  precision_options.emplace_back(
      "--thresholds", cmd->add_option("--thresholds", s.precision.thresholds,
                                      "precision: deadlines to certify, e.g. p99 or p90,5ms")
                          ->capture_default_str());
  rjsd_options.emplace_back("--tau", cmd->add_option("--tau", s.convergence.tau,
                                                     "rjsd: converged when rJSD <= tau")
                                         ->capture_default_str()
                                         ->check(CLI::NonNegativeNumber));
  rjsd_options.emplace_back("--fit-every",
                            cmd->add_option("--fit-every", s.convergence.fit_every,
                                            "rjsd: fit a KDE every N measured rounds")
                                ->capture_default_str()
                                ->check(CLI::PositiveNumber));
  rjsd_options.emplace_back("--window", cmd->add_option("--window", s.convergence.window,
                                                        "rjsd: compare with this many earlier fits")
                                            ->capture_default_str()
                                            ->check(CLI::PositiveNumber));
  track(cmd->add_option("--shuffle", o->shuffle, "a new instance order every round, from SEED"),
        "--shuffle");
  track(cmd->add_option("--model", o->model,
                        "digits: TorchScript model (default: the trained one); ocr: a Tesseract "
                        "LANG.traineddata (default: Debian's eng)"),
        "--model");
  track(cmd->add_option("--data", o->data, "digits: digits.csv.gz (default: python3-sklearn's)"),
        "--data");
  track(
      cmd->add_option("--instances", s.sleep_instances, "sleep: instances")->capture_default_str(),
      "--instances");
  track(cmd->add_option("--sleep-dist", s.sleep_distribution,
                        "sleep: const:T | exp:MEAN | lognormal:MEDIAN:SIGMA")
            ->capture_default_str(),
        "--sleep-dist");
  track(cmd->add_option("--sleep-seed", s.sleep_seed, "sleep: random seed")->capture_default_str(),
        "--sleep-seed");
  track(cmd->add_option("--sleep-model", o->sleep_model,
                        "sleep: CSV law,correct giving each instance its own law and outcome"),
        "--sleep-model");
  track(cmd->add_option("--round-effect", s.sleep_round_effect,
                        "sleep: a round-speed process ar1:SD:PHI multiplying every time of a "
                        "round by exp(s), s an AR(1) process (e.g. ar1:0.05:0.8)"),
        "--round-effect");
  track(cmd->add_option("--scenario", o->scenario,
                        "single-stream | multi-stream | server (Poisson arrivals) | offline")
            ->capture_default_str(),
        "--scenario");
  track(
      cmd->add_option("--qps", o->qps, "server: offered load(s), instances/s, e.g. 200 or 50,100"),
      "--qps");
  track(cmd->add_option("--qps-sweep", o->qps_sweep,
                        "server: one series of rounds per load FROM:TO:STEP, e.g. 50:400:50"),
        "--qps");
  track(cmd->add_option("--workers", s.load.workers,
                        "load scenarios: concurrent workers, each its own model instance")
            ->capture_default_str()
            ->check(CLI::PositiveNumber),
        "--workers");
  track(cmd->add_option("--max-batch", s.load.max_batch,
                        "load scenarios: dynamic batching up to this many queued instances")
            ->capture_default_str()
            ->check(CLI::PositiveNumber),
        "--max-batch");
  track(cmd->add_option("--batch-timeout", o->batch_timeout,
                        "load scenarios: wait this long for a batch to fill, e.g. 2ms (default 0)"),
        "--batch-timeout");
  track(cmd->add_option("--queries-per-interval", s.load.queries_per_interval,
                        "multi-stream: instances in the query issued every --interval")
            ->capture_default_str()
            ->check(CLI::PositiveNumber),
        "--queries-per-interval");
  track(cmd->add_option("--interval", o->interval, "multi-stream: one query every INTERVAL (10ms)"),
        "--interval");
  track(cmd->add_option("--arrival-seed", s.load.arrival_seed, "server: Poisson schedule seed")
            ->capture_default_str(),
        "--arrival-seed");
  track(cmd->add_flag("--busy-poll", s.load.busy_poll,
                      "load scenarios: idle workers spin instead of sleeping (a core each)"),
        "--busy-poll");
  track(cmd->add_option("--lines", s.ocr_lines,
                        "ocr: text lines generated (metrics: char-accuracy = 1 - CER, "
                        "word-accuracy = 1 - WER, line-accuracy)")
            ->capture_default_str(),
        "--lines");
  track(cmd->add_option("--ocr-seed", s.ocr_seed, "ocr: seed of the generated lines")
            ->capture_default_str(),
        "--ocr-seed");
  track(cmd->add_option("--degrade", s.ocr_degrade,
                        "ocr: none (clean renderings) | light | heavy (contrast, rotation, blur, "
                        "noise)")
            ->capture_default_str(),
        "--degrade");
  cmd->add_option("--resume", o->resume, "continue an interrupted experiment in this trace");
  cmd->add_flag("--quiet", o->quiet, "no progress line");
  cmd->callback([o, tracked, precision_options, rjsd_options, stop_option] {
    RunSettings& settings = o->settings;
    settings.stop = pick_stop_rule(o->stop, stop_option, precision_options, rjsd_options);
    settings.precision.goal.epsilon = parse_points("--epsilon", o->epsilon);
    settings.precision.goal.confidence = parse_share("--confidence", o->confidence);
    settings.precision.goal.bad_round = parse_percentage("--bad-round", o->bad_round);
    try {
      parse_thresholds(settings.precision.thresholds);
    } catch (const InputError& e) {
      throw InputError(std::string("--thresholds: ") + e.what());
    }
    settings.output = o->output;
    settings.model = o->model;
    settings.data = o->data;
    settings.sleep_model = o->sleep_model;
    if (!o->pin.empty()) settings.pin_cpus = parse_cpu_list(o->pin);
    if (!o->max_duration.empty()) settings.max_duration_s = parse_duration(o->max_duration);
    settings.load.scenario = parse_scenario(o->scenario);
    if (!o->qps.empty() && !o->qps_sweep.empty()) {
      throw InputError("--qps and --qps-sweep: give one of them");
    }
    if (!o->qps.empty()) settings.load.qps = parse_rate_list(o->qps);
    if (!o->qps_sweep.empty()) settings.load.qps = parse_rate_sweep(o->qps_sweep);
    if (!o->batch_timeout.empty()) {
      settings.load.batch_timeout_s = parse_time_option("--batch-timeout", o->batch_timeout);
    }
    if (!o->interval.empty()) {
      settings.load.interval_s = parse_time_option("--interval", o->interval);
    }
    if (o->resume.empty() && settings.load.scenario != Scenario::server &&
        !settings.load.qps.empty()) {
      throw InputError("--qps: only the server scenario takes an arrival rate");
    }
    std::vector<std::string> given;
    for (const auto& [name, opt] : tracked) {
      if (opt->count() > 0) given.push_back(name);
    }
    if (std::find(given.begin(), given.end(), "--shuffle") != given.end()) {
      settings.shuffle_seed = o->shuffle;
    }
    const bool show = !o->quiet && isatty(STDERR_FILENO);
    auto progress = [&](const RunProgress& p) {
      if (!show) return;
      auto rjsd = [](const std::optional<double>& v) {
        return v ? fmt::format("{:.4f}", *v) : std::string("-");
      };
      auto points = [](const std::optional<double>& v) {
        return v && std::isfinite(*v) ? fmt::format("{:.2f}", 100 * *v) : std::string("-");
      };
      const double left = p.rounds_per_s > 0 && settings.max_rounds > p.round
                              ? static_cast<double>(settings.max_rounds - p.round) / p.rounds_per_s
                              : 0;
      const std::string load = p.offered_qps ? fmt::format(" at {:g}/s", *p.offered_qps) : "";
      const std::string rule =
          settings.stop == StopRule::rjsd
              ? fmt::format("rJSD inference {} total {} (tau {})", rjsd(p.rjsd_inference),
                            rjsd(p.rjsd_total), settings.convergence.tau)
              : fmt::format("+- pt: mean {} bad round {} (goal {:g})", points(p.mean_half_width),
                            points(p.bad_round_half_width),
                            100 * settings.precision.goal.epsilon);
      std::cerr << fmt::format("\r\033[Kround {}{}{} | {:.1f} rounds/s | {} | {} | <= {} to {} rounds",
                               p.round, load, p.warmup ? " (warm-up)" : "", p.rounds_per_s, rule,
                               clock_text(p.elapsed_s), clock_text(left), settings.max_rounds);
    };
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    const RunResult result = o->resume.empty()
                                 ? run_experiment(settings, progress)
                                 : resume_experiment(o->resume, settings, given, progress);
    if (show) std::cerr << "\n";
    for (const std::string& w : result.warnings) std::cerr << "warning: " << w << "\n";
    const char* why[] = {settings.stop == StopRule::precision ? "precise" : "converged",
                         "reached --max-rounds", "reached --max-duration", "interrupted"};
    std::cout << fmt::format(
        "{} after {} measured rounds ({} inferences with warm-up, {:.1f} s); trace: {}\n",
        why[static_cast<int>(result.stop)], result.measured_rounds, result.inferences,
        result.elapsed_s, result.trace.string());
    if (result.jitter) {
      std::cout << fmt::format(
          "load generator: {} queries issued {:.1f} us late at the median, {:.1f} us at P99, "
          "{:.1f} us at most\n",
          result.jitter->queries, result.jitter->p50_s * 1e6, result.jitter->p99_s * 1e6,
          result.jitter->max_s * 1e6);
    }
    if (result.measured_rounds > 0 && settings.load.scenario != Scenario::single_stream) {
      std::cout << "\n";
      LoadAnalysisOptions summary;
      summary.thresholds = parse_thresholds("p90,p99");
      write_load_table(std::cout, analyze_load(TraceReader(result.trace), summary));
    } else if (result.measured_rounds > 0) {
      std::cout << "\n";
      const TraceReader trace(result.trace);
      TraceAnalysisOptions summary;
      summary.request.thresholds = parse_thresholds(kDefaultAnalysisThresholds);
      write_table(std::cout, analyze_trace(trace, summary));
      // The answer with its intervals at the deadlines the precision rule certifies (an rJSD
      // run gets them too, to show how precise its answer came out).
      std::optional<PrecisionEstimate> answer = result.precision;
      if (!answer) {
        TraceAnalysisOptions certified;
        certified.request.thresholds = parse_thresholds(settings.precision.thresholds);
        certified.precision = settings.precision.goal;
        answer = analyze_trace(trace, certified).precision;
      }
      write_precision(std::cout, *answer);
      std::cout << "\n";
      write_answer(std::cout, *answer);
    }
    if (result.stop == RunResult::Stop::interrupted) throw ExitCode{130};
  });
}

}  // namespace tailq::cli
