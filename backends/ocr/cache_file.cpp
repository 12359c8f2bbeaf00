#include "ocr/cache_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tailq/error.hpp"

namespace tailq::cache_file {

void put(std::string& out, std::uint64_t value, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void put_text(std::string& out, std::string_view text) {
  put(out, text.size(), 4);
  out += text;
}

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return hash;
}

void seal(std::string& out) { put(out, fnv1a(out), 8); }

std::optional<std::string_view> unseal(std::string_view bytes) {
  if (bytes.size() < 8) return std::nullopt;
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  if (fnv1a(body) != Reader(bytes.substr(bytes.size() - 8)).number(8)) return std::nullopt;
  return body;
}

std::uint64_t Reader::number(std::size_t bytes) {
  const std::string_view field = text(bytes);
  std::uint64_t value = 0;
  for (std::size_t i = field.size(); i-- > 0;) {
    value = (value << 8) | static_cast<unsigned char>(field[i]);
  }
  return value;
}

std::string_view Reader::text(std::size_t size) {
  return take(size) ? bytes_.substr(at_ - size, size) : std::string_view();
}

bool Reader::take(std::size_t size) {
  ok_ = ok_ && size <= bytes_.size() - at_;
  if (ok_) at_ += size;
  return ok_;
}

std::optional<std::string> read(const std::filesystem::path& path) {
  std::ifstream file{path, std::ios::binary};
  if (!file) return std::nullopt;
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return std::move(bytes).str();
}

void write(const std::filesystem::path& path, std::string_view bytes, std::string_view what) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      throw InputError(tmp.string() + ": cannot write " + std::string(what) + " (" +
                       std::strerror(errno) + ")");
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw InputError(path.string() + ": cannot write " + std::string(what) + " (" + ec.message() +
                     ")");
  }
}

}  // namespace tailq::cache_file
