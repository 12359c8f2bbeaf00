// The round loop of `tailq run`: per offered load, warm-up rounds, then measured rounds until
// the stop rule is met (the precision rule, docs/precision.md, or rJSD, docs/method.md) or a
// limit is reached. Every round is written to the trace in one transaction after it ends; a stop
// request abandons only the round in flight.
#include <algorithm>
#include <chrono>

#include "collect/measure.hpp"
#include "collect/round_driver.hpp"
#include "collect/session.hpp"
#include "tailq/analysis.hpp"
#include "tailq/error.hpp"
#include "tailq/stats.hpp"

namespace tailq::detail {

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

bool level_met(const Session& s) {
  if (s.settings.stop == StopRule::rjsd) return s.inference.converged() && s.total.converged();
  return s.precision && s.precision->met;
}

PrecisionEstimate look_at_precision(const Session& s) {
  const TraceReader trace(s.path);
  TraceAnalysisOptions options;
  options.time = s.settings.precision.time;
  options.request.thresholds = parse_thresholds(s.settings.precision.thresholds);
  // One thread: the look runs between two rounds, and more would only disturb the next one.
  options.request.threads = 1;
  options.offered_qps = load_levels(s.settings)[s.level];
  options.precision = s.settings.precision.goal;
  return *analyze_trace(trace, options).precision;
}

bool level_done(const Session& s) { return level_met(s) || s.measured >= s.settings.max_rounds; }

// FNV-1a over every instance's top classes (or text, lines read or detections as JSON, each
// ended by a 0), in instance order.
std::uint64_t output_hash(const RoundRecord& record) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  if (!record.texts.empty()) {
    for (const std::string& answer : record.texts) {
      for (char c : answer) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
      hash *= 0x100000001b3ull;
    }
  } else {
    // Class indices were 16-bit when traces began to store this hash: below 65536 the value is
    // the same either way.
    for (std::uint32_t c : record.top) hash = (hash ^ c) * 0x100000001b3ull;
  }
  return hash;
}

// What the metric scores: every instance's text (or detections), or its top classes by name.
std::vector<std::string> predictions_of(const RoundRecord& record, const Dataset& dataset) {
  if (!record.texts.empty()) return record.texts;
  const std::size_t n = dataset.size();
  const std::size_t k = std::min(kTopK, dataset.classes().size());
  std::vector<std::string> predictions(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (record.top[i * kTopK] == kNoAnswer) continue;  // no answer: scored as wrong
    for (std::size_t j = 0; j < k; ++j) {
      predictions[i] += (j ? " " : "") + dataset.classes()[record.top[i * kTopK + j]];
    }
  }
  return predictions;
}

namespace {

// The answers to store with a measured round: the first measured round's; later, those of the
// instances that had got no answer in every measured round before (a remote server's failure),
// once one answers them. Empty: nothing to store.
std::vector<std::string> answers_to_store(Session& s, const RoundRecord& record, bool warmup) {
  if (warmup || (s.have_predictions && s.unanswered.empty())) return {};
  const Dataset& dataset = *s.workloads.front().dataset;
  if (!s.have_predictions) {
    s.stored_answers = predictions_of(record, dataset);
    if (record.failures > 0) s.unanswered = record.failed;
    return s.stored_answers;
  }
  if (record.failures == record.failed.size()) return {};
  const std::vector<std::string> answers = predictions_of(record, dataset);
  bool filled = false, left = false;
  for (std::size_t i = 0; i < s.unanswered.size(); ++i) {
    if (s.unanswered[i] && !record.failed[i]) {
      s.stored_answers[i] = answers[i];
      s.unanswered[i] = 0;
      filled = true;
    }
    left = left || s.unanswered[i];
  }
  if (!left) s.unanswered.clear();
  return filled ? s.stored_answers : std::vector<std::string>{};
}

}  // namespace

void store_round(Session& s, const RoundRecord& record, bool warmup,
                 std::optional<double> offered_qps, std::uint64_t hash,
                 std::span<const std::string> predictions, std::optional<std::uint32_t> node) {
  RoundExtras extras{predictions, {}, record.timings};
  if (node) {
    extras.node = node;
    extras.ended_unix_s = record.ended_unix_s;
  }
  try {
    s.writer.append_round({s.next_index, warmup, record.started_unix_s, hash, offered_qps},
                          record.inference_s, record.total_s, extras);
  } catch (const StoreError& e) {
    throw StoreError(std::string(e.what()) + "; the rounds before it are intact, and " +
                     "resuming " + s.path.string() +
                     " continues once the cause (e.g. a full disk) is fixed");
  }
  ++s.next_index;
}

bool count_measured(Session& s, const RoundRecord& record, bool defer_look) {
  s.have_predictions = true;
  ++s.measured;
  ++s.measured_all;
  if (s.settings.stop == StopRule::rjsd) {
    s.inference.add_round(record.inference_s);
    s.total.add_round(record.total_s);
  } else if (is_look(s.measured)) {
    if (defer_look) return true;
    s.precision = look_at_precision(s);
  }
  return false;
}

