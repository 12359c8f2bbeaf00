// A histogram of non-negative times keyed by the top bits of their IEEE-754 representation
// (for non-negative doubles the bit pattern orders like the value): 11 exponent bits and 16
// mantissa bits, so a bin spans a relative width of 2^-16 whatever the unit or the range, and
// memory is one 512 KiB block per binary exponent actually seen.
#pragma once

#include <bit>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace tailq::detail {

constexpr int kKeyShift = 36;  // a key keeps 11 exponent bits and 16 mantissa bits
inline std::uint64_t key_of(double t) {
  return std::bit_cast<std::uint64_t>(t + 0.0) >> kKeyShift;  // + 0.0 turns -0 into +0
}
// The smallest time whose key is `key`.
inline double bin_floor(std::uint64_t key) { return std::bit_cast<double>(key << kKeyShift); }

// Count: the counter type. 64 bits in general; a tally that can never count 2^32 times (the
// scan's per-thread tallies, flushed before that) keeps 32, which halves the memory the scan
// scatters into and makes it ~20% faster.
template <class Count>
class BasicFineHistogram {
 public:
  BasicFineHistogram() : blocks_(kBlocks) {}

  void add(std::uint64_t key, Count count = 1) {
    auto& block = blocks_[key >> kBlockBits];
    if (!block) block = std::make_unique<Count[]>(kBlockSize);
    block[key & (kBlockSize - 1)] += count;
  }
  // Adds every bin of `other`, whose counts must fit this histogram's.
  template <class OtherCount>
  void merge(const BasicFineHistogram<OtherCount>& other) {
    static_assert(sizeof(Count) >= sizeof(OtherCount));
    for (std::size_t b = 0; b < kBlocks; ++b) {
      if (!other.blocks_[b]) continue;
      auto& block = blocks_[b];
      if (!block) block = std::make_unique<Count[]>(kBlockSize);
      for (std::size_t i = 0; i < kBlockSize; ++i) block[i] += other.blocks_[b][i];
    }
  }
  void clear() {
    for (auto& block : blocks_) block.reset();
  }
  // For each sorted rank, the key of its bin and the number of values in lower bins.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> locate(
      std::span<const std::uint64_t> sorted_ranks) const {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    std::uint64_t below = 0;
    std::size_t next = 0;
    for_each_bin([&](std::uint64_t key, std::uint64_t in_bin) {
      while (next < sorted_ranks.size() && sorted_ranks[next] < below + in_bin) {
        out.emplace_back(key, below);
        ++next;
      }
      below += in_bin;
    });
    return out;
  }
  // Calls f(key, count) for every non-empty bin in ascending order.
  template <class F>
  void for_each_bin(F&& f) const {
    for (std::size_t b = 0; b < kBlocks; ++b) {
      if (!blocks_[b]) continue;
      for (std::size_t i = 0; i < kBlockSize; ++i) {
        if (blocks_[b][i]) f((b << kBlockBits) | i, std::uint64_t{blocks_[b][i]});
      }
    }
  }

 private:
  template <class>
  friend class BasicFineHistogram;
  static constexpr int kBlockBits = 16;
  static constexpr std::size_t kBlockSize = std::size_t{1} << kBlockBits;
  static constexpr std::size_t kBlocks = 2048;  // one per exponent of a non-negative double

  std::vector<std::unique_ptr<Count[]>> blocks_;
};

using FineHistogram = BasicFineHistogram<std::uint64_t>;

}  // namespace tailq::detail
