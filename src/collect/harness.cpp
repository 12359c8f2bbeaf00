// `tailq run`: check the settings, make the workloads, create the trace, and hand over to the
// round loop (round_loop.cpp). Continuing a trace is in resume.cpp.
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "collect/environment.hpp"
#include "collect/measure.hpp"
#include "collect/round_driver.hpp"
#include "collect/session.hpp"
#include "tailq/error.hpp"
#include "tailq/metric.hpp"
#include "tailq/options.hpp"
#include "tailq/output_path.hpp"
#include "tailq/run.hpp"
#include "tailq/run_options.hpp"
#include "tailq/thresholds.hpp"
#include "tailq/trace.hpp"

namespace tailq {
namespace {

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

// Spinning workers take a core each; the load generator and the thread that stores the rounds
// need theirs, or the schedule slips. Measured on 2 cores with one spinning worker: the median
// hand-over fell from 27 to 20 us but its P99 rose from 0.25 to 3.5 ms; under SCHED_FIFO the
// spinning thread ran into the kernel's real-time throttling (P99 14 ms).
void warn_about_load(const LoadSettings& l, std::vector<std::string>& warnings) {
  if (!l.busy_poll) return;
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores != 0 && l.workers + 2 > cores) {
    warnings.push_back("busy polling: " + std::to_string(l.workers) +
                       " spinning worker(s), the load generator and the trace writer share " +
                       std::to_string(cores) + " cores; expect a worse tail, not a better one");
  }
  const int policy = sched_getscheduler(0);
  if (policy == SCHED_FIFO || policy == SCHED_RR) {
    warnings.push_back(
        "busy polling under a real-time policy: spinning workers starve the other threads and "
        "run into the kernel's real-time throttling (stalls of milliseconds)");
  }
}

}  // namespace

namespace detail {

std::vector<Workload> make_workloads(const RunSettings& s, const WorkloadFactory& make) {
  std::vector<Workload> workloads;
  const unsigned count = s.load.scenario == Scenario::single_stream ? 1 : s.load.workers;
  for (unsigned r = 0; r < count; ++r) workloads.push_back(make(r));
  return workloads;
}

void pin_to(const std::vector<int>& cpus) {
  if (cpus.empty()) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) {
    if (c < 0 || c >= CPU_SETSIZE) throw OptionError("pin_cpus", "no CPU " + std::to_string(c));
    CPU_SET(c, &set);
  }
  if (sched_setaffinity(0, sizeof set, &set) != 0) {
    throw OptionError("pin_cpus", "the OS refused the CPU set");
  }
}

void check_settings(const RunSettings& s) {
  const LoadSettings& l = s.load;
  if (s.batch_size == 0) throw OptionError("batch_size", "must be positive");
  if (!s.sleep_round_effect.empty() &&
      (s.workload != "sleep" || l.scenario != Scenario::single_stream)) {
    throw OptionError("sleep_round_effect",
                      "counts rounds by the instances one backend serves: it applies to the "
                      "sleep workload in the single-stream scenario");
  }
  if (l.busy_poll && l.scenario == Scenario::single_stream) {
    throw OptionError("busy_poll", "applies to the load scenarios (it spins a worker's thread)");
  }
  if (l.scenario == Scenario::server && l.qps.empty()) {
    throw OptionError("qps", "the server scenario needs an offered load (or a sweep of them)");
  }
  for (std::size_t i = 0; i < l.qps.size(); ++i) {
    if (!(l.qps[i] > 0) || !std::isfinite(l.qps[i])) {
      throw OptionError("qps", fmt_number(l.qps[i]) + " is not a positive rate");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (l.qps[j] == l.qps[i]) {
        throw OptionError("qps", "the load " + fmt_number(l.qps[i]) + " is given twice");
      }
    }
  }
  if (!s.server.empty() && s.model_name.empty()) {
    throw OptionError("model_name", "the model's name on the server is needed");
  }
  if (s.server.empty() && !s.model_name.empty()) {
    throw OptionError("model_name", "names a model on a server: the server is missing");
  }
  if (l.workers == 0) throw OptionError("workers", "must be positive");
  if (l.max_batch == 0) throw OptionError("max_batch", "must be positive");
  if (!(l.batch_timeout_s >= 0) || !std::isfinite(l.batch_timeout_s)) {
    throw OptionError("batch_timeout_s", "must be a time >= 0");
  }
  if (l.queries_per_interval == 0) throw OptionError("queries_per_interval", "must be positive");
  if (!(l.interval_s > 0) || !std::isfinite(l.interval_s)) {
    throw OptionError("interval_s", "must be a positive time");
  }
  if (s.stop == StopRule::precision) {
    check(s.precision.goal);
    if (parse_thresholds(s.precision.thresholds).empty()) {
      throw OptionError("thresholds", "no deadlines to certify");
    }
  }
}