RunProgress progress_after_round(const Session& s, bool warmup, std::optional<double> offered_qps,
                                 std::size_t rounds_here, double elapsed_s) {
  RunProgress p;
  p.settings = &s.settings;
  p.warmup = warmup;
  p.offered_qps = offered_qps;
  p.round = s.measured;
  p.elapsed_s = elapsed_s;
  p.rounds_per_s = static_cast<double>(rounds_here) / std::max(elapsed_s, 1e-9);
  if (!s.inference.series().empty()) p.rjsd_inference = s.inference.series().back().rjsd;
  if (!s.total.series().empty()) p.rjsd_total = s.total.series().back().rjsd;
  if (s.precision) {
    p.mean_half_width = p.bad_round_half_width = 0;
    for (const DeadlinePrecision& d : s.precision->deadlines) {
      p.mean_half_width = std::max(*p.mean_half_width, d.mean.half_width());
      p.bad_round_half_width = std::max(*p.bad_round_half_width, d.bad_round.half_width());
    }
  }
  return p;
}

std::unique_ptr<RoundDriver> make_driver(const RunSettings& settings,
                                         std::vector<Workload>& workloads,
                                         std::optional<double> qps, std::int64_t first_index,
                                         std::size_t rounds, const std::atomic<bool>& stop) {
  if (settings.load.scenario == Scenario::single_stream) {
    return make_single_stream_driver(workloads.front(), settings, stop);
  }
  std::vector<Workload*> workers;
  for (Workload& w : workloads) workers.push_back(&w);
  return make_load_driver(std::move(workers), settings, qps, first_index, rounds, stop);
}

void close_level(Session& s, RunResult& result, bool stopped, bool& all_met, std::size_t levels) {
  // The answer is given at the rounds measured, not at the last look before them.
  if (s.settings.stop == StopRule::precision && s.measured > 0 &&
      (!s.precision || s.precision->rounds != s.measured)) {
    s.precision = look_at_precision(s);
  }
  if (s.precision) result.precision = s.precision;
  if (!stopped) all_met = all_met && level_met(s);
  if (!stopped && s.level + 1 < levels) {  // the next load starts afresh
    s.inference = RjsdMonitor(s.settings.convergence);
    s.total = RjsdMonitor(s.settings.convergence);
    s.precision.reset();
    s.measured = 0;
  }
}

void close_run(Session& s, RunResult& result, std::size_t rounds_stored,
               std::vector<double>& issue_delays, bool stopped, bool all_met) {
  if (!stopped) result.stop = all_met ? RunResult::Stop::converged : RunResult::Stop::max_rounds;
  s.writer.close();
  result.measured_rounds = s.measured_all;
  result.inferences = rounds_stored * s.workloads.front().dataset->size();
  result.rounds_stored = rounds_stored;
  result.converged = !stopped && all_met;
  if (!issue_delays.empty()) {
    std::sort(issue_delays.begin(), issue_delays.end());
    result.jitter = SchedulerJitter{issue_delays.size(), percentile_sorted(issue_delays, 50),
                                    percentile_sorted(issue_delays, 99), issue_delays.back()};
  }
}

RunResult start_result(const Session& s) {
  RunResult result;
  result.trace = s.path;
  result.settings = s.settings;
  result.warnings = s.warnings;
  return result;
}

RunResult run_rounds(Session& s, const std::atomic<bool>& stop,
                     const std::function<void(const RunProgress&)>& progress) {
  const auto levels = load_levels(s.settings);
  RoundRecord record;
  std::vector<double> issue_delays;
  RunResult result = start_result(s);
  const LoopClock clock;
  std::size_t rounds_here = 0;
  bool all_met = true;
  bool stopped = false;

  for (; s.level < levels.size() && !stopped; ++s.level) {
    const std::size_t rounds = s.settings.warmup_rounds + (s.settings.max_rounds - s.measured);
    const auto driver = level_done(s) ? nullptr
                                      : make_driver(s.settings, s.workloads, levels[s.level],
                                                    s.next_index, rounds, stop);
    for (std::size_t warm = 0; driver; ++warm) {
      const bool warmup = warm < s.settings.warmup_rounds;
      if (!warmup && level_done(s)) break;
      if (!warmup && s.settings.max_duration_s > 0 &&
          clock.seconds() >= s.settings.max_duration_s) {
        result.stop = RunResult::Stop::max_duration;
        stopped = true;
        break;
      }
      if (!driver->next_round(s.next_index, record)) {
        result.stop = RunResult::Stop::interrupted;
        stopped = true;
        break;
      }
      if (s.node) record.ended_unix_s = unix_seconds_now();
      // The first measured round's answers are the ones scored; later rounds store their hash.
      const std::vector<std::string> predictions = answers_to_store(s, record, warmup);
      result.failed_answers += record.failures;
      if (record.failures > 0) result.last_failure = record.last_failure;
      store_round(s, record, warmup, levels[s.level], output_hash(record), predictions, s.node);
      ++rounds_here;
      if (!warmup) {
        count_measured(s, record);
        for (const QueryTiming& t : record.timings) {
          issue_delays.push_back(t.issued_s - t.scheduled_s);
        }
      }
      if (progress) {
        progress(progress_after_round(s, warmup, levels[s.level], rounds_here, clock.seconds()));
      }
    }
    close_level(s, result, stopped, all_met, levels.size());
  }
  close_run(s, result, rounds_here, issue_delays, stopped, all_met);
  result.elapsed_s = clock.seconds();
  return result;
}

}  // namespace tailq::detail
