#include "store/checksum.hpp"

// Header-only: the hash is inlined into the loops that call it.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <bit>
#include <cstring>
#include <new>

namespace tailq::store {

static_assert(std::endian::native == std::endian::little,
              "checksums hash the little-endian bytes of numbers");

std::uint64_t detail::xxh3_portable(const void* data, std::size_t bytes, std::uint64_t seed) {
  return XXH3_64bits_withSeed(data, bytes, seed);
}

std::uint64_t detail::xxh3_fast(const void* data, std::size_t bytes, std::uint64_t seed) {
#ifdef TAILQ_XXH3_AVX2
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return xxh3_avx2(data, bytes, seed);
#endif
  return xxh3_portable(data, bytes, seed);
}

std::uint64_t blob_checksum(std::int64_t round, BlobKind kind, const void* data,
                            std::size_t bytes) {
  const std::uint64_t seed =
      static_cast<std::uint64_t>(round) * 4 + static_cast<std::uint64_t>(kind);
  return detail::xxh3_fast(data, bytes, seed);
}

namespace {

// Appends little-endian fields to a fixed buffer.
struct Packer {
  unsigned char bytes[64];
  std::size_t size = 0;
  template <typename T>
  void put(T value) {
    static_assert(sizeof(T) <= 8);
    std::memcpy(bytes + size, &value, sizeof value);
    size += sizeof value;
  }
};

}  // namespace

std::uint64_t round_checksum(const RoundInfo& round, const BlobChecksums& blobs) {
  Packer p;
  p.put(round.index);
  p.put(static_cast<std::uint8_t>(round.warmup ? 1 : 0));
  p.put(round.started_unix_s);
  p.put(static_cast<std::uint8_t>(round.output_hash ? 1 : 0));
  p.put(round.output_hash.value_or(0));
  p.put(static_cast<std::uint8_t>(round.offered_qps ? 1 : 0));
  p.put(round.offered_qps.value_or(0.0));
  p.put(blobs.inference);
  p.put(blobs.total);
  p.put(static_cast<std::uint8_t>(blobs.query ? 1 : 0));
  p.put(blobs.query.value_or(0));
  return XXH3_64bits(p.bytes, p.size);
}

std::uint64_t block_checksum(std::int64_t first, std::int64_t count, std::int64_t measured,
                             std::string_view info, std::uint64_t inference, std::uint64_t total,
                             std::optional<std::uint64_t> query) {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  auto put = [&state](auto value) { XXH3_64bits_update(&state, &value, sizeof value); };
  put(first);
  put(count);
  put(measured);
  put(static_cast<std::uint64_t>(info.size()));
  if (!info.empty()) XXH3_64bits_update(&state, info.data(), info.size());
  put(inference);
  put(total);
  put(static_cast<std::uint8_t>(query ? 1 : 0));
  put(query.value_or(0));
  return XXH3_64bits_digest(&state);
}

ValueHasher::ValueHasher() : state_(XXH3_createState()) {
  if (state_ == nullptr) throw std::bad_alloc();
  XXH3_64bits_reset(static_cast<XXH3_state_t*>(state_));
}

ValueHasher::~ValueHasher() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }

void ValueHasher::flush() const {
  XXH3_64bits_update(static_cast<XXH3_state_t*>(state_), pending_.data(), pending_.size());
  pending_.clear();
}

void ValueHasher::add_column(sqlite3_stmt* statement, int column) {
  const int type = sqlite3_column_type(statement, column);
  std::int64_t integer = 0;
  double real = 0;
  std::string_view bytes;
  if (type == SQLITE_INTEGER) {
    integer = sqlite3_column_int64(statement, column);
  } else if (type == SQLITE_FLOAT) {
    real = sqlite3_column_double(statement, column);
  } else if (type == SQLITE_TEXT || type == SQLITE_BLOB) {
    // For TEXT, sqlite3_column_text before sqlite3_column_bytes: the documented order.
    const void* data = type == SQLITE_TEXT
                           ? static_cast<const void*>(sqlite3_column_text(statement, column))
                           : sqlite3_column_blob(statement, column);
    const auto length = static_cast<std::size_t>(sqlite3_column_bytes(statement, column));
    if (data != nullptr) bytes = std::string_view(static_cast<const char*>(data), length);
  }
  add_value(type, integer, real, bytes);
}

void ValueHasher::encode(std::string& out, int type, std::int64_t integer, double real,
                         std::string_view bytes) {
  const bool number = type == SQLITE_INTEGER || type == SQLITE_FLOAT;
  const bool text = type == SQLITE_TEXT || type == SQLITE_BLOB;
  const std::size_t at = out.size();
  // Sized once, then filled: three appends cost more than the bytes of a small value.
  out.resize(at + 1 + (number || text ? 8 : 0) + (text ? bytes.size() : 0));
  char* p = out.data() + at;
  *p++ = static_cast<char>(static_cast<unsigned char>(type));
  if (type == SQLITE_INTEGER) {
    std::memcpy(p, &integer, sizeof integer);
  } else if (type == SQLITE_FLOAT) {
    std::memcpy(p, &real, sizeof real);
  } else if (text) {
    const auto length = static_cast<std::uint64_t>(bytes.size());
    std::memcpy(p, &length, sizeof length);
    if (!bytes.empty()) std::memcpy(p + sizeof length, bytes.data(), bytes.size());
  }
}

void ValueHasher::add_value(int type, std::int64_t integer, double real, std::string_view bytes) {
  encode(pending_, type, integer, real, bytes);
  if (pending_.size() >= std::size_t{1} << 16) flush();
}

void ValueHasher::add_encoded(std::string_view encoded) {
  flush();
  XXH3_64bits_update(static_cast<XXH3_state_t*>(state_), encoded.data(), encoded.size());
}

void ValueHasher::add_row(sqlite3_stmt* statement) {
  const int columns = sqlite3_column_count(statement);
  for (int c = 0; c < columns; ++c) add_column(statement, c);
}

std::uint64_t ValueHasher::digest() const {
  flush();
  return XXH3_64bits_digest(static_cast<const XXH3_state_t*>(state_));
}

}  // namespace tailq::store
