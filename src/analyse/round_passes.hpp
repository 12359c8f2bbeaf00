// The engine's passes over the rounds of one analysis (engine.cpp): over all of them in this
// process, or, in a sharded job (`mpirun -np K tailq analyze`, docs/multi-node.md), each rank over
// its share of consecutive rounds. A sharded pass puts the shares' results together in round
// order and hands them to every rank, so that every rank goes on with the numbers one process
// would have had, to the last bit: what follows a pass (percentiles, stand-ins, the precision
// estimate's second analysis) then runs alike on every rank without another exchange.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "analyse/pooled_latency.hpp"
#include "analyse/scoring.hpp"
#include "tailq/metric.hpp"
#include "tailq/round_source.hpp"
#include "tailq/shards.hpp"

namespace tailq::detail {

class RoundPasses {
 public:
  // Every round of `rounds`, here.
  RoundPasses(const RoundSource& rounds, unsigned threads);
  // `share` holds rounds [first, first + share.round_count()) of `total`: this rank's share as
  // Shards::share(total) gave it. Every rank calls the passes in the same order.
  RoundPasses(const RoundSource& share, std::size_t first, std::size_t total, Shards& shards,
              unsigned threads);

  std::size_t round_count() const { return total_; }  // of the whole analysis
  std::size_t batch_count() const { return rounds_.batch_count(); }

  // PooledTimes::scan of all rounds.
  PooledTimes scan() const;
  // PooledTimes::values_at_ranks over all rounds.
  std::vector<double> values_at_ranks(const PooledTimes& pooled,
                                      std::span<const std::uint64_t> ranks) const;
  // PooledTimes::range_within over all rounds.
  std::pair<double, double> range_within(const PooledTimes& pooled, double lo, double hi) const;
  // scoring.hpp's passes over all rounds: rows, stand-in statistics and hits in round order.
  ScoreGrid score_additive(const AdditiveMetric& metric, const BatchDeltas& deltas,
                           std::span<const double> deadlines,
                           PendingPercentiles* pending = nullptr) const;
  ScoreGrid score_generic(std::span<const std::uint32_t> batch_of, const Metric& metric,
                          std::span<const double> deadlines) const;

 private:
  bool sharded() const { return shards_ && shards_->size() > 1; }
  // Every rank's `part`, in rank order, on every rank.
  std::vector<std::string> from_every_rank(const std::function<std::string()>& part) const;
  ScoreGrid joined(ScoreGrid local, PendingPercentiles* pending) const;

  const RoundSource& rounds_;  // this process's rounds
  std::size_t first_ = 0, total_ = 0;
  Shards* shards_ = nullptr;  // null: one process
  unsigned threads_ = 0;
};

}  // namespace tailq::detail
