// The byte layer of the OCR workloads' cache files (generated lines and pages): little-endian
// fields, a trailing FNV-1a checksum, and a write that a reader never sees half done.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tailq::cache_file {

void put(std::string& out, std::uint64_t value, std::size_t bytes);
void put_text(std::string& out, std::string_view text);  // 4-byte length, then the bytes
std::uint64_t fnv1a(std::string_view bytes);
// Appends the checksum of everything before it.
void seal(std::string& out);
// The bytes before the checksum, or nullopt when it does not match.
std::optional<std::string_view> unseal(std::string_view bytes);

// Reads little-endian fields from a byte string; `ok` turns false at the first overrun.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  std::uint64_t number(std::size_t bytes);
  std::string_view text(std::size_t size);
  std::string_view text() { return text(number(4)); }  // as put_text wrote it
  bool ok() const { return ok_; }
  bool at_end() const { return ok_ && at_ == bytes_.size(); }

 private:
  bool take(std::size_t size);
  std::string_view bytes_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

// The whole file, or nullopt when it cannot be read.
std::optional<std::string> read(const std::filesystem::path& path);
// Writes a temporary file beside `path` and renames it into place. Throws InputError naming
// `what` (e.g. "the OCR line cache") when it cannot.
void write(const std::filesystem::path& path, std::string_view bytes, std::string_view what);

}  // namespace tailq::cache_file
