// A bucket sort on the bits of the values. A finite double's bit pattern, with the sign bit
// flipped for positive values and every bit flipped for negative ones, is an unsigned integer in
// the same order as the value. One counting pass spreads the values over about n / 2 buckets by
// the leading bits of (key - smallest key), which for times (within a few binades) holds a
// handful of values per bucket; each bucket is then sorted in place. Data bunched into a few
// buckets (one far outlier, heavy ties) leaves big buckets to std::sort, no slower than before.
#include "model/sort_finite.hpp"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tailq::detail {
namespace {

constexpr std::uint64_t kSign = std::uint64_t{1} << 63;

std::uint64_t key_of(double v) {
  const auto bits = std::bit_cast<std::uint64_t>(v);
  return bits ^ ((0 - (bits >> 63)) | kSign);
}

// Insertion sort for the few values of a typical bucket; std::sort for the rest.
void sort_bucket(double* first, double* last) {
  if (last - first > 32) {
    std::sort(first, last);
    return;
  }
  for (double* i = first + 1; i < last; ++i) {
    const double v = *i;
    double* j = i;
    for (; j > first && *(j - 1) > v; --j) *j = *(j - 1);
    *j = v;
  }
}

}  // namespace

void sort_finite(std::span<double> values) {
  const std::size_t n = values.size();
  if (n < 64) {
    sort_bucket(values.data(), values.data() + n);
    return;
  }
  std::vector<std::uint64_t> keys(n);
  std::uint64_t lo = ~std::uint64_t{0}, hi = 0;
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = key_of(values[i]);
    lo = std::min(lo, keys[i]);
    hi = std::max(hi, keys[i]);
  }
  // About n / 2 buckets: fewer leave more to sort within them, more cost cache misses.
  const int bucket_bits = static_cast<int>(std::bit_width(n)) - 1;
  const int shift = std::max(0, static_cast<int>(std::bit_width(hi - lo)) - bucket_bits);
  const std::size_t buckets = static_cast<std::size_t>((hi - lo) >> shift) + 1;
  std::vector<std::size_t> end(buckets + 1, 0);
  for (std::uint64_t k : keys) ++end[((k - lo) >> shift) + 1];
  for (std::size_t b = 1; b <= buckets; ++b) end[b] += end[b - 1];
  // The keys hold every value, so the values can be overwritten in bucket order; a bucket's
  // counter moves from its start to its end as it fills.
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t k = keys[i];
    const std::uint64_t bits = k ^ (((k >> 63) - 1) | kSign);
    values[end[(k - lo) >> shift]++] = std::bit_cast<double>(bits);
  }
  std::size_t first = 0;
  for (std::size_t b = 0; b < buckets; ++b) {
    if (end[b] - first > 1) sort_bucket(values.data() + first, values.data() + end[b]);
    first = end[b];
  }
}

}  // namespace tailq::detail
