// Continuing an interrupted `tailq run` (tailq/run_options.hpp): the options recorded in the
// trace say what was measured; the given ones may change when to stop, and must otherwise
// agree with the trace. The stop rule's state is rebuilt from the stored rounds.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "collect/environment.hpp"
#include "collect/session.hpp"
#include "tailq/error.hpp"
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

// The settings the trace was started with.
RunSettings recorded_settings(const TraceReader& trace, ordered_json& record) {
  const std::string where = trace.path().string() + ": ";
  try {
    record = ordered_json::parse(trace.experiment().settings_json);
    if (!record.is_object() || !record.contains("workload")) throw std::runtime_error("no workload");
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
      throw InputError(where + "its recorded " + std::string(o.key) + " is unusable (" +
                       e.what() + "); cannot resume");
    }
  }
  return s;
}

}  // namespace

RunResult resume_experiment(const std::filesystem::path& trace_path, const GivenOptions& given,
                            const std::function<void(const RunProgress&)>& progress) {
  // The reader goes before the run: an open read of this process would keep the writer from
  // folding the trace back into one file at the end.
  std::optional<TraceReader> reader(std::in_place, trace_path);
  const TraceReader& trace = *reader;
  ordered_json record;
  RunSettings s = recorded_settings(trace, record);
  detail::apply_options(s, given, trace_path.string());
  s.output = trace_path;
  detail::check_settings(s);
  detail::pin_to(s.pin_cpus);
  std::vector<Workload> workloads;
  const unsigned count = s.load.scenario == Scenario::single_stream ? 1 : s.load.workers;
  for (unsigned r = 0; r < count; ++r) workloads.push_back(make_workload(s, r));
  const Workload& workload = workloads.front();
  if (!record.contains("model_fingerprint") || !record["model_fingerprint"].is_string() ||
      std::to_string(workload.model_fingerprint) != record["model_fingerprint"].get<std::string>()) {
    throw InputError(trace_path.string() + ": the model file " + workload.model +
                     " changed since the experiment started");
  }
  if (workload.dataset->size() != trace.instances().size()) {
    throw InputError(trace_path.string() + ": the dataset has " +
                     std::to_string(workload.dataset->size()) + " instances, the trace " +
                     std::to_string(trace.instances().size()));
  }
  detail::Session session(s, std::move(workloads), trace_path);
  // Carry on at the load of the last stored round, with the stop rule's state rebuilt.
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
  detail::start_session(session, detail::capture_environment(
                                     workload.backend->description(), s.threads, s.pin_cpus)
                                     .warnings);
  reader.reset();
  if (s.stop == StopRule::precision && session.measured > 0) {
    session.precision = detail::look_at_precision(session);
  }
  return detail::run_rounds(session, detail::stop_flag(), progress);
}

}  // namespace tailq
