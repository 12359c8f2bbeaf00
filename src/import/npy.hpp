// The numpy .npy format, read without numpy: the header (a Python dict literal) and the raw
// data of one array. Shared by the times importer and the model workload's inputs and labels.
// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "import/csv_reader.hpp"

namespace tailq::npy {

// One array as stored: its bytes stay in the file's buffer, decoded on demand.
struct Array {
  std::string name;  // the file as the user wrote it, for messages
  import_detail::FileBuffer buffer;
  std::string descr;          // numpy's dtype string, e.g. "<f4", "|u1"
  char kind = 'f';            // 'f' floating point, 'i' signed or 'u' unsigned integer
  std::size_t item_size = 0;  // bytes per element: 1, 2, 4 or 8 (floats: 4 or 8)
  bool big_endian = false;
  std::vector<std::uint64_t> shape;
  std::size_t data_offset = 0;  // where the elements start in `buffer`

  std::size_t elements() const;
  const char* data() const { return buffer.data.get() + data_offset; }
  // Element k (row-major) as a double: exact for every integer below 2^53 and every float.
  double at(std::size_t k) const;
  // numpy's name of the dtype: "float32", "uint8", "int64", ...
  std::string dtype_name() const;
};

// Reads a whole .npy file and checks its header and that the data is exactly as long as the
// shape says. Accepts C-order arrays of float32/64 and (u)int8/16/32/64, either byte order.
// Throws InputError `<file>: <problem>` otherwise. `check_header`, when given, sees the array
// once its header is parsed (dtype and shape known, data not yet checked), so that a caller's
// own requirement is reported before a length mismatch that follows from it.
Array read(const std::filesystem::path& path,
           const std::function<void(const Array&)>& check_header = {});

// A shape as Python prints it: "(3, 4)", "(6,)".
std::string shape_text(const std::vector<std::uint64_t>& shape);

}  // namespace tailq::npy
