// The .npy reader (npy.hpp).
#include "import/npy.hpp"

#include <bit>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace tailq::npy {

using import_detail::fail_file;
using import_detail::single_quoted;

std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string text = "(";
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (k > 0) text += ", ";
    text += std::to_string(shape[k]);
  }
  // Python's spelling, so that the shape reads as the user's numpy printed it.
  text += shape.size() == 1 ? ",)" : ")";
  return text;
}

namespace {

// The header is a Python dict literal written by numpy's format module, e.g.
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }. This parses exactly the subset
// that numpy writes.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::string_view file) : text_(text), file_(file) {}

  void parse(Array& array) {
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (skip_space() != '}') {
      const std::string key = parse_string();
      expect(':');
      skip_space();
      if (key == "descr" && !seen_descr) {
        seen_descr = true;
        if (peek() != '\'' && peek() != '"') {
          fail("unsupported dtype (structured array); expected a plain numeric dtype");
        }
        parse_descr(parse_string(), array);
      } else if (key == "fortran_order" && !seen_order) {
        seen_order = true;
        const std::string_view value = parse_word();
        if (value == "True") {
          fail(
              "Fortran-order arrays are not supported; save a C-order array "
              "(numpy.ascontiguousarray)");
        }
        if (value != "False") fail("bad header: fortran_order is " + single_quoted(value));
      } else if (key == "shape" && !seen_shape) {
        seen_shape = true;
        array.shape = parse_shape();
      } else {
        fail("bad header: unexpected or repeated key " + single_quoted(key));
      }
      if (skip_space() == ',') {
        ++pos_;
      } else if (peek() != '}') {
        fail("bad header: expected ',' or '}' after " + single_quoted(key));
      }
    }
    ++pos_;
    if (skip_space() != '\0') fail("bad header: text after the closing '}'");
    if (!seen_descr || !seen_order || !seen_shape) {
      fail("bad header: it needs the keys 'descr', 'fortran_order' and 'shape'");
    }
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const { fail_file(file_, problem); }

  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  // Returns the first character that is not white space ('\0' at the end).
  char skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n')) ++pos_;
    return peek();
  }

  void expect(char c) {
    if (skip_space() != c) fail(std::string("bad header: expected '") + c + "'");
    ++pos_;
  }

  std::string parse_string() {
    const char quote = skip_space();
    if (quote != '\'' && quote != '"') fail("bad header: expected a quoted key or value");
    const std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) fail("bad header: unterminated string");
    std::string value(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return value;
  }

  std::string_view parse_word() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && std::isalnum(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  std::vector<std::uint64_t> parse_shape() {
    expect('(');
    std::vector<std::uint64_t> shape;
    while (skip_space() != ')') {
      const std::string_view word = parse_word();
      std::uint64_t value = 0;
      // Python 2 numpy wrote long integers as "3L".
      const std::size_t digits = word.ends_with('L') ? word.size() - 1 : word.size();
      if (digits == 0) fail("bad header: shape is not a tuple of integers");
      for (std::size_t k = 0; k < digits; ++k) {
        if (word[k] < '0' || word[k] > '9' || value > (UINT64_MAX - 9) / 10) {
          fail("bad header: bad shape entry " + single_quoted(word));
        }
        value = value * 10 + static_cast<std::uint64_t>(word[k] - '0');
      }
      shape.push_back(value);
      if (skip_space() == ',') {
        ++pos_;
      } else if (peek() != ')') {
        fail("bad header: shape is not a tuple of integers");
      }
    }
    ++pos_;
    return shape;
  }

  void parse_descr(const std::string& descr, Array& array) const {
    array.descr = descr;
    // '<' little-endian, '>' big-endian, '|' and '=' for one-byte or native types.
    const bool order_ok = descr.size() >= 3 && (descr[0] == '<' || descr[0] == '>' ||
                                                descr[0] == '|' || descr[0] == '=');
    const char kind = descr.size() >= 3 ? descr[1] : '\0';
    const std::string_view bytes = order_ok ? std::string_view(descr).substr(2) : "";
    const bool floating = kind == 'f' && (bytes == "4" || bytes == "8");
    const bool integer = (kind == 'i' || kind == 'u') &&
                         (bytes == "1" || bytes == "2" || bytes == "4" || bytes == "8");
    if (!order_ok || (!floating && !integer)) {
      fail("unsupported dtype " + single_quoted(descr) +
           "; expected float32/64 or (u)int8/16/32/64");
    }
    array.kind = kind;
    array.item_size = static_cast<std::size_t>(bytes[0] - '0');
    array.big_endian =
        descr[0] == '>' || (descr[0] == '=' && std::endian::native == std::endian::big);
  }

  std::string_view text_;
  std::string_view file_;
  std::size_t pos_ = 0;
};

}  // namespace

