// Number of distinct doubles in a stream: exact up to a limit, then HyperLogLog (Flajolet,
// Fusy, Gandouet and Meunier, "HyperLogLog: the analysis of a near-optimal cardinality
// estimation algorithm", AofA 2007) with 2^14 registers, standard error 1.04/sqrt(2^14) = 0.8%.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <unordered_set>
#include <vector>

namespace tailq::detail {

class DistinctCount {
 public:
  void add(double value) {
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(value + 0.0);
    if (registers_.empty()) {
      exact_.insert(bits);
      if (exact_.size() > kExactLimit) to_sketch();
      return;
    }
    add_to_sketch(bits);
  }
  double count() const {
    return registers_.empty() ? static_cast<double>(exact_.size()) : estimate();
  }

 private:
  static constexpr std::size_t kExactLimit = std::size_t{1} << 18;
  static constexpr int kIndexBits = 14;
  static constexpr std::size_t kRegisters = std::size_t{1} << kIndexBits;

  // splitmix64's finaliser: spreads neighbouring bit patterns over the whole hash range.
  static std::uint64_t hash(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
  }
  void add_to_sketch(std::uint64_t bits) {
    const std::uint64_t h = hash(bits);
    const std::size_t index = h >> (64 - kIndexBits);
    const std::uint64_t rest = (h << kIndexBits) | (std::uint64_t{1} << (kIndexBits - 1));
    const auto rank = static_cast<std::uint8_t>(std::countl_zero(rest) + 1);
    if (rank > registers_[index]) registers_[index] = rank;
  }
  void to_sketch() {
    registers_.assign(kRegisters, 0);
    for (std::uint64_t bits : exact_) add_to_sketch(bits);
    exact_ = {};
  }
  double estimate() const {
    const double m = static_cast<double>(kRegisters);
    double sum = 0;
    std::size_t zeros = 0;
    for (std::uint8_t r : registers_) {
      sum += std::ldexp(1.0, -r);
      zeros += r == 0;
    }
    const double raw = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    if (raw <= 2.5 * m && zeros > 0) return m * std::log(m / static_cast<double>(zeros));
    return raw;
  }

  std::unordered_set<std::uint64_t> exact_;
  std::vector<std::uint8_t> registers_;
};

}  // namespace tailq::detail
