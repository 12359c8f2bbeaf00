// The round loop of `tailq run` and what it carries between rounds, shared by a new run and a
// resumed one (harness.cpp).
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

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
  std::size_t measured = 0;      // at the current level
  std::size_t measured_all = 0;  // at every level
  std::optional<PrecisionEstimate> precision;  // the precision rule's last look at this level
  bool have_predictions = false;
  std::vector<std::string> warnings;

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

}  // namespace tailq::detail
