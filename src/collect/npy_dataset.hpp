// The model workload's data (`tailq run --model M --inputs X.npy --labels y`): the user's own
// test set, for any model that maps a batch of X's rows to a row of class scores each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tailq/harness.hpp"

namespace tailq {

// The files that make up one test set; see RunSettings::inputs for their formats.
struct ModelData {
  std::filesystem::path inputs;       // .npy, N x ..., float32/64 or uint8 (values as stored)
  std::filesystem::path labels;       // .npy of N integers, or text with one label per line
  std::filesystem::path classes;      // optional: class names in the model's output order
  std::filesystem::path input_sizes;  // optional: .npy or text, one number per input
};

class NpyDataset final : public Dataset {
 public:
  // Reads and checks every file; throws InputError naming the file and the line or element.
  // Without a classes file the labels are class indices, named "0", "1", ... once the model's
  // output width is known (set_output_width).
  explicit NpyDataset(const ModelData& files);

  // The number of scores the model gives per instance. Throws InputError when it differs from
  // the number of class names, or when a label is no class the model can answer.
  void set_output_width(std::size_t width);

  std::string name() const override { return name_; }
  std::size_t size() const override { return labels_.size(); }
  std::string label(std::size_t instance) const override {
    return classes_.at(labels_.at(instance));
  }
  std::optional<double> input_size(std::size_t instance) const override {
    if (sizes_.empty()) return std::nullopt;
    return sizes_.at(instance);
  }
  std::vector<std::int64_t> instance_shape() const override { return instance_shape_; }
  const std::vector<std::string>& classes() const override { return classes_; }
  // Copies the rows of `instances` into the front of batch.input: no allocation, no I/O.
  void prepare(std::span<const std::uint32_t> instances, Batch& batch) override;

 private:
  std::size_t read_inputs();  // returns the number of inputs
  void read_labels(std::size_t count);
  void read_sizes(std::size_t count);

  std::string name_;
  ModelData files_;
  std::vector<std::int64_t> instance_shape_;
  std::size_t row_floats_ = 0;         // elements per instance
  std::vector<float> inputs_;          // size() x row_floats_
  std::vector<std::uint32_t> labels_;  // class index per instance
  std::vector<std::string> classes_;   // by output index
  std::vector<double> sizes_;          // per instance, or empty
  bool named_classes_ = false;         // classes_ came from a file
  std::uint32_t largest_label_ = 0;
};

}  // namespace tailq
