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
#include "tailq/report.hpp"
#include "tailq/run.hpp"

namespace tailq::cli {
namespace {

extern "C" void on_stop_signal(int) { request_stop(); }

std::vector<int> parse_cpu_list(const std::string& text) {
  std::vector<int> cpus;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string item = text.substr(start, comma - start);
    const auto dash = item.find('-');
    try {
      if (dash == std::string::npos) {
        cpus.push_back(std::stoi(item));
      } else {
        for (int c = std::stoi(item.substr(0, dash)); c <= std::stoi(item.substr(dash + 1)); ++c) {
          cpus.push_back(c);
        }
      }
    } catch (const std::exception&) {
      throw InputError("--pin-cpus: '" + item + "' is not a CPU number or range such as 0-3");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return cpus;
}

double parse_duration(const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const std::string unit = text.substr(used);
  const double scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : -1;
  if (used == 0 || scale < 0 || !(value > 0)) {
    throw InputError("--max-duration: '" + text + "' is not a duration such as 90, 90s, 5m, 1h");
  }
  return value * scale;
}

double parse_rate(const std::string& text, const std::string& option) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !(value > 0) || !std::isfinite(value)) {
    throw InputError(option + ": '" + text + "' is not a positive rate in instances per second");
  }
  return value;
}

std::vector<double> parse_rate_list(const std::string& text) {
  std::vector<double> rates;
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    rates.push_back(parse_rate(text.substr(start, comma - start), "--qps"));
    if (comma == std::string::npos) return rates;
    start = comma + 1;
  }
}

std::vector<double> parse_rate_sweep(const std::string& text) {
  const auto a = text.find(':');
  const auto b = a == std::string::npos ? a : text.find(':', a + 1);
  if (b == std::string::npos) {
    throw InputError("--qps-sweep: expected FROM:TO:STEP such as 50:400:50, got '" + text + "'");
  }
  const double from = parse_rate(text.substr(0, a), "--qps-sweep");
  const double to = parse_rate(text.substr(a + 1, b - a - 1), "--qps-sweep");
  const double step = parse_rate(text.substr(b + 1), "--qps-sweep");
  if (to < from) throw InputError("--qps-sweep: TO is below FROM in '" + text + "'");
  const auto count = static_cast<std::size_t>(std::floor((to - from) / step + 1e-9)) + 1;
  if (count > 1000) throw InputError("--qps-sweep: more than 1000 loads in '" + text + "'");
  std::vector<double> rates;
  for (std::size_t i = 0; i < count; ++i) rates.push_back(from + static_cast<double>(i) * step);
  return rates;
}

// A time such as 2ms, 500us or 0.01 (seconds).
double parse_time_option(const std::string& option, const std::string& text) {
  try {
    const auto specs = parse_thresholds(text);
    if (specs.size() == 1 && specs[0].kind == ThresholdSpec::Kind::absolute) return specs[0].value;
  } catch (const InputError&) {
  }
  throw InputError(option + ": '" + text + "' is not a time such as 2ms, 500us or 0.01");
}

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
  cmd->add_option("--tau", s.convergence.tau, "converged when rJSD <= tau")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--fit-every", s.convergence.fit_every, "fit a KDE every N measured rounds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--window", s.convergence.window, "compare with this many earlier fits")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
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
  cmd->callback([o, tracked] {
    RunSettings& settings = o->settings;
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
      const double left = p.rounds_per_s > 0 && settings.max_rounds > p.round
                              ? static_cast<double>(settings.max_rounds - p.round) / p.rounds_per_s
                              : 0;
      const std::string load = p.offered_qps ? fmt::format(" at {:g}/s", *p.offered_qps) : "";
      std::cerr << fmt::format(
          "\r\033[Kround {}{}{} | {:.1f} rounds/s | rJSD inference {} total {} (tau {}) | {} | "
          "<= {} to {} rounds",
          p.round, load, p.warmup ? " (warm-up)" : "", p.rounds_per_s, rjsd(p.rjsd_inference),
          rjsd(p.rjsd_total), settings.convergence.tau, clock_text(p.elapsed_s), clock_text(left),
          settings.max_rounds);
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
    const char* why[] = {"converged", "reached --max-rounds", "reached --max-duration",
                         "interrupted"};
    std::cout << fmt::format("{} after {} measured rounds; trace: {}\n",
                             why[static_cast<int>(result.stop)], result.measured_rounds,
                             result.trace.string());
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
      TraceAnalysisOptions summary;
      summary.request.thresholds = parse_thresholds("p90,p95,p99,p99.9");
      write_table(std::cout, analyze_trace(TraceReader(result.trace), summary));
    }
    if (result.stop == RunResult::Stop::interrupted) throw ExitCode{130};
  });
}

}  // namespace tailq::cli
