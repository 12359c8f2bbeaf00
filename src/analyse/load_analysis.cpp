// Quality under load: the engine run once per offered load, on that load's measured rounds, at
// deadlines fixed across loads, plus queueing statistics from the stored query timelines.
#include "tailq/load_analysis.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "tailq/error.hpp"
#include "tailq/merge.hpp"
#include "tailq/round_source.hpp"
#include "tailq/run_options.hpp"
#include "tailq/stats.hpp"

namespace tailq {
namespace {

Spread spread_of(std::vector<double>& values) {
  Spread s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(values.size());
  s.p50 = percentile_sorted(values, 50);
  s.p90 = percentile_sorted(values, 90);
  s.p99 = percentile_sorted(values, 99);
  s.max = values.back();
  return s;
}

std::string scenario_of(const TraceReader& trace) {
  try {
    const auto settings = nlohmann::json::parse(trace.experiment().settings_json);
    if (settings.contains("scenario")) return settings["scenario"].get<std::string>();
  } catch (const std::exception&) {
  }
  return "single-stream";
}

// Queueing statistics and throughput of one load's rounds, from their query timelines.
void describe_queueing(const TraceReader& trace, const std::vector<std::int64_t>& rounds,
                       LoadLevel& level) {
  const std::size_t n = trace.instances().size();
  std::vector<QueryTiming> timings(n);
  std::vector<double> total, service, wait, delay, times(trace.batch_count());
  // Rounds follow each other without a pause and overlap when the queue carries over, so
  // throughput is counted over the whole series, on the wall clock of each round's origin. Each
  // node of a multi-node trace has its own series and its own load (docs/multi-node.md): the
  // rate served is the mean of the nodes' rates, comparable with the load offered to each.
  const auto map = node_map(trace);
  struct Series {
    double answered = 0, first = 1e300, last = -1e300;
  };
  std::map<std::uint32_t, Series> series;
  const auto& infos = trace.rounds();
  for (std::int64_t r : rounds) {
    trace.read_times(r, TimeKind::total, times);
    total.insert(total.end(), times.begin(), times.end());
    trace.read_times(r, TimeKind::inference, times);
    service.insert(service.end(), times.begin(), times.end());
    if (!trace.read_timings(r, timings)) {
      throw StoreError(trace.path().string() + ": round " + std::to_string(r) +
                       " of a load scenario has no query timeline");
    }
    const double origin =
        std::lower_bound(infos.begin(), infos.end(), r, [](const RoundInfo& info, std::int64_t i) {
          return info.index < i;
        })->started_unix_s;
    Series& node = series[map ? map->node_of(r) : 0];
    for (const QueryTiming& t : timings) {
      wait.push_back(t.started_s - t.scheduled_s);
      delay.push_back(t.issued_s - t.scheduled_s);
      node.first = std::min(node.first, origin + t.scheduled_s);
      node.last = std::max(node.last, origin + t.finished_s);
    }
    node.answered += static_cast<double>(n);
  }
  level.achieved_qps = 0;
  for (const auto& [index, node] : series) {
    if (node.last > node.first) level.achieved_qps += node.answered / (node.last - node.first);
  }
  level.achieved_qps /= static_cast<double>(std::max<std::size_t>(series.size(), 1));
  level.total = spread_of(total);
  level.service = spread_of(service);
  level.queue_wait = spread_of(wait);
  level.issue_delay = spread_of(delay);
}

}  // namespace

bool is_load_trace(const TraceReader& trace) { return scenario_of(trace) != "single-stream"; }

LoadAnalysis analyze_load(const TraceReader& trace, const LoadAnalysisOptions& options) {
  if (!is_load_trace(trace)) {
    throw InputError(
        trace.path().string() +
        ": not measured under load (no load scenario: multi-stream, server or offline)");
  }
  if (!(options.max_drop >= 0)) throw OptionError("max_drop", "must be a number >= 0");
  // Measured rounds by offered load, loads ascending (offline, with none, first).
  std::map<double, std::vector<std::int64_t>> by_load;
  std::vector<std::int64_t> unrated;
  for (const RoundInfo& round : trace.rounds()) {
    if (round.warmup) continue;
    (round.offered_qps ? by_load[*round.offered_qps] : unrated).push_back(round.index);
  }
  std::vector<std::pair<std::optional<double>, std::vector<std::int64_t>>> groups;
  if (!unrated.empty()) groups.emplace_back(std::nullopt, std::move(unrated));
  for (auto& [qps, rounds] : by_load) groups.emplace_back(qps, std::move(rounds));
  if (groups.empty()) throw InputError(trace.path().string() + ": no measured rounds");

  const std::string metric_name =
      options.metric.empty() ? trace.experiment().metric : options.metric;
  const auto metric = make_metric(metric_name, trace.outcomes());
  AnalysisRequest request;
  request.thresholds = options.thresholds;
  request.threads = options.threads;

  LoadAnalysis result;
  result.scenario = scenario_of(trace);
  result.metric = metric_name;
  result.time = std::string(to_string(options.time));
  result.max_drop = options.max_drop;
  for (auto& [qps, rounds] : groups) {
    LoadLevel level;
    level.offered_qps = qps;
    level.rounds = rounds.size();
    describe_queueing(trace, rounds, level);
    const TraceRoundSource source(trace, options.time, rounds);
    level.quality = analyze(source, trace.batch_of_instance(), *metric, request);
    level.quality.time = result.time;
    if (result.levels.empty()) {
      // Deadlines resolved at the lowest load hold, as absolute ones, at every other load.
      result.nominal_quality = level.quality.nominal_quality;
      request.thresholds.clear();
      for (const ThresholdQuality& t : level.quality.thresholds) {
        request.thresholds.push_back({ThresholdSpec::Kind::absolute, t.seconds, t.label});
        result.capacity.push_back({t.label, t.seconds, std::nullopt});
      }
    }
    result.levels.push_back(std::move(level));
  }
  // The capacity holds for every load up to it, not just at it: noise at one load does not
  // make a higher load look safe after a lower one failed.
  for (std::size_t d = 0; d < result.capacity.size(); ++d) {
    for (const LoadLevel& level : result.levels) {
      if (!level.offered_qps) continue;
      const double worst = level.quality.thresholds[d].quality.min;
      if (!(worst >= result.nominal_quality - options.max_drop)) break;
      result.capacity[d].capacity_qps = level.offered_qps;
    }
  }
  return result;
}

}  // namespace tailq
