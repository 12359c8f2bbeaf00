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
#include <utility>
#include <vector>

#include "tailq/round_source.hpp"

namespace tailq::detail {

constexpr int kKeyShift = 36;  // a key keeps 11 exponent bits and 16 mantissa bits
inline std::uint64_t key_of(double t) {
  return std::bit_cast<std::uint64_t>(t + 0.0) >> kKeyShift;  // + 0.0 turns -0 into +0
}
// The smallest time whose key is `key`.
inline double bin_floor(std::uint64_t key) { return std::bit_cast<double>(key << kKeyShift); }

// Where wanted ranks of the pooled times lie: the histogram bins that hold them.
struct RankPlan {
  std::vector<std::uint64_t> ranks;       // as requested
  std::vector<std::uint64_t> keys;        // distinct bins holding them, ascending
  std::vector<std::size_t> bin_of_rank;   // per rank: index into keys
  std::vector<std::uint64_t> below;       // per rank: number of times in lower bins
  // The values at the ranks, given every time of each planned bin (bins[k] for keys[k]).
  std::vector<double> resolve(std::vector<std::vector<double>>& bins) const;
};

// Tells which of a few planned bins a time falls in; called once per time, so it compares the
// key with all bins at once instead of searching.
class BinMatcher {
 public:
  static constexpr std::size_t kLanes = 8;
  explicit BinMatcher(std::span<const std::uint64_t> keys) : keys_(keys.begin(), keys.end()) {
    // The first lanes are compared all at once; unused ones hold a key no time has (a NaN).
    first_.fill(UINT64_MAX);
    std::copy_n(keys.begin(), std::min(kLanes, keys.size()), first_.begin());
  }
  // Index into keys, or -1.
  long match(double t) const {
    const std::uint64_t key = key_of(t);
    bool hit = false;
    for (std::size_t k = 0; k < kLanes; ++k) hit |= key == first_[k];
    if (!hit && keys_.size() <= kLanes) return -1;
    for (std::size_t k = 0; k < keys_.size(); ++k) {
      if (key == keys_[k]) return static_cast<long>(k);
    }
    return -1;
  }

 private:
  std::array<std::uint64_t, kLanes> first_;
  std::vector<std::uint64_t> keys_;
};

class PooledTimes {
 public:
  // Pass 1. Throws StoreError for a NaN, infinite or negative time.
  static PooledTimes scan(const RoundSource& source, unsigned threads);

  std::uint64_t count() const { return count_; }
  double min() const { return min_; }
  double max() const { return max_; }
  double mean() const { return mean_; }

  RankPlan plan(std::span<const std::uint64_t> ranks) const;
  // Pass 2: the values at the given ranks (0-based positions in the sorted pooled times).
  std::vector<double> values_at_ranks(const RoundSource& source,
                                      std::span<const std::uint64_t> ranks, unsigned threads) const;
  // Percentiles (inverted_cdf) in one pass 2.
  std::vector<double> percentiles(const RoundSource& source, std::span<const double> q,
                                  unsigned threads) const;
  // Smallest time >= lo and largest time <= hi: one more pass.
  std::pair<double, double> range_within(const RoundSource& source, double lo, double hi,
                                         unsigned threads) const;

  class Histogram;  // defined in the .cpp

  PooledTimes();
  PooledTimes(PooledTimes&&) noexcept;
  ~PooledTimes();

 private:
  std::uint64_t count_ = 0;
  double min_ = 0, max_ = 0, mean_ = 0;
  std::unique_ptr<Histogram> histogram_;
};

}  // namespace tailq::detail
