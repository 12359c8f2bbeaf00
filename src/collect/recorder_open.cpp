// Opening a Recorder: a new trace (created whole or not at all, as `tailq run` does) or one
// that an earlier process recorded into (its convergence state rebuilt from the stored rounds).
#include <nlohmann/json.hpp>
#include <set>

#include "collect/environment.hpp"
#include "collect/recorder_state.hpp"
#include "tailq/error.hpp"
#include "tailq/metric.hpp"
#include "tailq/round_source.hpp"

namespace tailq {

using nlohmann::ordered_json;

namespace {

// Batch sizes of a dense layout 0..B-1 in which every batch has an instance.
std::vector<std::uint32_t> batch_sizes_of(std::span<const std::uint32_t> batch_of) {
  std::vector<std::uint32_t> sizes;
  for (std::uint32_t b : batch_of) {
    if (b >= batch_of.size()) {
      throw InputError("batch " + std::to_string(b) + " of " + std::to_string(batch_of.size()) +
                       " instances: batches must be numbered 0..B-1");
    }
    if (b >= sizes.size()) sizes.resize(b + 1, 0);
    ++sizes[b];
  }
  for (std::size_t b = 0; b < sizes.size(); ++b) {
    if (sizes[b] == 0) throw InputError("batch " + std::to_string(b) + " has no instance");
  }
  return sizes;
}

ordered_json settings_json(bool fixed, std::size_t warmup, const ConvergenceSettings& c) {
  return {{"collector", "recorder"},  {"batch_layout", fixed ? "fixed" : "per_instance"},
          {"warmup_rounds", warmup},  {"tau", c.tau},
          {"fit_every", c.fit_every}, {"window", c.window}};
}

}  // namespace

Recorder Recorder::create(const RecorderOptions& o) {
  const std::size_t n = o.instance_names.size();
  if (n == 0) throw InputError("a recorder needs at least one instance");
  if (n > UINT32_MAX) throw InputError("too many instances");
  std::set<std::string_view> unique;
  for (const std::string& name : o.instance_names) {
    if (!unique.insert(name).second)
      throw InputError("instance name '" + name + "' is given twice");
  }
  if (!o.input_sizes.empty() && o.input_sizes.size() != n) {
    throw InputError("input sizes: " + std::to_string(o.input_sizes.size()) + " for " +
                     std::to_string(n) + " instances");
  }
  Outcomes outcomes = o.outcomes;
  const bool classification = outcomes.kind == Outcomes::Kind::classification;
  if (classification) {
    if (outcomes.labels.size() != n) {
      throw InputError("labels: " + std::to_string(outcomes.labels.size()) + " for " +
                       std::to_string(n) + " instances");
    }
    if (outcomes.predictions.empty()) outcomes.predictions.resize(n);
    if (outcomes.predictions.size() != n) throw InputError("predictions: one per instance");
  } else {
    if (outcomes.scores.empty()) outcomes.scores.resize(n, 0.0);
    if (outcomes.scores.size() != n) throw InputError("scores: one per instance");
    for (double s : outcomes.scores) {
      if (!(s >= 0 && s <= 1)) throw InputError("score " + std::to_string(s) + " is not in [0, 1]");
    }
  }
  const bool fixed = !o.batch_of_instance.empty();
  if (fixed && o.batch_of_instance.size() != n) {
    throw InputError("batch layout: " + std::to_string(o.batch_of_instance.size()) +
                     " entries for " + std::to_string(n) + " instances");
  }
  auto impl = std::make_unique<Impl>(o.convergence);  // checks the convergence settings
  Impl& d = *impl;
  d.path = o.path;
  d.kind = outcomes.kind;
  d.names = o.instance_names;
  d.warmup_rounds = o.warmup_rounds;
  if (fixed) {
    d.batch_sizes = batch_sizes_of(o.batch_of_instance);
    d.batch_of = o.batch_of_instance;
  }
  std::vector<Instance> instances(n);
  for (std::size_t i = 0; i < n; ++i) {
    instances[i].name = o.instance_names[i];
    instances[i].batch = fixed ? o.batch_of_instance[i] : static_cast<std::uint32_t>(i);
    if (!o.input_sizes.empty()) instances[i].input_size = o.input_sizes[i];
  }
  Experiment experiment = o.experiment;
  if (experiment.metric.empty()) experiment.metric = default_metric(outcomes.kind);
  make_metric(experiment.metric, outcomes);  // an unknown metric fails now, not at analysis
  const detail::Environment env = detail::capture_environment(experiment.backend, 0, {});
  experiment.system_json = env.json;
  experiment.settings_json = settings_json(fixed, o.warmup_rounds, o.convergence).dump();
  d.warnings = env.warnings;
  if (o.path.has_parent_path()) std::filesystem::create_directories(o.path.parent_path());
  write_trace_atomically(o.path, o.overwrite, [&](const std::filesystem::path& tmp) {
    TraceWriter::create(tmp, experiment, instances, outcomes).close();
  });
  d.writer.emplace(TraceWriter::open_existing(o.path));
  d.size_round_arrays();
  return Recorder(std::move(impl));
}

Recorder Recorder::resume(const std::filesystem::path& path, const RecorderResumeOptions& o) {
  auto impl = std::make_unique<Impl>(o.convergence);
  Impl& d = *impl;
  d.path = path;
  d.warmup_rounds = o.warmup_rounds;
  {
    // Read first, then write: an open read would keep the writer from folding the trace back
    // into one file when it closes.
    const TraceReader trace(path);
    ordered_json stored;
    try {
      stored = ordered_json::parse(trace.experiment().settings_json);
    } catch (const std::exception&) {
    }
    if (!stored.is_object() || stored.value("collector", "") != "recorder") {
      throw InputError(path.string() + ": not a trace written by a recorder; cannot resume");
    }
    for (const Instance& instance : trace.instances()) d.names.push_back(instance.name);
    d.kind = trace.outcomes().kind;
    if (stored.value("batch_layout", "") == "fixed") {
      d.batch_of.assign(trace.batch_of_instance().begin(), trace.batch_of_instance().end());
      d.batch_sizes = batch_sizes_of(d.batch_of);
    }
    std::vector<double> times(trace.batch_count());
    for (std::int64_t round : tailq::measured_rounds(trace)) {
      trace.read_times(round, TimeKind::inference, times);
      d.inference_monitor.add_round(times);
      trace.read_times(round, TimeKind::total, times);
      d.total_monitor.add_round(times);
      ++d.measured;
    }
    for (const RoundInfo& round : trace.rounds()) {
      d.have_outputs = d.have_outputs || (!round.warmup && round.output_hash);
    }
    d.next_index = trace.rounds().empty() ? 0 : trace.rounds().back().index + 1;
  }
  d.warnings = detail::capture_environment("", 0, {}).warnings;
  d.writer.emplace(TraceWriter::open_existing(path));
  d.size_round_arrays();
  return Recorder(std::move(impl));
}

}  // namespace tailq
