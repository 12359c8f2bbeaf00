// XXH3 compiled for AVX2, which checksum.cpp calls on CPUs that have it (CMakeLists.txt builds
// this file with -mavx2 on x86-64 only): every reader hashes every times BLOB it reads, and
// AVX2 hashes a round's times about three times as fast as the portable build's SSE2 form. XXH3
// defines its output bit for bit, so both forms give the same checksums.
//
// Nothing but xxhash.h (all static here) is included: an inline function of a shared header
// compiled in this file would carry AVX2 instructions, and the linker may keep this copy for
// the whole library, which then fails on a CPU without AVX2.
#include <cstddef>
#include <cstdint>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace tailq::store::detail {

std::uint64_t xxh3_avx2(const void* data, std::size_t bytes, std::uint64_t seed);

std::uint64_t xxh3_avx2(const void* data, std::size_t bytes, std::uint64_t seed) {
  return XXH3_64bits_withSeed(data, bytes, seed);
}

}  // namespace tailq::store::detail
