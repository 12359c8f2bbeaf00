// Continuing an interrupted `tailq run` (tailq/run_options.hpp): the options recorded in the
// trace say what was measured; the given ones may change when to stop, and must otherwise
// agree with the trace. The stop rule's state is rebuilt from the stored rounds.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "collect/environment.hpp"
#include "collect/session.hpp"
#include "tailq/error.hpp"
#include "tailq/merge.hpp"
#include "tailq/options.hpp"
#include "tailq/run.hpp"
#include "tailq/run_options.hpp"
#include "tailq/trace.hpp"

namespace tailq {
namespace {

using nlohmann::ordered_json;

// A recorded value as option text. Traces of earlier versions recorded typed values (numbers,
// lists, true/false, null); later ones record the text itself.
std::string as_text(const ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (value.is_number()) return fmt_number(value.get<double>());
  if (value.is_array()) {
    std::string text;
    for (const auto& item : value) text += (text.empty() ? "" : ",") + as_text(item);
    return text;
  }
  throw std::runtime_error("a value of the wrong shape");
}

// The settings the trace was started with, from its record of them.
RunSettings recorded_settings(const std::string& settings_json, const std::string& where) {
  ordered_json record;
  try {
    record = ordered_json::parse(settings_json);
    if (!record.is_object() || !record.contains("workload"))
      throw std::runtime_error("no workload");
  } catch (const std::exception& e) {
    throw InputError(where + "not a trace written by tailq run (its settings: " + e.what() +
                     "); cannot resume");
  }
  RunSettings s;
  for (const RunOption& o : run_options()) {
    if (o.role != RunOption::Role::identity || !record.contains(std::string(o.key))) continue;
    try {
      set_run_option(s, o.key, as_text(record[std::string(o.key)]));
    } catch (const std::exception& e) {
      throw InputError(where + "its recorded " + std::string(o.key) + " is unusable (" + e.what() +
                       "); cannot resume");
    }
  }
  return s;
}

}  // namespace

namespace detail {

RunSettings resumed_settings(const std::string& settings_json, const std::filesystem::path& trace,
                             const GivenOptions& given) {
  RunSettings s = recorded_settings(settings_json, trace.string() + ": ");
  apply_options(s, given, trace.string());
  s.output = trace;
  check_settings(s);
  return s;
}

void check_resumed_workload(const TraceReader& trace, const Workload& workload) {
  const std::string path = trace.path().string();
  const ordered_json record =
      ordered_json::parse(trace.experiment().settings_json, nullptr, /*allow_exceptions=*/false);
  if (!record.is_object() || !record.contains("model_fingerprint") ||
      !record["model_fingerprint"].is_string() ||
      std::to_string(workload.model_fingerprint) !=
          record["model_fingerprint"].get<std::string>()) {
    throw InputError(path + ": the model file " + workload.model +
                     " changed since the experiment started");
  }
  if (workload.dataset->size() != trace.instances().size()) {
    throw InputError(path + ": the dataset has " + std::to_string(workload.dataset->size()) +
                     " instances, the trace " + std::to_string(trace.instances().size()));
  }
}

void restore_session(Session& session, const TraceReader& trace) {
  const RunSettings& s = session.settings;
  // Carry on at the load of the last stored round, with the stop rule's state rebuilt.
  const auto levels = load_levels(s);
  if (!trace.rounds().empty()) {
    const auto at = std::find(levels.begin(), levels.end(), trace.rounds().back().offered_qps);
    if (at == levels.end()) {
      throw InputError(trace.path().string() +
                       ": its last round ran at a load not in its settings");
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
  // A classifier's empty answer is an instance that no round has answered yet (a remote
  // server's failures): the next round that answers it fills it in.
  const Outcomes& outcomes = trace.outcomes();
  if (session.have_predictions && outcomes.kind == Outcomes::Kind::classification &&
      std::any_of(outcomes.predictions.begin(), outcomes.predictions.end(),
                  [](const std::string& p) { return p.empty(); })) {
    session.stored_answers = outcomes.predictions;
    session.unanswered.resize(outcomes.predictions.size());
    for (std::size_t i = 0; i < outcomes.predictions.size(); ++i) {
      session.unanswered[i] = outcomes.predictions[i].empty();
    }
  }
  session.next_index = trace.rounds().empty() ? 0 : trace.rounds().back().index + 1;
}

}  // namespace detail

RunResult resume_experiment(const std::filesystem::path& trace_path, const GivenOptions& given,
                            const std::function<void(const RunProgress&)>& progress) {
  // The reader goes before the run: an open read of this process would keep the writer from
  // folding the trace back into one file at the end.
  std::optional<TraceReader> reader(std::in_place, trace_path);
  const TraceReader& trace = *reader;
  RunSettings s = detail::resumed_settings(trace.experiment().settings_json, trace_path, given);
  detail::pin_to(s.pin_cpus);
  std::vector<Workload> workloads;
  const unsigned count = s.load.scenario == Scenario::single_stream ? 1 : s.load.workers;
  for (unsigned r = 0; r < count; ++r) workloads.push_back(make_workload(s, r));
  const Workload& workload = workloads.front();
  detail::check_resumed_workload(trace, workload);
  detail::Session session(s, std::move(workloads), trace_path);
  detail::restore_session(session, trace);
  // A trace whose rounds carry their node (an MPI job's) keeps doing so: this process is rank 0
  // of a job of one.
  if (const auto map = read_node_map(trace.experiment().extra_json, trace_path.string());
      map && map->tagged) {
    const std::string host = detail::host_name();
    session.node = detail::join_nodes(session.writer, trace, {&host, 1}).front();
  }
  // A new process starts cold: warm it up again (those rounds are stored as warm-up too).
  detail::start_session(
      session,
      detail::capture_environment(workload.backend->description(), s.threads, s.pin_cpus).warnings);
  reader.reset();
  if (s.stop == StopRule::precision && session.measured > 0) {
    session.precision = detail::look_at_precision(session);
  }
  return detail::run_rounds(session, detail::stop_flag(), progress);
}

}  // namespace tailq
