// `tailq run` and `tailq run --resume`: check the settings, make the workloads, create or
// reopen the trace, rebuild the convergence state, and hand over to the round loop
// (round_loop.cpp).
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "collect/environment.hpp"
#include "collect/measure.hpp"
#include "collect/round_driver.hpp"
#include "collect/session.hpp"
#include "tailq/error.hpp"
#include "tailq/metric.hpp"
#include "tailq/round_source.hpp"
#include "tailq/run.hpp"
#include "tailq/stats.hpp"
#include "tailq/thresholds.hpp"
#include "tailq/trace.hpp"

namespace tailq {
namespace {

using nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "request_stop runs in a signal handler");

std::filesystem::path default_output(const std::string& workload) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  return std::filesystem::path("out") / (workload + "-" + stamp + ".trace");
}

void pin_to(const std::vector<int>& cpus) {
  if (cpus.empty()) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) {
    if (c < 0 || c >= CPU_SETSIZE) throw InputError("--pin-cpus: no CPU " + std::to_string(c));
    CPU_SET(c, &set);
  }
  if (sched_setaffinity(0, sizeof set, &set) != 0) {
    throw InputError("--pin-cpus: the OS refused the CPU set");
  }
}

// What must match when an experiment is resumed.
ordered_json identity_json(const RunSettings& s, const Workload& w) {
  ordered_json j;
  j["workload"] = s.workload;
  j["batch_size"] = s.batch_size;
  j["threads"] = s.threads;
  j["pin_cpus"] = s.pin_cpus;
  j["warmup_rounds"] = s.warmup_rounds;
  j["shuffle_seed"] = s.shuffle_seed ? ordered_json(*s.shuffle_seed) : ordered_json(nullptr);
  j["model"] = w.model;
  j["model_fingerprint"] = std::to_string(w.model_fingerprint);
  j["data"] = s.data.string();
  j["sleep_instances"] = s.sleep_instances;
  j["sleep_distribution"] = s.sleep_distribution;
  j["sleep_seed"] = s.sleep_seed;
  j["sleep_model"] = s.sleep_model.string();
  j["sleep_round_effect"] = s.sleep_round_effect;
  j["scenario"] = to_string(s.load.scenario);
  j["qps"] = s.load.qps;
  j["workers"] = s.load.workers;
  j["max_batch"] = s.load.max_batch;
  j["batch_timeout_s"] = s.load.batch_timeout_s;
  j["queries_per_interval"] = s.load.queries_per_interval;
  j["interval_s"] = s.load.interval_s;
  j["arrival_seed"] = s.load.arrival_seed;
  j["busy_poll"] = s.load.busy_poll;
  j["ocr_lines"] = s.ocr_lines;
  j["ocr_seed"] = s.ocr_seed;
  j["ocr_degrade"] = s.ocr_degrade;
  return j;
}

void check_load(const RunSettings& s) {
  const LoadSettings& l = s.load;
  if (!s.sleep_round_effect.empty() && s.workload != "sleep") {
    throw InputError("--round-effect applies to the sleep workload");
  }
  if (!s.sleep_round_effect.empty() && l.scenario != Scenario::single_stream) {
    throw InputError("--round-effect counts rounds by the instances one backend serves: it "
                     "applies to the single-stream scenario");
  }
  if (l.scenario == Scenario::single_stream) {
    if (l.busy_poll) throw InputError("--busy-poll applies to the load scenarios (--scenario)");
    return;
  }
  if (l.scenario == Scenario::server && l.qps.empty()) {
    throw InputError("--scenario server needs --qps RATE or --qps-sweep FROM:TO:STEP");
  }
  for (std::size_t i = 0; i < l.qps.size(); ++i) {
    if (!(l.qps[i] > 0) || !std::isfinite(l.qps[i])) {
      throw InputError("--qps: " + std::to_string(l.qps[i]) + " is not a positive rate");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (l.qps[j] == l.qps[i]) {
        throw InputError("--qps: the load " + std::to_string(l.qps[i]) + " is given twice");
      }
    }
  }
  if (l.workers == 0) throw InputError("--workers must be positive");
  if (l.max_batch == 0) throw InputError("--max-batch must be positive");
  if (!(l.batch_timeout_s >= 0) || !std::isfinite(l.batch_timeout_s)) {
    throw InputError("--batch-timeout must be a time >= 0");
  }
  if (l.queries_per_interval == 0) throw InputError("--queries-per-interval must be positive");
  if (!(l.interval_s > 0) || !std::isfinite(l.interval_s)) {
    throw InputError("--interval must be a positive time");
  }
}

