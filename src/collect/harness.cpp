// The round loop of `tailq run`: warm-up rounds, then measured rounds until the time
// distribution has converged (rJSD, METHOD.md 4a) or a limit is reached. Every round is written
// to the trace in one transaction after it ends; a stop request abandons only the round in
// flight.
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <pcg_random.hpp>

#include "collect/environment.hpp"
#include "collect/measure.hpp"
#include "tailq/error.hpp"
#include "tailq/metric.hpp"
#include "tailq/round_source.hpp"
#include "tailq/run.hpp"
#include "tailq/trace.hpp"

namespace tailq {
namespace {

using nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "request_stop runs in a signal handler");

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

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
  j["ocr_lines"] = s.ocr_lines;
  j["ocr_seed"] = s.ocr_seed;
  j["ocr_degrade"] = s.ocr_degrade;
  return j;
}

struct Session {
  RunSettings settings;
  Workload workload;
  std::filesystem::path path;
  TraceWriter writer;
  RjsdMonitor inference, total;
  std::int64_t next_index = 0;
  std::size_t measured = 0;
  bool have_predictions = false;
  std::vector<std::string> warnings;
};

// Trace batches: the executed batches when the order never changes; one per instance when it
// does (a batch's members then change from round to round).
bool per_instance_batches(const RunSettings& s) { return s.shuffle_seed.has_value(); }

RunResult run_rounds(Session& s, const std::function<void(const RunProgress&)>& progress) {
  Dataset& dataset = *s.workload.dataset;
  Backend& backend = *s.workload.backend;
  const std::size_t n = dataset.size();
  const std::size_t classes = dataset.classes().size();
  detail::RoundBuffers buffers(dataset, s.settings.batch_size, classes);
  std::vector<std::uint32_t> order(n);
  std::vector<double> inference(s.writer.batch_count()), total(s.writer.batch_count());
  RunResult result;
  result.trace = s.path;
  result.warnings = s.warnings;
  const auto started = Clock::now();
  std::size_t rounds_here = 0;
  g_stop = false;

  for (std::size_t warm = 0;; ++warm) {
    const bool warmup = warm < s.settings.warmup_rounds;
    if (!warmup) {
      if (s.inference.converged() && s.total.converged()) {
        result.stop = RunResult::Stop::converged;
        break;
      }
      if (s.measured >= s.settings.max_rounds) {
        result.stop = RunResult::Stop::max_rounds;
        break;
      }
      const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
      if (s.settings.max_duration_s > 0 && elapsed >= s.settings.max_duration_s) {
        result.stop = RunResult::Stop::max_duration;
        break;
      }
    }
    std::iota(order.begin(), order.end(), 0u);
    if (s.settings.shuffle_seed) {
      pcg32 rng(*s.settings.shuffle_seed, static_cast<std::uint64_t>(s.next_index));
      std::shuffle(order.begin(), order.end(), rng);
    }
    const double round_started = unix_now();
    if (!detail::measure_round(dataset, backend, order, s.settings.batch_size, buffers, g_stop)) {
      result.stop = RunResult::Stop::interrupted;
      break;
    }
    if (per_instance_batches(s.settings)) {
      for (std::size_t j = 0; j < n; ++j) {
        inference[order[j]] = buffers.inference_s[j / s.settings.batch_size];
        total[order[j]] = buffers.total_s[j / s.settings.batch_size];
      }
    } else {
      inference = buffers.inference_s;
      total = buffers.total_s;
    }
    // FNV-1a over every instance's top classes (or text, each ended by a 0), in instance order.
    std::uint64_t hash = 0xcbf29ce484222325ull;
    const bool text = !buffers.texts.empty();
    if (text) {
      for (const std::string& answer : buffers.texts) {
        for (char c : answer) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
        hash *= 0x100000001b3ull;
      }
    } else {
      for (std::uint16_t c : buffers.top) hash = (hash ^ c) * 0x100000001b3ull;
    }
    std::vector<std::string> predictions;
    if (!warmup && !s.have_predictions && text) {
      predictions = buffers.texts;
    } else if (!warmup && !s.have_predictions) {
      const std::size_t k = std::min(detail::kTopK, classes);
      predictions.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < k; ++j) {
          predictions[i] += (j ? " " : "") + dataset.classes()[buffers.top[i * detail::kTopK + j]];
        }
      }
    }
    s.writer.append_round({s.next_index, warmup, round_started, hash}, inference, total,
                          predictions);
    ++s.next_index;
    ++rounds_here;
    RunProgress p;
    p.warmup = warmup;
    if (!warmup) {
      s.have_predictions = true;
      ++s.measured;
      s.inference.add_round(inference);
      s.total.add_round(total);
    }
    p.round = s.measured;
    p.elapsed_s = std::chrono::duration<double>(Clock::now() - started).count();
    p.rounds_per_s = static_cast<double>(rounds_here) / std::max(p.elapsed_s, 1e-9);
    if (!s.inference.series().empty()) p.rjsd_inference = s.inference.series().back().rjsd;
    if (!s.total.series().empty()) p.rjsd_total = s.total.series().back().rjsd;
    if (progress) progress(p);
  }
  s.writer.close();
  result.measured_rounds = s.measured;
  result.converged = s.inference.converged() && s.total.converged();
  return result;
}

}  // namespace

