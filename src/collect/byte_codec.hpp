// The byte codec of the messages between the ranks of an MPI job (docs/multi-node.md): the
// run's phases (collect/rank_link.hpp) and the sharded analyses (tailq/shards.hpp) in
// analyse/ and model/, which exchange their partial results as such messages.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace tailq::detail {

// Little-endian values, strings and arrays appended to one message.
class ByteWriter {
 public:
  template <class T>
  void put(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  void put_string(std::string_view s) {
    put<std::uint64_t>(s.size());
    bytes_.append(s);
  }
  template <class T>
  void put_array(std::span<const T> values) {
    static_assert(std::is_trivially_copyable_v<T>);
    put<std::uint64_t>(values.size());
    if (!values.empty()) {  // an empty span's data() may be null
      bytes_.append(reinterpret_cast<const char*>(values.data()), values.size_bytes());
    }
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

// Reads what a ByteWriter wrote, from bytes that outlive it; a short or malformed message is a
// bug (std::runtime_error).
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : rest_(bytes) {}
  template <class T>
  T get() {
    T value;
    std::memcpy(&value, take(sizeof value).data(), sizeof value);
    return value;
  }
  std::string get_string() { return std::string(take(get<std::uint64_t>())); }
  template <class T>
  void get_array(std::vector<T>& out) {
    const auto n = get<std::uint64_t>();
    if (n > rest_.size() / sizeof(T)) throw std::runtime_error("a rank's message is cut short");
    out.resize(n);
    const std::string_view bytes = take(n * sizeof(T));
    // An empty vector's data() may be null, which memcpy must not get even for no bytes.
    if (n > 0) std::memcpy(out.data(), bytes.data(), n * sizeof(T));
  }

 private:
  std::string_view take(std::size_t n) {
    if (n > rest_.size()) throw std::runtime_error("a rank's message is cut short");
    const std::string_view part = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return part;
  }
  std::string_view rest_;
};

}  // namespace tailq::detail