// Spinning workers take a core each; the load generator and the thread that stores the rounds
// need theirs, or the schedule slips. Measured on 2 cores with one spinning worker: the median
// hand-over fell from 27 to 20 us but its P99 rose from 0.25 to 3.5 ms; under SCHED_FIFO the
// spinning thread ran into the kernel's real-time throttling (P99 14 ms).
void warn_about_load(const LoadSettings& l, std::vector<std::string>& warnings) {
  if (!l.busy_poll) return;
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores != 0 && l.workers + 2 > cores) {
    warnings.push_back("--busy-poll: " + std::to_string(l.workers) +
                       " spinning worker(s), the load generator and the trace writer share " +
                       std::to_string(cores) + " cores; expect a worse tail, not a better one");
  }
  const int policy = sched_getscheduler(0);
  if (policy == SCHED_FIFO || policy == SCHED_RR) {
    warnings.push_back(
        "--busy-poll under a real-time policy: spinning workers starve the other threads and "
        "run into the kernel's real-time throttling (stalls of milliseconds)");
  }
}

// The stop rule's settings, before anything is made or written.
void check_stop_rule(const RunSettings& s) {
  if (s.stop != StopRule::precision) return;
  check(s.precision.goal);
  if (parse_thresholds(s.precision.thresholds).empty()) {
    throw InputError("precision: no deadlines to certify");
  }
}

// One workload per concurrent worker, each with its own model instance.
std::vector<Workload> make_workloads(const RunSettings& s) {
  std::vector<Workload> workloads;
  const unsigned count = s.load.scenario == Scenario::single_stream ? 1 : s.load.workers;
  for (unsigned r = 0; r < count; ++r) workloads.push_back(make_workload(s, r));
  return workloads;
}

}  // namespace

std::string_view to_string(Scenario scenario) {
  switch (scenario) {
    case Scenario::single_stream:
      return "single-stream";
    case Scenario::multi_stream:
      return "multi-stream";
    case Scenario::server:
      return "server";
    case Scenario::offline:
      return "offline";
  }
  return "single-stream";
}

Scenario parse_scenario(std::string_view text) {
  for (Scenario s :
       {Scenario::single_stream, Scenario::multi_stream, Scenario::server, Scenario::offline}) {
    if (text == to_string(s)) return s;
  }
  throw InputError("--scenario: expected single-stream, multi-stream, server or offline, got '" +
                   std::string(text) + "'");
}

void request_stop() { g_stop.store(true, std::memory_order_relaxed); }

RunResult run_experiment(const RunSettings& settings,
                         const std::function<void(const RunProgress&)>& progress) {
  if (settings.batch_size == 0) throw InputError("--batch-size must be positive");
  check_load(settings);
  check_stop_rule(settings);
  pin_to(settings.pin_cpus);
  std::vector<Workload> workloads = make_workloads(settings);
  const Workload& workload = workloads.front();
  const Dataset& dataset = *workload.dataset;
  const std::filesystem::path path =
      settings.output.empty() ? default_output(settings.workload) : settings.output;
  if (std::filesystem::exists(path)) {
    throw InputError(path.string() + ": file exists (use --resume to continue it)");
  }
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());

  const std::size_t n = dataset.size();
  std::vector<Instance> instances(n);
  Outcomes outcomes;
  outcomes.kind = dataset.classes().empty() ? Outcomes::Kind::text : Outcomes::Kind::classification;
  for (std::size_t i = 0; i < n; ++i) {
    instances[i].name = std::to_string(i);
    instances[i].batch = static_cast<std::uint32_t>(
        detail::per_instance_batches(settings) ? i : i / settings.batch_size);
    instances[i].input_size = dataset.input_size(i);
    outcomes.labels.push_back(dataset.label(i));
    outcomes.predictions.emplace_back();  // filled by the first measured round
  }
  const detail::Environment env = detail::capture_environment(workload.backend->description(),
                                                              settings.threads, settings.pin_cpus);
  Experiment experiment;
  experiment.model = workload.model;
  experiment.dataset = dataset.name();
  experiment.backend = workload.backend->description();
  experiment.metric = default_metric(outcomes.kind);
  experiment.system_json = env.json;
  experiment.settings_json = identity_json(settings, workload).dump();

  // The empty trace appears whole or not at all: a run killed while creating it leaves
  // nothing half-made for --resume to trip over.
  write_trace_atomically(path, false, [&](const std::filesystem::path& tmp) {
    TraceWriter::create(tmp, experiment, instances, outcomes).close();
  });
  detail::Session s(settings, std::move(workloads), path);
  s.warnings = env.warnings;
  warn_about_load(settings.load, s.warnings);
  g_stop = false;
  return detail::run_rounds(s, g_stop, progress);
}

