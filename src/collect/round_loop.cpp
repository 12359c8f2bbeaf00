// The round loop of `tailq run`: per offered load, warm-up rounds, then measured rounds until
// the time distribution has converged (rJSD, METHOD.md 4a) or a limit is reached. Every round is
// written to the trace in one transaction after it ends; a stop request abandons only the round
// in flight.
#include <algorithm>
#include <chrono>

#include "collect/measure.hpp"
#include "collect/round_driver.hpp"
#include "collect/session.hpp"
#include "tailq/error.hpp"
#include "tailq/stats.hpp"

namespace tailq::detail {

using Clock = std::chrono::steady_clock;

std::vector<std::optional<double>> load_levels(const RunSettings& s) {
  switch (s.load.scenario) {
    case Scenario::server:
      return {s.load.qps.begin(), s.load.qps.end()};
    case Scenario::multi_stream:
      return {static_cast<double>(s.load.queries_per_interval) / s.load.interval_s};
    default:
      return {std::nullopt};
  }
}

namespace {

bool level_done(const Session& s) {
  return (s.inference.converged() && s.total.converged()) || s.measured >= s.settings.max_rounds;
}

std::unique_ptr<RoundDriver> make_driver(Session& s, std::optional<double> qps,
                                         const std::atomic<bool>& stop) {
  if (s.settings.load.scenario == Scenario::single_stream) {
    return make_single_stream_driver(s.workloads.front(), s.settings, stop);
  }
  std::vector<Workload*> workers;
  for (Workload& w : s.workloads) workers.push_back(&w);
  const std::size_t rounds = s.settings.warmup_rounds + (s.settings.max_rounds - s.measured);
  return make_load_driver(std::move(workers), s.settings, qps, s.next_index, rounds, stop);
}

}  // namespace

RunResult run_rounds(Session& s, const std::atomic<bool>& stop,
                     const std::function<void(const RunProgress&)>& progress) {
  const Dataset& dataset = *s.workloads.front().dataset;
  const std::size_t n = dataset.size();
  const std::size_t classes = dataset.classes().size();
  const auto levels = load_levels(s.settings);
  RoundRecord record;
  std::vector<double> issue_delays;
  RunResult result;
  result.trace = s.path;
  result.warnings = s.warnings;
  const auto started = Clock::now();
  std::size_t rounds_here = 0;
  bool all_converged = true;
  bool stopped = false;

  for (; s.level < levels.size() && !stopped; ++s.level) {
    if (level_done(s)) {
      all_converged = all_converged && s.inference.converged() && s.total.converged();
    } else {
      const auto driver = make_driver(s, levels[s.level], stop);
      for (std::size_t warm = 0;; ++warm) {
        const bool warmup = warm < s.settings.warmup_rounds;
        if (!warmup) {
          if (level_done(s)) {
            all_converged = all_converged && s.inference.converged() && s.total.converged();
            break;
          }
          const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
          if (s.settings.max_duration_s > 0 && elapsed >= s.settings.max_duration_s) {
            result.stop = RunResult::Stop::max_duration;
            stopped = true;
            break;
          }
        }
        if (!driver->next_round(s.next_index, record)) {
          result.stop = RunResult::Stop::interrupted;
          stopped = true;
          break;
        }
        // FNV-1a over every instance's top classes (or text, each ended by a 0), in instance
        // order.
        std::uint64_t hash = 0xcbf29ce484222325ull;
        const bool text = !record.texts.empty();
        if (text) {
          for (const std::string& answer : record.texts) {
            for (char c : answer) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
            hash *= 0x100000001b3ull;
          }
        } else {
          for (std::uint16_t c : record.top) hash = (hash ^ c) * 0x100000001b3ull;
        }
        std::vector<std::string> predictions;
        if (!warmup && !s.have_predictions && text) {
          predictions = record.texts;
        } else if (!warmup && !s.have_predictions) {
          const std::size_t k = std::min(kTopK, classes);
          predictions.resize(n);
          for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < k; ++j) {
              predictions[i] += (j ? " " : "") + dataset.classes()[record.top[i * kTopK + j]];
            }
          }
        }
        try {
          s.writer.append_round(
              {s.next_index, warmup, record.started_unix_s, hash, levels[s.level]},
              record.inference_s, record.total_s, {predictions, {}, record.timings});
        } catch (const StoreError& e) {
          throw StoreError(std::string(e.what()) + "; the rounds before it are intact, and " +
                           "tailq run --resume " + s.path.string() +
                           " continues once the cause (e.g. a full disk) is fixed");
        }
        ++s.next_index;
        ++rounds_here;
        RunProgress p;
        p.warmup = warmup;
        p.offered_qps = levels[s.level];
        if (!warmup) {
          s.have_predictions = true;
          ++s.measured;
          ++s.measured_all;
          s.inference.add_round(record.inference_s);
          s.total.add_round(record.total_s);
          for (const QueryTiming& t : record.timings) {
            issue_delays.push_back(t.issued_s - t.scheduled_s);
          }
        }
        p.round = s.measured;
        p.elapsed_s = std::chrono::duration<double>(Clock::now() - started).count();
        p.rounds_per_s = static_cast<double>(rounds_here) / std::max(p.elapsed_s, 1e-9);
        if (!s.inference.series().empty()) p.rjsd_inference = s.inference.series().back().rjsd;
        if (!s.total.series().empty()) p.rjsd_total = s.total.series().back().rjsd;
        if (progress) progress(p);
      }
    }
    if (!stopped && s.level + 1 < levels.size()) {  // the next load starts afresh
      s.inference = RjsdMonitor(s.settings.convergence);
      s.total = RjsdMonitor(s.settings.convergence);
      s.measured = 0;
    }
  }
  if (!stopped) {
    result.stop = all_converged ? RunResult::Stop::converged : RunResult::Stop::max_rounds;
  }
  s.writer.close();
  result.measured_rounds = s.measured_all;
  result.converged = !stopped && all_converged;
  if (!issue_delays.empty()) {
    std::sort(issue_delays.begin(), issue_delays.end());
    result.jitter = SchedulerJitter{issue_delays.size(), percentile_sorted(issue_delays, 50),
                                    percentile_sorted(issue_delays, 99), issue_delays.back()};
  }
  return result;
}

}  // namespace tailq::detail
