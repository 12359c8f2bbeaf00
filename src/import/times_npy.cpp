// read_times_npy: times from two numpy .npy files (the format: import/npy.hpp).
#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "import/csv_reader.hpp"
#include "import/npy.hpp"
#include "tailq/import.hpp"

namespace tailq {
namespace {

using import_detail::fail_file;
using import_detail::single_quoted;

using npy::shape_text;

// The times importer's view of an array: float32 or float64, (rounds, instances), not empty.
npy::Array read_times_array(const std::filesystem::path& path) {
  return npy::read(path, [](const npy::Array& array) {
    if (array.kind != 'f') {
      fail_file(array.name, "unsupported dtype " + single_quoted(array.descr) +
                                "; expected float64 or float32 ('<f8', '<f4', '>f8' or '>f4')");
    }
    if (array.shape.size() != 2) {
      fail_file(array.name,
                "expected a 2-D array (rounds, instances), got shape " + shape_text(array.shape));
    }
    if (array.shape[0] == 0 || array.shape[1] == 0) {
      fail_file(array.name, "empty array, shape " + shape_text(array.shape));
    }
  });
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
void decode(const npy::Array& array, std::vector<double>& out) {
  const char* data = array.data();
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

void decode(const npy::Array& array, std::vector<double>& out) {
  if (array.item_size == 8) {
    decode<double, std::uint64_t>(array, out);
  } else {
    decode<float, std::uint32_t>(array, out);
  }
}

}  // namespace

ImportedTimes read_times_npy(const std::filesystem::path& inference,
                             const std::filesystem::path& total) {
  const npy::Array inference_array = read_times_array(inference);
  const npy::Array total_array = read_times_array(total);
  if (inference_array.shape != total_array.shape) {
    fail_file(inference_array.name, "shape " + shape_text(inference_array.shape) +
                                        " differs from shape " + shape_text(total_array.shape) +
                                        " of " + total_array.name);
  }
  ImportedTimes out;
  decode(inference_array, out.inference_s);
  decode(total_array, out.total_s);
  const std::size_t columns = inference_array.shape[1];
  for (std::size_t k = 0; k < out.total_s.size(); ++k) {
    if (out.total_s[k] < out.inference_s[k]) {
      fail_file(total_array.name,
                "element [" + std::to_string(k / columns) + ", " + std::to_string(k % columns) +
                    "] (round " + std::to_string(k / columns) + ", instance " +
                    std::to_string(k % columns) + "): total time " +
                    import_detail::format_double(out.total_s[k]) + " is less than inference time " +
                    import_detail::format_double(out.inference_s[k]) + " in " +
                    inference_array.name + " (total includes inference: are the files swapped?)");
    }
  }

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