RunResult resume_experiment(const std::filesystem::path& trace_path, const RunSettings& cli,
                            const std::vector<std::string>& explicitly_set,
                            const std::function<void(const RunProgress&)>& progress) {
  // The reader goes before the run: an open read of this process would keep the writer from
  // folding the trace back into one file at the end.
  std::optional<TraceReader> reader(std::in_place, trace_path);
  const TraceReader& trace = *reader;
  ordered_json stored;
  RunSettings s = cli;  // stopping rules and convergence settings come from the command line
  // Settings of another shape (another tool's trace, or edited by hand) end here, not in a
  // JSON type error deep inside the run.
  try {
    stored = ordered_json::parse(trace.experiment().settings_json);
    if (!stored.contains("workload")) throw std::runtime_error("no workload");
    s.workload = stored["workload"].get<std::string>();
    s.batch_size = stored["batch_size"].get<std::size_t>();
    s.threads = stored["threads"].get<unsigned>();
    s.pin_cpus = stored["pin_cpus"].get<std::vector<int>>();
    s.warmup_rounds = stored["warmup_rounds"].get<std::size_t>();
    s.shuffle_seed =
        stored["shuffle_seed"].is_null()
            ? std::nullopt
            : std::optional<std::uint64_t>(stored["shuffle_seed"].get<std::uint64_t>());
    s.model = stored["model"].get<std::string>();
    s.data = stored["data"].get<std::string>();
    s.sleep_instances = stored["sleep_instances"].get<std::size_t>();
    s.sleep_distribution = stored["sleep_distribution"].get<std::string>();
    s.sleep_seed = stored["sleep_seed"].get<std::uint64_t>();
    s.sleep_model = stored["sleep_model"].get<std::string>();
    if (stored.contains("scenario")) {  // traces of earlier versions ran single-stream
      s.load.scenario = parse_scenario(stored["scenario"].get<std::string>());
      s.load.qps = stored["qps"].get<std::vector<double>>();
      s.load.workers = stored["workers"].get<unsigned>();
      s.load.max_batch = stored["max_batch"].get<std::size_t>();
      s.load.batch_timeout_s = stored["batch_timeout_s"].get<double>();
      s.load.queries_per_interval = stored["queries_per_interval"].get<std::size_t>();
      s.load.interval_s = stored["interval_s"].get<double>();
      s.load.arrival_seed = stored["arrival_seed"].get<std::uint64_t>();
      s.load.busy_poll = stored.value("busy_poll", false);  // traces from before the option
    } else {
      s.load = LoadSettings{};
    }
  } catch (const std::exception& e) {
    throw InputError(trace_path.string() + ": not a trace written by tailq run (its settings: " +
                     e.what() + "); cannot resume");
  }
  s.sleep_round_effect = stored.value("sleep_round_effect", std::string());
  // Traces from before the OCR workload lack these keys: they keep the defaults.
  s.ocr_lines = stored.value("ocr_lines", s.ocr_lines);
  s.ocr_seed = stored.value("ocr_seed", s.ocr_seed);
  s.ocr_degrade = stored.value("ocr_degrade", s.ocr_degrade);
  s.output = trace_path;

  // An option given again must agree with the trace.
  auto check = [&](const std::string& option, const ordered_json& given, const ordered_json& have) {
    if (std::find(explicitly_set.begin(), explicitly_set.end(), option) == explicitly_set.end()) {
      return;
    }
    if (given != have) {
      throw InputError(trace_path.string() + ": " + option + " " + given.dump() +
                       " does not match the trace's " + have.dump());
    }
  };
  check("--workload", cli.workload, s.workload);
  check("--batch-size", cli.batch_size, s.batch_size);
  check("--threads", cli.threads, s.threads);
  check("--pin-cpus", cli.pin_cpus, s.pin_cpus);
  check("--warmup-rounds", cli.warmup_rounds, s.warmup_rounds);
  check("--shuffle", cli.shuffle_seed ? ordered_json(*cli.shuffle_seed) : ordered_json(nullptr),
        stored["shuffle_seed"]);
  check("--model", cli.model.string(), s.model.string());
  check("--data", cli.data.string(), s.data.string());
  check("--instances", cli.sleep_instances, s.sleep_instances);
  check("--sleep-dist", cli.sleep_distribution, s.sleep_distribution);
  check("--sleep-seed", cli.sleep_seed, s.sleep_seed);
  check("--sleep-model", cli.sleep_model.string(), s.sleep_model.string());
  check("--round-effect", cli.sleep_round_effect, s.sleep_round_effect);
  check("--scenario", to_string(cli.load.scenario), to_string(s.load.scenario));
  check("--qps", cli.load.qps, s.load.qps);
  check("--workers", cli.load.workers, s.load.workers);
  check("--max-batch", cli.load.max_batch, s.load.max_batch);
  check("--batch-timeout", cli.load.batch_timeout_s, s.load.batch_timeout_s);
  check("--queries-per-interval", cli.load.queries_per_interval, s.load.queries_per_interval);
  check("--interval", cli.load.interval_s, s.load.interval_s);
  check("--arrival-seed", cli.load.arrival_seed, s.load.arrival_seed);
  check("--busy-poll", cli.load.busy_poll, s.load.busy_poll);
  check("--lines", cli.ocr_lines, s.ocr_lines);
  check("--ocr-seed", cli.ocr_seed, s.ocr_seed);
  check("--degrade", cli.ocr_degrade, s.ocr_degrade);

  check_stop_rule(s);
  pin_to(s.pin_cpus);
  std::vector<Workload> workloads = make_workloads(s);
  const Workload& workload = workloads.front();
  if (!stored.contains("model_fingerprint") || !stored["model_fingerprint"].is_string() ||
      std::to_string(workload.model_fingerprint) !=
          stored["model_fingerprint"].get<std::string>()) {
    throw InputError(trace_path.string() + ": the model file " + workload.model +
                     " changed since the experiment started");
  }
  if (workload.dataset->size() != trace.instances().size()) {
    throw InputError(trace_path.string() + ": the dataset has " +
                     std::to_string(workload.dataset->size()) + " instances, the trace " +
                     std::to_string(trace.instances().size()));
  }
  detail::Session session(s, std::move(workloads), trace_path);
  // Carry on at the load of the last stored round, with its convergence state rebuilt.
  const auto levels = detail::load_levels(s);
  if (!trace.rounds().empty()) {
    const auto at = std::find(levels.begin(), levels.end(), trace.rounds().back().offered_qps);
    if (at == levels.end()) {
      throw InputError(trace_path.string() + ": its last round ran at a load not in its settings");
    }
    session.level = static_cast<std::size_t>(at - levels.begin());
  }
  std::vector<double> times(trace.batch_count());
  for (const RoundInfo& round : trace.rounds()) {
    if (round.warmup) continue;
    ++session.measured_all;
    if (round.offered_qps != levels[session.level]) continue;
    ++session.measured;
    if (s.stop != StopRule::rjsd) continue;
    trace.read_times(round.index, TimeKind::inference, times);
    session.inference.add_round(times);
    trace.read_times(round.index, TimeKind::total, times);
    session.total.add_round(times);
  }
  session.have_predictions = session.measured_all > 0;
  session.next_index = trace.rounds().empty() ? 0 : trace.rounds().back().index + 1;
  // A new process starts cold: warm it up again (those rounds are stored as warm-up too).
  const detail::Environment env =
      detail::capture_environment(workload.backend->description(), s.threads, s.pin_cpus);
  session.warnings = env.warnings;
  warn_about_load(s.load, session.warnings);
  reader.reset();
  if (s.stop == StopRule::precision && session.measured > 0) {
    session.precision = detail::look_at_precision(session);
  }
  g_stop = false;
  return detail::run_rounds(session, g_stop, progress);
}

}  // namespace tailq
