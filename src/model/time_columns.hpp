// A trace's times rearranged batch-major, for statistics of each batch over the rounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "tailq/trace.hpp"

namespace tailq::detail {

// The times of batches [first, first + width) over `rounds`: column b holds batch first + b in
// the order of `rounds`. Read on up to `threads` threads (0: one per core), each with its own
// connection to the trace for its share of the rounds.
class TimeColumns {
 public:
  TimeColumns(const TraceReader& trace, TimeKind kind, std::span<const std::int64_t> rounds,
              std::size_t first, std::size_t width, unsigned threads);

  std::span<const double> all() const { return {values_.get(), rounds_ * width_}; }
  std::span<const double> column(std::size_t b) const {
    return all().subspan(b * rounds_, rounds_);
  }

 private:
  template <class Read>
  void read_rounds(Read read, std::span<const std::int64_t> rounds, std::size_t begin,
                   std::size_t end, std::size_t batches, std::size_t first);

  std::unique_ptr<double[]> values_;
  std::size_t rounds_, width_;
};

}  // namespace tailq::detail
