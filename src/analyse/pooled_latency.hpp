// Exact percentiles of all pooled batch times without holding them in memory.
//
// Pass 1 counts every time into a fine histogram keyed by the top bits of its IEEE-754
// representation (for non-negative doubles the bit pattern orders like the value): 11 exponent
// bits and 16 mantissa bits, so a bin spans a relative width of 2^-16. Pass 2 collects only the
// times that fall into the bins holding the requested ranks and selects within them, so the
// result is exactly numpy's percentile(method="inverted_cdf") of the pooled times.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "analyse/fine_histogram.hpp"
#include "tailq/round_source.hpp"

namespace tailq::detail {

// Where wanted ranks of the pooled times lie: the histogram bins that hold them.
struct RankPlan {
  std::vector<std::uint64_t> ranks;      // as requested
  std::vector<std::uint64_t> keys;       // distinct bins holding them, ascending
  std::vector<std::size_t> bin_of_rank;  // per rank: index into keys
  std::vector<std::uint64_t> below;      // per rank: number of times in lower bins
  // The values at the ranks, given every time of each planned bin (bins[k] for keys[k]).
  std::vector<double> resolve(std::vector<std::vector<double>>& bins) const;
};

// Tells which of a few planned bins a time falls in. Called once per batch time in the scoring
// pass, so it is one multiply, one load and one compare: a perfect hash of the planned keys
// (the multiplier is searched at construction until no two keys share a slot).
class BinMatcher {
 public:
  explicit BinMatcher(std::span<const std::uint64_t> keys) : keys_(keys.begin(), keys.end()) {
    std::size_t bits = 6;
    while ((std::size_t{1} << bits) < 8 * keys.size()) ++bits;
    for (std::uint64_t multiplier = 0x9E3779B97F4A7C15ull;;
         multiplier += 0x2545F4914F6CDD1Dull * 2) {
      shift_ = 64 - static_cast<int>(bits);
      multiplier_ = multiplier | 1;
      slots_.assign(std::size_t{1} << bits, Slot{kEmpty, 0});
      bool collision = false;
      for (std::size_t k = 0; k < keys.size() && !collision; ++k) {
        Slot& slot = slots_[slot_of(keys[k])];
        collision = slot.key != kEmpty;
        slot = Slot{keys[k], static_cast<long>(k)};
      }
      if (!collision) break;
      if (++tries_ % 64 == 0) ++bits;  // crowded: a bigger table
    }
  }
  const std::vector<std::uint64_t>& keys() const { return keys_; }
  // Index into keys, or -1.
  long match(double t) const {
    const std::uint64_t key = key_of(t);
    const Slot& slot = slots_[slot_of(key)];
    return slot.key == key ? slot.index : -1;
  }

 private:
  static constexpr std::uint64_t kEmpty = UINT64_MAX;  // no time has this key (it is a NaN's)
  struct Slot {
    std::uint64_t key;
    long index;
  };
  std::size_t slot_of(std::uint64_t key) const {
    return static_cast<std::size_t>((key * multiplier_) >> shift_);
  }
  std::vector<std::uint64_t> keys_;
  std::uint64_t multiplier_ = 0;
  int shift_ = 58;
  int tries_ = 0;
  std::vector<Slot> slots_;
};

class PooledTimes {
 public:
  // Pass 1. Throws StoreError for a NaN, infinite or negative time.
  // tally_limit: the times a thread counts in 32 bits before it moves them to its 64-bit
  // histogram (tests lower it to reach the move).
  static PooledTimes scan(const RoundSource& source, unsigned threads,
                          std::uint64_t tally_limit = UINT32_MAX);

  std::uint64_t count() const { return count_; }
  double min() const { return min_; }
  double max() const { return max_; }
  double mean() const { return mean_; }

  RankPlan plan(std::span<const std::uint64_t> ranks) const;
  // Pass 2: the values at the given ranks (0-based positions in the sorted pooled times).
  std::vector<double> values_at_ranks(const RoundSource& source,
                                      std::span<const std::uint64_t> ranks, unsigned threads) const;
  // Pass 2 without the selection: every time of `source` in each planned bin, unsorted.
  static std::vector<std::vector<double>> times_in_bins(const RoundSource& source,
                                                        const RankPlan& plan, unsigned threads);
  // Percentiles (inverted_cdf) in one pass 2.
  std::vector<double> percentiles(const RoundSource& source, std::span<const double> q,
                                  unsigned threads) const;
  // Smallest time >= lo and largest time <= hi: one more pass.
  std::pair<double, double> range_within(const RoundSource& source, double lo, double hi,
                                         unsigned threads) const;

  // The scan of a share of the rounds as bytes, and the scan of all rounds from the shares'
  // bytes in round order: equal to the scan of all rounds at once, mean included (it adds the
  // rounds' sums in round order either way).
  std::string encode() const;
  static PooledTimes merge(std::span<const std::string> shares);

  PooledTimes();
  PooledTimes(PooledTimes&&) noexcept;
  ~PooledTimes();

 private:
  void finish_mean();

  std::uint64_t count_ = 0;
  double min_ = 0, max_ = 0, mean_ = 0;
  std::vector<double> round_sums_;  // in round order
  std::unique_ptr<FineHistogram> histogram_;
};

}  // namespace tailq::detail
