#include "collect/npy_dataset.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "import/csv_reader.hpp"
#include "import/npy.hpp"
#include "tailq/error.hpp"

namespace tailq {
namespace {

using import_detail::fail_at;
using import_detail::fail_file;
using import_detail::single_quoted;

bool is_npy(const std::filesystem::path& path) { return path.extension() == ".npy"; }

// The lines of a text file, one value each: no quoting, so that a class name may hold commas
// ("tench, Tinca tinca"). A final line break and CR of CRLF files are dropped; an empty line
// is an error, as a silently skipped one would shift every label after it.
std::vector<std::string> read_lines(const std::filesystem::path& path) {
  const import_detail::FileBuffer file = import_detail::read_whole_file(path);
  std::string_view text(file.data.get(), file.size);
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<std::string> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) fail_at(path.string(), lines.size() + 1, "", "empty line");
    lines.emplace_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  if (lines.empty()) fail_file(path.string(), "empty file");
  return lines;
}

// One value per instance from a 1-D (or N x 1) numeric .npy.
std::vector<double> read_column(const std::filesystem::path& path) {
  const npy::Array array = npy::read(path, [](const npy::Array& a) {
    if (a.shape.size() != 1 && !(a.shape.size() == 2 && a.shape[1] == 1)) {
      fail_file(a.name,
                "expected one value per input, shape (N,), got shape " + npy::shape_text(a.shape));
    }
  });
  std::vector<double> values(array.elements());
  for (std::size_t k = 0; k < values.size(); ++k) values[k] = array.at(k);
  return values;
}

// A class index from a label value: a whole number from 0 up.
std::uint32_t class_index(double value, const std::string& file, std::size_t row) {
  if (!(value >= 0) || value != std::floor(value) ||
      value > std::numeric_limits<std::uint32_t>::max()) {
    fail_file(file, "element [" + std::to_string(row) +
                        "]: " + import_detail::format_double(value) +
                        " is not a class index (a whole number from 0)");
  }
  return static_cast<std::uint32_t>(value);
}

// A class index written as text: decimal digits only.
std::uint32_t text_class_index(const std::string& text, const std::string& file, std::size_t line) {
  std::uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    fail_at(file, line, "",
            single_quoted(text) +
                " is not a class index (a whole number from 0); for class names give the "
                "classes file");
  }
  return value;
}

}  // namespace

NpyDataset::NpyDataset(const ModelData& files) : files_(files) {
  name_ = files.inputs.filename().string();
  const std::size_t count = read_inputs();
  read_labels(count);
  if (!files.input_sizes.empty()) read_sizes(count);
}

std::size_t NpyDataset::read_inputs() {
  const ModelData& files = files_;
  const npy::Array inputs = npy::read(files.inputs, [](const npy::Array& a) {
    if (a.kind == 'i' || (a.kind == 'u' && a.item_size != 1)) {
      fail_file(a.name,
                "inputs of dtype " + a.dtype_name() + "; expected float32, float64 or uint8");
    }
    if (a.shape.empty() || a.shape[0] == 0) {
      fail_file(a.name,
                "expected N x ... inputs, one per row, got shape " + npy::shape_text(a.shape));
    }
  });
  const std::size_t count = inputs.shape[0];
  if (count > std::numeric_limits<std::uint32_t>::max()) {
    fail_file(inputs.name, "more than 2^32 - 1 inputs");
  }
  for (std::size_t d = 1; d < inputs.shape.size(); ++d) {
    if (inputs.shape[d] == 0) {
      fail_file(inputs.name, "an instance has no values, shape " + npy::shape_text(inputs.shape));
    }
    instance_shape_.push_back(static_cast<std::int64_t>(inputs.shape[d]));
  }
  row_floats_ = inputs.elements() / count;
  inputs_.resize(inputs.elements());
  const bool native_float32 = inputs.kind == 'f' && inputs.item_size == 4 &&
                              inputs.big_endian == (std::endian::native == std::endian::big);
  if (native_float32) {
    std::memcpy(inputs_.data(), inputs.data(), inputs_.size() * sizeof(float));
  } else {
    for (std::size_t k = 0; k < inputs_.size(); ++k) inputs_[k] = float(inputs.at(k));
  }
  for (std::size_t k = 0; k < inputs_.size(); ++k) {
    if (!std::isfinite(inputs_[k])) {
      fail_file(inputs.name,
                "element [" + std::to_string(k / row_floats_) + ", " +
                    std::to_string(k % row_floats_) +
                    "] (flattened): " + (std::isnan(inputs_[k]) ? "NaN" : "infinite") +
                    (inputs.kind == 'f' && inputs.item_size == 8 && std::isfinite(inputs.at(k))
                         ? " in float32 (too large)"
                         : ""));
    }
  }

  return count;
}

