// Exact percentiles of all pooled batch times without holding them in memory.
//
// Pass 1 counts every time into a fine histogram keyed by the top bits of its IEEE-754
// representation (for non-negative doubles the bit pattern orders like the value): 11 exponent
// bits and 16 mantissa bits, so a bin spans a relative width of 2^-16. Pass 2 collects only the
// times that fall into the bins holding the requested ranks and selects within them, so the
// result is exactly numpy's percentile(method="inverted_cdf") of the pooled times.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "tailq/round_source.hpp"

namespace tailq::detail {

class PooledTimes {
 public:
  // Pass 1. Throws StoreError for a NaN, infinite or negative time.
  static PooledTimes scan(const RoundSource& source, unsigned threads);

  std::uint64_t count() const { return count_; }
  double min() const { return min_; }
  double max() const { return max_; }
  double mean() const { return mean_; }

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