void start_session(Session& s, std::vector<std::string> environment_warnings) {
  s.warnings = std::move(environment_warnings);
  warn_about_load(s.settings.load, s.warnings);
  g_stop = false;
}

const std::atomic<bool>& stop_flag() { return g_stop; }

}  // namespace detail

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
  throw InputError("expected single-stream, multi-stream, server or offline, got '" +
                   std::string(text) + "'");
}

void request_stop() { g_stop.store(true, std::memory_order_relaxed); }

RunResult run_experiment(const RunSettings& settings,
                         const std::function<void(const RunProgress&)>& progress) {
  return run_experiment(
      settings, [&](unsigned replica) { return make_workload(settings, replica); }, progress);
}

namespace detail {

std::filesystem::path new_trace_path(const RunSettings& settings) {
  const std::filesystem::path path =
      settings.output.empty() ? default_output(settings.workload) : settings.output;
  if (std::filesystem::is_regular_file(path)) {
    throw InputError(path.string() + ": file exists (resume it to continue)");
  }
  check_output_path(path, {.create_folders = true});
  return path;
}

std::vector<std::string> create_trace(const RunSettings& settings, const Workload& workload,
                                      const std::filesystem::path& path,
                                      const std::string& extra_json) {
  const Dataset& dataset = *workload.dataset;
  const std::size_t n = dataset.size();
  std::vector<Instance> instances(n);
  Outcomes outcomes;
  outcomes.kind = outcome_kind(dataset);
  for (std::size_t i = 0; i < n; ++i) {
    instances[i].name = std::to_string(i);
    instances[i].batch =
        static_cast<std::uint32_t>(per_instance_batches(settings) ? i : i / settings.batch_size);
    instances[i].input_size = dataset.input_size(i);
    outcomes.labels.push_back(dataset.label(i));
    outcomes.predictions.emplace_back();  // filled by the first measured round
  }
  const Environment env =
      capture_environment(workload.backend->description(), settings.threads, settings.pin_cpus);
  Experiment experiment;
  experiment.model = workload.model;
  experiment.dataset = dataset.name();
  experiment.backend = workload.backend->description();
  experiment.metric = default_metric(outcomes.kind);
  experiment.system_json = env.json;
  experiment.extra_json = extra_json;
  // What was measured, as the options that say so (resume.cpp reads it back).
  nlohmann::ordered_json record;
  for (const auto& [key, text] : identity_record(settings)) record[key] = text;
  record["model_fingerprint"] = std::to_string(workload.model_fingerprint);
  experiment.settings_json = record.dump();

  // The empty trace appears whole or not at all: a run killed while creating it leaves
  // nothing half-made for a resume to trip over.
  write_trace_atomically(path, false, [&](const std::filesystem::path& tmp) {
    TraceWriter::create(tmp, experiment, instances, outcomes).close();
  });
  return env.warnings;
}

}  // namespace detail

RunResult run_experiment(const RunSettings& settings, const WorkloadFactory& make,
                         const std::function<void(const RunProgress&)>& progress) {
  detail::check_settings(settings);
  detail::pin_to(settings.pin_cpus);
  // The output is checked before the workload is loaded, which may take long.
  const std::filesystem::path path = detail::new_trace_path(settings);
  std::vector<Workload> workloads = detail::make_workloads(settings, make);
  std::vector<std::string> warnings = detail::create_trace(settings, workloads.front(), path, "{}");
  detail::Session s(settings, std::move(workloads), path);
  detail::start_session(s, std::move(warnings));
  return detail::run_rounds(s, detail::stop_flag(), progress);
}

}  // namespace tailq
