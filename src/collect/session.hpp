// The round loop of `tailq run` and what it carries between rounds, shared by a new run and a
// resumed one (harness.cpp).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "collect/round_driver.hpp"
#include "tailq/convergence.hpp"
#include "tailq/run.hpp"
#include "tailq/run_options.hpp"
#include "tailq/trace.hpp"

namespace tailq::detail {

// The offered load of each series of rounds: one per --qps value for server, K / interval for
// multi-stream, none for single-stream and offline.
std::vector<std::optional<double>> load_levels(const RunSettings& s);

struct Session {
  RunSettings settings;
  std::vector<Workload> workloads;  // one per worker; [0] describes the experiment
  std::filesystem::path path;
  TraceWriter writer;
  RjsdMonitor inference, total;  // of the current load level
  std::size_t level = 0;         // index into load_levels()
  std::int64_t next_index = 0;
  std::size_t measured = 0;                    // at the current level
  std::size_t measured_all = 0;                // at every level
  std::optional<PrecisionEstimate> precision;  // the precision rule's last look at this level
  bool have_predictions = false;
  // The answers stored, and the instances among them that no measured round has answered yet
  // (empty once every instance has an answer); this process's rounds only.
  std::vector<std::string> stored_answers;
  std::vector<std::uint8_t> unanswered;
  std::vector<std::string> warnings;
  // The node this process's rounds are tagged with, in a trace whose rounds carry their node
  // (docs/multi-node.md); none in a trace measured in one place.
  std::optional<std::uint32_t> node;

  // Opens the (already created) trace for appending, with fresh convergence monitors.
  Session(const RunSettings& s, std::vector<Workload> w, const std::filesystem::path& p)
      : settings(s),
        workloads(std::move(w)),
        path(p),
        writer(TraceWriter::open_existing(p)),
        inference(s.convergence),
        total(s.convergence) {}
};

// Applies options given as text to `s` (tailq/run_options.hpp). When resuming the trace named
// by `resumed_trace`, identity options are compared with `s` (the trace's) instead of set.
void apply_options(RunSettings& s, const GivenOptions& given, const std::string& resumed_trace);
// Refuses settings that do not go together (OptionError naming one of them).
void check_settings(const RunSettings& s);
// The workloads of a run: one, or one per worker of a load scenario.
std::vector<Workload> make_workloads(const RunSettings& s, const WorkloadFactory& make);
// Where a new experiment's trace goes (the default name when none is given), checked before the
// workload is loaded, which may take long: InputError when it exists or cannot be written.
std::filesystem::path new_trace_path(const RunSettings& settings);
// Writes the empty trace of a new experiment measured by `workload` at `path`, whole or not at
// all, with `extra_json` as the experiment's extra JSON. Returns the environment's warnings.
std::vector<std::string> create_trace(const RunSettings& settings, const Workload& workload,
                                      const std::filesystem::path& path,
                                      const std::string& extra_json);
// Runs this process on `cpus` (all when empty).
void pin_to(const std::vector<int>& cpus);
// Before the first round: the environment's and the load's warnings, a cleared stop request.
void start_session(Session& s, std::vector<std::string> environment_warnings);
// Set by request_stop() (a signal handler).
const std::atomic<bool>& stop_flag();

// Whether the current level has met its stop rule (not its limits).
bool level_met(const Session& s);
// The precision rule's look at the stored rounds of the current level (tailq/precision.hpp).
PrecisionEstimate look_at_precision(const Session& s);

// Warm-up rounds, then measured rounds until every load has converged or reached its limits;
// each round is stored in one transaction when it ends. Stops early when `stop` is set.
RunResult run_rounds(Session& s, const std::atomic<bool>& stop,
                     const std::function<void(const RunProgress&)>& progress);

// Resuming (resume.cpp): the settings from the trace's record of them (its settings_json) and
// `given` (checked), the refusal of a workload that is not the trace's, and the loop's state
// rebuilt from the stored rounds.
RunSettings resumed_settings(const std::string& settings_json, const std::filesystem::path& trace,
                             const GivenOptions& given);
void check_resumed_workload(const TraceReader& trace, const Workload& workload);
void restore_session(Session& session, const TraceReader& trace);

// The node in the trace's node list of each rank r on hosts[r], as (host, "rank r"); the list
// gains those not in it yet, stored at once through `writer` (docs/multi-node.md). A trace
// without a list gets one whose node 0 is its system's host as "rank 0": the rounds it has
// were measured there. Refuses a merged trace and one of schema version 2 (InputError).
std::vector<std::uint32_t> join_nodes(TraceWriter& writer, const TraceReader& trace,
                                      std::span<const std::string> hosts);

// The pieces of run_rounds that an MPI job's loop (rank_loop.cpp) shares.
// What a run reports from its start: the trace, the settings and the set-up's warnings.
RunResult start_result(const Session& s);
// Seconds since the loop started: what the round limit in seconds counts.
class LoopClock {
 public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }

 private:
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};
// Whether the current level has met its stop rule or its round limit.
bool level_done(const Session& s);
// A hash of the round's answers, and the answers as the metric scores them.
std::uint64_t output_hash(const RoundRecord& record);
std::vector<std::string> predictions_of(const RoundRecord& record, const Dataset& dataset);
// Stores `record` as round s.next_index in one transaction, with `predictions` (the answers kept
// with the first measured round; empty: none) and, with a `node`, its node and end time.
void store_round(Session& s, const RoundRecord& record, bool warmup,
                 std::optional<double> offered_qps, std::uint64_t hash,
                 std::span<const std::string> predictions, std::optional<std::uint32_t> node);
// A stored measured round moves the stop rule on. With `defer_look`, a look of the precision
// rule that is due is left to the caller (after it commits the rounds the look must see):
// returns whether one is due.
bool count_measured(Session& s, const RoundRecord& record, bool defer_look = false);
// What a progress callback is told after a round: where the run and its stop rule stand.
RunProgress progress_after_round(const Session& s, bool warmup, std::optional<double> offered_qps,
                                 std::size_t rounds_here, double elapsed_s);
// The round driver of one level: `rounds` bounds what a load generator issues; `first_index`
// numbers its rounds (and picks its arrival stream and shuffles).
std::unique_ptr<RoundDriver> make_driver(const RunSettings& settings,
                                         std::vector<Workload>& workloads,
                                         std::optional<double> qps, std::int64_t first_index,
                                         std::size_t rounds, const std::atomic<bool>& stop);
// The end of a level: the final precision look, whether it met its rule, and a fresh start for
// the next load.
void close_level(Session& s, RunResult& result, bool stopped, bool& all_met, std::size_t levels);
// The end of the run: why it stopped, the trace closed, the counts and the scheduler's jitter.
void close_run(Session& s, RunResult& result, std::size_t rounds_stored,
               std::vector<double>& issue_delays, bool stopped, bool all_met);

}  // namespace tailq::detail