void request_stop() { g_stop.store(true, std::memory_order_relaxed); }

RunResult run_experiment(const RunSettings& settings,
                         const std::function<void(const RunProgress&)>& progress) {
  if (settings.batch_size == 0) throw InputError("--batch-size must be positive");
  pin_to(settings.pin_cpus);
  Workload workload = make_workload(settings);
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
    instances[i].batch =
        static_cast<std::uint32_t>(per_instance_batches(settings) ? i : i / settings.batch_size);
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
  Session s{settings,
            std::move(workload),
            path,
            TraceWriter::open_existing(path),
            RjsdMonitor(settings.convergence),
            RjsdMonitor(settings.convergence)};
  s.warnings = env.warnings;
  return run_rounds(s, progress);
}

RunResult resume_experiment(const std::filesystem::path& trace_path, const RunSettings& cli,
                            const std::vector<std::string>& explicitly_set,
                            const std::function<void(const RunProgress&)>& progress) {
  // The reader goes before the run: an open read of this process would keep the writer from
  // folding the trace back into one file at the end.
  std::optional<TraceReader> reader(std::in_place, trace_path);
  const TraceReader& trace = *reader;
  ordered_json stored;
  try {
    stored = ordered_json::parse(trace.experiment().settings_json);
    if (!stored.contains("workload")) throw std::runtime_error("no workload");
  } catch (const std::exception&) {
    throw InputError(trace_path.string() + ": not a trace written by tailq run; cannot resume");
  }
  RunSettings s = cli;  // stopping rules and convergence settings come from the command line
  s.workload = stored["workload"].get<std::string>();
  s.batch_size = stored["batch_size"].get<std::size_t>();
  s.threads = stored["threads"].get<unsigned>();
  s.pin_cpus = stored["pin_cpus"].get<std::vector<int>>();
  s.warmup_rounds = stored["warmup_rounds"].get<std::size_t>();
  s.shuffle_seed = stored["shuffle_seed"].is_null()
                       ? std::nullopt
                       : std::optional<std::uint64_t>(stored["shuffle_seed"].get<std::uint64_t>());
  s.model = stored["model"].get<std::string>();
  s.data = stored["data"].get<std::string>();
  s.sleep_instances = stored["sleep_instances"].get<std::size_t>();
  s.sleep_distribution = stored["sleep_distribution"].get<std::string>();
  s.sleep_seed = stored["sleep_seed"].get<std::uint64_t>();
  s.sleep_model = stored["sleep_model"].get<std::string>();
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
  check("--lines", cli.ocr_lines, s.ocr_lines);
  check("--ocr-seed", cli.ocr_seed, s.ocr_seed);
  check("--degrade", cli.ocr_degrade, s.ocr_degrade);

  pin_to(s.pin_cpus);
  Workload workload = make_workload(s);
  if (std::to_string(workload.model_fingerprint) !=
      stored["model_fingerprint"].get<std::string>()) {
    throw InputError(trace_path.string() + ": the model file " + workload.model +
                     " changed since the experiment started");
  }
  if (workload.dataset->size() != trace.instances().size()) {
    throw InputError(trace_path.string() + ": the dataset has " +
                     std::to_string(workload.dataset->size()) + " instances, the trace " +
                     std::to_string(trace.instances().size()));
  }
  Session session{s,
                  std::move(workload),
                  trace_path,
                  TraceWriter::open_existing(trace_path),
                  RjsdMonitor(s.convergence),
                  RjsdMonitor(s.convergence)};
  // Rebuild the convergence state from the stored rounds.
  std::vector<double> times(trace.batch_count());
  for (std::int64_t round : measured_rounds(trace)) {
    trace.read_times(round, TimeKind::inference, times);
    session.inference.add_round(times);
    trace.read_times(round, TimeKind::total, times);
    session.total.add_round(times);
    ++session.measured;
  }
  session.have_predictions = session.measured > 0;
  session.next_index = trace.rounds().empty() ? 0 : trace.rounds().back().index + 1;
  // A new process starts cold: warm it up again (those rounds are stored as warm-up too).
  const detail::Environment env =
      detail::capture_environment(session.workload.backend->description(), s.threads, s.pin_cpus);
  session.warnings = env.warnings;
  reader.reset();
  return run_rounds(session, progress);
}

}  // namespace tailq
