#include <algorithm>
#include <charconv>
#include <set>

#include "analyse/engine_scanned.hpp"
#include "analyse/loaded_rounds.hpp"
#include "analyse/node_breakdown.hpp"
#include "analyse/round_passes.hpp"
#include "tailq/analysis.hpp"
#include "tailq/error.hpp"
#include "tailq/merge.hpp"
#include "tailq/run_options.hpp"

namespace tailq {

namespace {

// Per requested deadline: the node means of per-round Q@T, their spread, and the spread of
// rounds around their node's mean (a one-way layout, docs/multi-node.md).
NodeBreakdown node_breakdown(const NodeMap& map, std::vector<std::uint32_t> node_of,
                             const TailQuality& result) {
  std::vector<std::string> labels;
  for (const TraceNode& n : map.nodes) labels.push_back(n.label());
  return detail::node_breakdown(std::move(labels), std::move(node_of), result);
}

}  // namespace

std::vector<std::uint32_t> detail::node_of_rounds(const TraceReader& trace,
                                                  std::span<const std::int64_t> rounds) {
  std::vector<std::uint32_t> node_of;
  const auto map = node_map(trace);
  if (map && map->nodes.size() > 1) {
    for (std::int64_t round : rounds) node_of.push_back(map->node_of(round));
  }
  return node_of;
}

TailQuality analyze_trace(const TraceReader& trace, const TraceAnalysisOptions& options) {
  Shards alone;
  return analyze_trace(trace, options, alone);
}

TailQuality analyze_trace(const TraceReader& trace, const TraceAnalysisOptions& options,
                          Shards& shards) {
  const std::string metric_name =
      options.metric.empty() ? trace.experiment().metric : options.metric;
  const auto metric = make_metric(metric_name, trace.outcomes());
  const std::vector<std::int64_t> analysed = selected_rounds(trace, options);
  if (analysed.empty()) {
    throw InputError(trace.path().string() + ": no measured rounds in the selected range");
  }
  // This process reads its share of the rounds only; the passes put the shares together.
  const auto [first, last] = shards.share(analysed.size());
  const auto source = detail::rounds_to_analyse(
      trace, options.time,
      std::vector<std::int64_t>(analysed.begin() + static_cast<std::ptrdiff_t>(first),
                                analysed.begin() + static_cast<std::ptrdiff_t>(last)),
      options.request.threads);
  const detail::RoundPasses passes(*source, first, analysed.size(), shards,
                                   options.request.threads);
  const auto pooled = passes.scan();
  TailQuality result =
      detail::analyze_scanned(passes, pooled, trace.batch_of_instance(), *metric, options.request);
  result.time = std::string(to_string(options.time));
  // What the import found wrong in the data stays true of every analysis of it.
  for (const std::string& w : trace.experiment().warnings)
    result.warnings.push_back("import: " + w);
  // Q@T assumes that only time differs between rounds: say so when the answers did too.
  std::set<std::uint64_t> hashes;
  for (const RoundInfo& round : trace.rounds()) {
    if (!round.warmup && round.output_hash) hashes.insert(*round.output_hash);
  }
  if (hashes.size() > 1) {
    result.warnings.push_back("outputs changed between measured rounds (" +
                              std::to_string(hashes.size()) +
                              " different output hashes): the system is not deterministic, so "
                              "Q@T depends on more than time");
  }
  const std::vector<std::uint32_t> node_of = detail::node_of_rounds(trace, analysed);
  if (!node_of.empty()) result.nodes = node_breakdown(*node_map(trace), node_of, result);
  if (options.guarantee) result.guarantee = guarantee_quality(result, *options.guarantee);
  if (options.precision) {
    result.precision =
        detail::estimate_precision(passes, pooled, trace.batch_of_instance(), *metric, node_of,
                                   options, result, *options.precision);
  }
  return result;
}

std::vector<std::int64_t> selected_rounds(const TraceReader& trace,
                                          const TraceAnalysisOptions& options) {
  auto rounds = measured_rounds(trace, options.first_round, options.last_round);
  if (options.offered_qps) {
    std::erase_if(rounds, [&](std::int64_t index) {
      const auto& all = trace.rounds();
      const auto at =
          std::lower_bound(all.begin(), all.end(), index,
                           [](const RoundInfo& r, std::int64_t i) { return r.index < i; });
      return at->offered_qps != options.offered_qps;
    });
  }
  return rounds;
}

QualityGuarantee guarantee_quality(const TailQuality& measured, const GuaranteeRequest& request) {
  QualityGuarantee g;
  g.request = request;
  g.rounds = measured.rounds;
  g.rounds_needed = rounds_needed(request);
  for (const ThresholdQuality& t : measured.thresholds) {
    if (t.from_sweep) continue;
    DeadlineGuarantee& d = g.deadlines.emplace_back(guarantee_for(t.per_round, request));
    d.label = t.label;
    d.seconds = t.seconds;
  }
  return g;
}

void parse_round_range(std::string_view text, TraceAnalysisOptions& options) {
  const auto colon = text.find(':');
  auto bound = [&](std::string_view part, std::int64_t fallback) {
    if (part.empty()) return fallback;
    std::int64_t value = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec != std::errc() || ptr != part.data() + part.size()) {
      throw OptionError("rounds", "expected A:B (measured rounds A to B - 1, from 0), got '" +
                                      std::string(text) + "'");
    }
    if (value < 0) {
      throw OptionError("rounds", "'" + std::string(text) +
                                      "': measured rounds count from 0, bounds cannot be negative");
    }
    return value;
  };
  if (colon == std::string_view::npos) {
    throw OptionError("rounds", "expected A:B (measured rounds A to B - 1, from 0), got '" +
                                    std::string(text) + "'");
  }
  options.first_round = bound(text.substr(0, colon), 0);
  options.last_round = bound(text.substr(colon + 1), INT64_MAX);
  if (options.last_round <= options.first_round) {
    throw OptionError("rounds", "empty range '" + std::string(text) + "'");
  }
}

}  // namespace tailq
