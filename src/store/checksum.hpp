// Checksums that let a reader tell the bytes in a trace from the bytes that were measured. A
// killed process, a full disk or a flipped bit must never turn into a wrong Q@T: every round
// carries a checksum of its row and its time BLOBs, every BLOB one of its own (so that a reader
// that fetches one kind of one round verifies exactly what it read), and the experiment one of
// the small tables (experiment, instances, outputs). All are XXH3-64 (xxHash, BSD-2-Clause),
// far faster than SQLite can read; the exact byte layout is given beside each function, so that
// another implementation can compute them.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tailq/trace.hpp"

namespace tailq::store {

// What a BLOB holds: its slot in the checksum's seed, so a BLOB copied to another round or
// kind no longer matches.
enum class BlobKind : std::uint64_t { inference = 0, total = 1, query = 2 };

// XXH3_64bits_withSeed(bytes, seed = round * 4 + kind) (round as a two's complement uint64).
std::uint64_t blob_checksum(std::int64_t round, BlobKind kind, const void* data, std::size_t bytes);

namespace detail {
// XXH3_64bits_withSeed as the CPU computes it fastest (AVX2 where the build and the CPU have it,
// checksum_avx2.cpp), and in the portable form; both give the same bits.
std::uint64_t xxh3_fast(const void* data, std::size_t bytes, std::uint64_t seed);
std::uint64_t xxh3_portable(const void* data, std::size_t bytes, std::uint64_t seed);
std::uint64_t xxh3_avx2(const void* data, std::size_t bytes, std::uint64_t seed);  // x86-64 only
}  // namespace detail

// The checksums of one round's BLOBs; `query` only for load-scenario rounds.
struct BlobChecksums {
  std::uint64_t inference = 0, total = 0;
  std::optional<std::uint64_t> query;
};

// XXH3_64bits (seed 0) of 60 little-endian bytes: idx (int64), warmup (uint8 0/1),
// started_unix_s (float64), has output_hash (uint8), output_hash (uint64, 0 when absent), has
// offered_qps (uint8), offered_qps (float64, 0 when absent), the inference and total BLOB
// checksums (uint64 each), has a query BLOB (uint8), its checksum (uint64, 0 when absent).
std::uint64_t round_checksum(const RoundInfo& round, const BlobChecksums& blobs);

// Schema version 3 (round blocks): XXH3_64bits (seed 0) of first, count, measured (int64
// each), the length of the packed metadata `info` (uint64) and its bytes, the inference and
// total BLOB checksums (uint64 each), has a query BLOB (uint8) and its checksum (uint64, 0 when
// absent). The BLOB checksums are blob_checksum with round = first.
std::uint64_t block_checksum(std::int64_t first, std::int64_t count, std::int64_t measured,
                             std::string_view info, std::uint64_t inference, std::uint64_t total,
                             std::optional<std::uint64_t> query);

// Hashes SQLite values with their types: one byte of sqlite3_column_type, then INTEGER as 8
// bytes, FLOAT as the 8 bytes of the float64, TEXT and BLOB as a uint64 length and the bytes,
// NULL as nothing. The header checksum feeds it every column of `SELECT key, value FROM
// experiment WHERE key <> 'header_checksum' ORDER BY key`, then of `SELECT i.idx, i.name,
// i.batch, i.input_size, i.label, o.prediction, o.score FROM instances i LEFT JOIN outputs o ON
// o.instance = i.idx ORDER BY i.idx`.
class ValueHasher {
 public:
  ValueHasher();
  ValueHasher(const ValueHasher&) = delete;
  ~ValueHasher();
  void add_column(sqlite3_stmt* statement, int column);
  // A value read already: its sqlite3_column_type and, as that type has it, the integer, the
  // float or the TEXT/BLOB bytes (the same bytes add_column hashes).
  void add_value(int type, std::int64_t integer, double real, std::string_view bytes);
  void add_row(sqlite3_stmt* statement);  // every column of the current row
  // The bytes add_value hashes for one value, appended to `out`: values read on another thread
  // are encoded there and hashed here, in their place, by add_encoded.
  static void encode(std::string& out, int type, std::int64_t integer, double real,
                     std::string_view bytes);
  void add_encoded(std::string_view encoded);
  std::uint64_t digest() const;

 private:
  // Values are gathered here and hashed in large pieces: a streaming update costs more than
  // the few bytes of one value (the digest is that of the same bytes either way).
  void flush() const;

  void* state_;  // XXH3_state_t
  mutable std::string pending_;
};

// SQLite integers are signed: a checksum is stored as the same 64 bits.
inline std::int64_t to_stored(std::uint64_t checksum) {
  return static_cast<std::int64_t>(checksum);
}
inline std::uint64_t from_stored(std::int64_t stored) { return static_cast<std::uint64_t>(stored); }

}  // namespace tailq::store