Array read(const std::filesystem::path& path,
           const std::function<void(const Array&)>& check_header) {
  Array array;
  array.name = path.string();
  array.buffer = import_detail::read_whole_file(path);
  const auto* bytes = reinterpret_cast<const unsigned char*>(array.buffer.data.get());
  const std::size_t size = array.buffer.size;
  if (size < 10 || std::memcmp(bytes, "\x93NUMPY", 6) != 0) {
    fail_file(array.name, "not a .npy file (bad magic; expected \\x93NUMPY)");
  }
  const unsigned major = bytes[6], minor = bytes[7];
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    fail_file(array.name, "unsupported .npy version " + std::to_string(major) + "." +
                              std::to_string(minor) + " (expected 1.0, 2.0 or 3.0)");
  }
  // Version 1 stores the header length in 2 bytes, versions 2 and 3 in 4 (little-endian).
  const std::size_t prefix = major == 1 ? 10 : 12;
  if (size < prefix) fail_file(array.name, "truncated header");
  std::size_t header_size = std::size_t{bytes[8]} | std::size_t{bytes[9]} << 8;
  if (major != 1) header_size |= std::size_t{bytes[10]} << 16 | std::size_t{bytes[11]} << 24;
  if (header_size > size - prefix) fail_file(array.name, "truncated header");
  array.data_offset = prefix + header_size;

  const std::string_view header(array.buffer.data.get() + prefix, header_size);
  HeaderParser(header, array.name).parse(array);
  if (check_header) check_header(array);
  std::uint64_t expected = array.item_size;
  for (std::uint64_t extent : array.shape) {
    if (extent != 0 && expected > UINT64_MAX / extent) {
      fail_file(array.name, "shape " + shape_text(array.shape) + " is too large");
    }
    expected *= extent;
  }
  const std::uint64_t actual = size - array.data_offset;
  if (actual != expected) {
    fail_file(array.name, std::string(actual < expected ? "truncated" : "trailing") +
                              " data: expected " + std::to_string(expected) +
                              " bytes after the header, found " + std::to_string(actual));
  }
  return array;
}

std::size_t Array::elements() const {
  std::size_t count = 1;
  for (std::uint64_t extent : shape) count *= static_cast<std::size_t>(extent);
  return count;
}

namespace {

template <typename Bits>
Bits load(const char* at, bool swap) {
  Bits bits;
  std::memcpy(&bits, at, sizeof(Bits));
  if (swap && sizeof(Bits) > 1) {
    Bits swapped = 0;
    for (std::size_t k = 0; k < sizeof(Bits); ++k) {
      swapped = static_cast<Bits>(swapped << 8 | (bits & 0xFF));
      bits = static_cast<Bits>(bits >> 8);
    }
    bits = swapped;
  }
  return bits;
}

}  // namespace

double Array::at(std::size_t k) const {
  const char* p = data() + k * item_size;
  const bool swap = big_endian != (std::endian::native == std::endian::big);
  if (kind == 'f') {
    if (item_size == 4) return std::bit_cast<float>(load<std::uint32_t>(p, swap));
    return std::bit_cast<double>(load<std::uint64_t>(p, swap));
  }
  switch (item_size) {
    case 1:
      return kind == 'u' ? double(load<std::uint8_t>(p, swap))
                         : double(std::bit_cast<std::int8_t>(load<std::uint8_t>(p, swap)));
    case 2:
      return kind == 'u' ? double(load<std::uint16_t>(p, swap))
                         : double(std::bit_cast<std::int16_t>(load<std::uint16_t>(p, swap)));
    case 4:
      return kind == 'u' ? double(load<std::uint32_t>(p, swap))
                         : double(std::bit_cast<std::int32_t>(load<std::uint32_t>(p, swap)));
    default:
      return kind == 'u' ? double(load<std::uint64_t>(p, swap))
                         : double(std::bit_cast<std::int64_t>(load<std::uint64_t>(p, swap)));
  }
}

std::string Array::dtype_name() const {
  const std::string bits = std::to_string(item_size * 8);
  return (kind == 'f' ? "float" : kind == 'u' ? "uint" : "int") + bits;
}

}  // namespace tailq::npy
