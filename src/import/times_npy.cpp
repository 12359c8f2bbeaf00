// read_times_npy: times from two numpy .npy files, parsed without numpy or any library.
// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "import/csv_reader.hpp"
#include "tailq/import.hpp"

namespace tailq {
namespace {

using import_detail::fail_file;
using import_detail::single_quoted;

struct NpyArray {
  std::string name;
  import_detail::FileBuffer buffer;
  bool big_endian = false;
  std::size_t item_size = 0;  // 4 or 8
  std::vector<std::uint64_t> shape;
  std::size_t data_offset = 0;
};

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

// The header is a Python dict literal written by numpy's format module, e.g.
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }. This parses exactly the subset
// that numpy writes.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::string_view file) : text_(text), file_(file) {}

  void parse(NpyArray& array) {
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (skip_space() != '}') {
      const std::string key = parse_string();
      expect(':');
      skip_space();
      if (key == "descr" && !seen_descr) {
        seen_descr = true;
        if (peek() != '\'' && peek() != '"') {
          fail("unsupported dtype (structured array); expected float64 or float32");
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

  void parse_descr(const std::string& descr, NpyArray& array) const {
    if (descr == "<f8" || descr == ">f8" || descr == "<f4" || descr == ">f4") {
      array.big_endian = descr[0] == '>';
      array.item_size = descr[2] == '8' ? 8 : 4;
      return;
    }
    fail("unsupported dtype " + single_quoted(descr) +
         "; expected float64 or float32 ('<f8', '<f4', '>f8' or '>f4')");
  }

  std::string_view text_;
  std::string_view file_;
  std::size_t pos_ = 0;
};

NpyArray read_npy(const std::filesystem::path& path) {
  NpyArray array;
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
  if (array.shape.size() != 2) {
    fail_file(array.name,
              "expected a 2-D array (rounds, instances), got shape " + shape_text(array.shape));
  }
  if (array.shape[0] == 0 || array.shape[1] == 0) {
    fail_file(array.name, "empty array, shape " + shape_text(array.shape));
  }
  const std::uint64_t actual = size - array.data_offset;
  if (array.shape[1] > UINT64_MAX / array.item_size / array.shape[0]) {
    fail_file(array.name, "shape " + shape_text(array.shape) + " is too large");
  }
  const std::uint64_t expected = array.shape[0] * array.shape[1] * array.item_size;
  if (actual != expected) {
    fail_file(array.name, std::string(actual < expected ? "truncated" : "trailing") +
                              " data: expected " + std::to_string(expected) +
                              " bytes after the header, found " + std::to_string(actual));
  }
  return array;
}

template <typename Bits>
Bits byte_swap(Bits bits) {
  Bits swapped = 0;
  for (std::size_t k = 0; k < sizeof(Bits); ++k) {
    swapped = static_cast<Bits>(swapped << 8 | (bits & 0xFF));
    bits = static_cast<Bits>(bits >> 8);
  }
  return swapped;
}

// Decodes every element into `out` and rejects values that are no time.
template <typename Float, typename Bits>
void decode(const NpyArray& array, std::vector<double>& out) {
  const char* data = array.buffer.data.get() + array.data_offset;
  const bool swap = array.big_endian != (std::endian::native == std::endian::big);
  const std::size_t columns = array.shape[1];
  out.resize(array.shape[0] * columns);
  for (std::size_t k = 0; k < out.size(); ++k) {
    Bits bits;
    std::memcpy(&bits, data + k * sizeof(Bits), sizeof(Bits));
    if (swap) bits = byte_swap(bits);
    const auto value = std::bit_cast<Float>(bits);
    if (!std::isfinite(value) || value < 0) {
      std::string problem;
      if (std::isnan(value)) {
        problem = "NaN";
      } else if (std::isinf(value)) {
        problem = value < 0 ? "infinite time -inf" : "infinite time inf";
      } else if constexpr (sizeof(Float) == 4) {
        problem = "negative time " + import_detail::format_float(value);
      } else {
        problem = "negative time " + import_detail::format_double(value);
      }
      fail_file(array.name, "element [" + std::to_string(k / columns) + ", " +
                                std::to_string(k % columns) + "]: " + problem);
    }
    out[k] = static_cast<double>(value) + 0.0;  // -0 becomes +0
  }
}

void decode(const NpyArray& array, std::vector<double>& out) {
  if (array.item_size == 8) {
    decode<double, std::uint64_t>(array, out);
  } else {
    decode<float, std::uint32_t>(array, out);
  }
}

}  // namespace

ImportedTimes read_times_npy(const std::filesystem::path& inference,
                             const std::filesystem::path& total) {
  const NpyArray inference_array = read_npy(inference);
  const NpyArray total_array = read_npy(total);
  if (inference_array.shape != total_array.shape) {
    fail_file(inference_array.name, "shape " + shape_text(inference_array.shape) +
                                        " differs from shape " + shape_text(total_array.shape) +
                                        " of " + total_array.name);
  }
  ImportedTimes out;
  decode(inference_array, out.inference_s);
  decode(total_array, out.total_s);

  const std::size_t rounds = inference_array.shape[0];
  const std::size_t instances = inference_array.shape[1];
  out.instance_names.reserve(instances);
  out.batch_of_instance.resize(instances);
  for (std::size_t i = 0; i < instances; ++i) {
    out.instance_names.push_back(std::to_string(i));
    out.batch_of_instance[i] = static_cast<std::uint32_t>(i);
  }
  out.batch_count = instances;
  out.round_indices.resize(rounds);
  for (std::size_t r = 0; r < rounds; ++r) out.round_indices[r] = static_cast<std::int64_t>(r);
  return out;
}

}  // namespace tailq
