// Scoring rounds against sorted deadlines: the engine's last pass. For every round and deadline
// it gives the quality with late answers scored as failures and the fraction of late instances.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "analyse/pooled_latency.hpp"
#include "tailq/metric.hpp"
#include "tailq/round_source.hpp"

namespace tailq::detail {

// Per-batch change of an additive metric's statistics when the batch turns from late to on
// time, in compressed rows: batch b owns entries [offset[b], offset[b + 1]). A round whose set
// of on-time batches is O has statistics late_sums + sum over b in O of delta(b).
struct BatchDeltas {
  BatchDeltas(const AdditiveMetric& metric, std::span<const std::uint32_t> batch_of,
              std::size_t batch_count);
  // Adds delta(b) to sums.
  void add(std::size_t b, std::span<double> sums) const {
    for (std::size_t e = offset[b]; e < offset[b + 1]; ++e)
      sums[entries[e].index] += entries[e].value;
  }
  std::size_t statistics;
  std::size_t instances;
  std::vector<std::size_t> offset;
  std::vector<Statistic> entries;
  std::vector<double> late_sums;
  std::vector<std::uint64_t> batch_size;
  // When the metric has one statistic: {delta(b), instances in b} side by side, so that the
  // scoring pass adds both into a slot with one vector add.
  using Pair = double __attribute__((vector_size(16)));
  std::vector<Pair> single;
  Pair single_total{0, 0};  // the sum of single over all batches, in batch order
  // delta summed over all batches, in batch order: the statistics of a round with every batch
  // on time are late_sums + total_sums.
  std::vector<double> total_sums;
};

// [round][deadline] results, one column per deadline that is read back (a stand-in deadline's
// statistics go to PendingPercentiles instead, and a million rounds make every column count).
struct ScoreGrid {
  std::size_t columns = 0;
  std::vector<std::size_t> column_of;  // [deadline] its column; kNoColumn for a stand-in
  std::vector<double> quality;
  std::vector<double> late_fraction;
  static constexpr std::size_t kNoColumn = SIZE_MAX;
  double quality_at(std::size_t r, std::size_t g) const {
    return quality[r * columns + column_of[g]];
  }
  double late_at(std::size_t r, std::size_t g) const {
    return late_fraction[r * columns + column_of[g]];
  }
};

// What the scoring pass gathers for percentile deadlines that are not known exactly yet (see
// engine.cpp). Each planned histogram bin [floor, next floor) is fenced by two deadlines: its
// stand-in, the largest double below the bin, and its top, the largest double in it. A time is
// in the bin exactly when it is later than the stand-in and meets the top, so the pass tells
// the bin's times by their deadline slot, and keeps the statistics at each stand-in.
struct PendingPercentiles {
  std::vector<std::size_t> stand_in_slot;  // [bin] deadline index of its stand-in
  std::vector<std::size_t> top_slot;       // [bin] deadline index of its top
  std::vector<std::size_t> read_back;      // deadline indices also asked for (they get columns)

  struct Hit {
    std::uint32_t round;
    std::uint32_t bin;
    std::size_t batch;
    double t;
  };
  std::vector<Hit> hits;               // every time in a planned bin
  std::vector<double> sums;            // [round][bin][statistic] at the bin's stand-in
  std::vector<std::uint64_t> on_time;  // [round][bin] instances on time at its stand-in

  // The stand-in and top of the bin with this key.
  static double stand_in(std::uint64_t key) {
    return std::nextafter(bin_floor(key), -std::numeric_limits<double>::infinity());
  }
  static double top(std::uint64_t key) {
    return std::nextafter(bin_floor(key + 1), -std::numeric_limits<double>::infinity());
  }
};

ScoreGrid score_additive(const RoundSource& rounds, const AdditiveMetric& metric,
                         const BatchDeltas& deltas, std::span<const double> deadlines,
                         unsigned threads, PendingPercentiles* pending = nullptr);

ScoreGrid score_generic(const RoundSource& rounds, std::span<const std::uint32_t> batch_of,
                        const Metric& metric, std::span<const double> deadlines, unsigned threads);

}  // namespace tailq::detail