void NpyDataset::read_labels(std::size_t count) {
  const ModelData& files = files_;
  std::unordered_map<std::string, std::uint32_t> index_of;
  if (!files.classes.empty()) {
    classes_ = read_lines(files.classes);
    named_classes_ = true;
    for (std::size_t c = 0; c < classes_.size(); ++c) {
      // A trace stores a top-k answer as names separated by spaces.
      if (classes_[c].find_first_of(" \t") != std::string::npos) {
        fail_at(files.classes.string(), c + 1, "",
                "class " + single_quoted(classes_[c]) +
                    " holds a space; use names without spaces (e.g. n01440764 or tench)");
      }
      if (!index_of.emplace(classes_[c], static_cast<std::uint32_t>(c)).second) {
        fail_at(files.classes.string(), c + 1, "",
                "class " + single_quoted(classes_[c]) + " appears twice");
      }
    }
  }
  const std::string labels_name = files.labels.string();
  if (is_npy(files.labels)) {
    const std::vector<double> values = read_column(files.labels);
    labels_.reserve(values.size());
    for (std::size_t k = 0; k < values.size(); ++k) {
      labels_.push_back(class_index(values[k], labels_name, k));
    }
  } else {
    const std::vector<std::string> lines = read_lines(files.labels);
    labels_.reserve(lines.size());
    for (std::size_t k = 0; k < lines.size(); ++k) {
      if (named_classes_) {
        const auto found = index_of.find(lines[k]);
        if (found == index_of.end()) {
          fail_at(labels_name, k + 1, "",
                  single_quoted(lines[k]) + " is not a class in " + files.classes.string());
        }
        labels_.push_back(found->second);
      } else {
        labels_.push_back(text_class_index(lines[k], labels_name, k + 1));
      }
    }
  }
  if (labels_.size() != count) {
    fail_file(labels_name, std::to_string(labels_.size()) + " labels for the " +
                               std::to_string(count) + " inputs of " + files.inputs.string());
  }
  for (std::uint32_t label : labels_) largest_label_ = std::max(largest_label_, label);
  if (named_classes_ && largest_label_ >= classes_.size()) {
    fail_file(labels_name, "label " + std::to_string(largest_label_) + " is not one of the " +
                               std::to_string(classes_.size()) + " classes in " +
                               files.classes.string());
  }
}

void NpyDataset::read_sizes(std::size_t count) {
  const ModelData& files = files_;
  if (is_npy(files.input_sizes)) {
    sizes_ = read_column(files.input_sizes);
  } else {
    const std::string sizes_name = files.input_sizes.string();
    const std::vector<std::string> lines = read_lines(files.input_sizes);
    for (std::size_t k = 0; k < lines.size(); ++k) {
      sizes_.push_back(import_detail::parse_double(lines[k], sizes_name, k + 1, "size"));
    }
  }
  if (sizes_.size() != count) {
    fail_file(files.input_sizes.string(), std::to_string(sizes_.size()) + " sizes for the " +
                                              std::to_string(count) + " inputs of " +
                                              files.inputs.string());
  }
  for (std::size_t k = 0; k < sizes_.size(); ++k) {
    if (!std::isfinite(sizes_[k]) || sizes_[k] < 0) {
      fail_file(files.input_sizes.string(), "size " + std::to_string(k) + " is " +
                                                import_detail::format_double(sizes_[k]) +
                                                "; expected a number from 0");
    }
  }
}

void NpyDataset::set_output_width(std::size_t width) {
  if (named_classes_ && width != classes_.size()) {
    throw InputError("the model gives " + std::to_string(width) + " scores per input, but " +
                     files_.classes.string() + " names " + std::to_string(classes_.size()) +
                     " classes");
  }
  if (largest_label_ >= width) {
    throw InputError(files_.labels.string() + ": label " + std::to_string(largest_label_) +
                     " is not a class of the model, which gives " + std::to_string(width) +
                     " scores per input (classes 0 to " + std::to_string(width - 1) + ")");
  }
  if (!named_classes_) {
    classes_.clear();
    for (std::size_t c = 0; c < width; ++c) classes_.push_back(std::to_string(c));
  }
}

void NpyDataset::prepare(std::span<const std::uint32_t> instances, Batch& batch) {
  if (instances.size() * row_floats_ > batch.input.size() ||
      batch.shape.size() != instance_shape_.size() + 1) {
    throw std::logic_error("NpyDataset::prepare: the batch buffers are too small");
  }
  float* slot = batch.input.data();
  for (std::uint32_t i : instances) {
    if (i >= size()) throw std::logic_error("NpyDataset::prepare: no such instance");
    std::memcpy(slot, inputs_.data() + std::size_t{i} * row_floats_, row_floats_ * sizeof(float));
    slot += row_floats_;
  }
  batch.size = instances.size();
  batch.shape[0] = static_cast<std::int64_t>(instances.size());
  for (std::size_t d = 0; d < instance_shape_.size(); ++d) batch.shape[d + 1] = instance_shape_[d];
}

}  // namespace tailq
