// The built-in default workload's data: the held-out test split of the UCI optical handwritten
// digits (8x8 images, 10 classes), read from the gzip-compressed CSV that Debian's
// python3-sklearn ships. workloads/digits/train.py trains the model on the other rows; both
// read the same file with the same split and pre-processing, so the accuracy the trainer
// reports is the nominal quality a trace of this dataset shows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "tailq/harness.hpp"

namespace tailq {

// Where Debian's python3-sklearn installs the data (sklearn.datasets.load_digits reads it too).
inline constexpr char kDefaultDigitsPath[] =
    "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";

class DigitsDataset final : public Dataset {
 public:
  static constexpr std::size_t kSide = 8;
  static constexpr std::size_t kPixels = kSide * kSide;
  static constexpr int kMaxPixel = 16;
  // Row i of the file (0-based, data rows in file order) is a test row iff i % kTestEvery == 0.
  static constexpr std::size_t kTestEvery = 5;

  // Reads and checks the whole file; throws InputError (one line: file, line, field) when it is
  // missing, not gzip, corrupt or has a malformed row.
  explicit DigitsDataset(const std::filesystem::path& path = kDefaultDigitsPath);

  std::string name() const override { return "uci-digits-test"; }
  std::size_t size() const override { return labels_.size(); }
  std::string label(std::size_t instance) const override {
    return classes_.at(labels_.at(instance));
  }
  std::vector<std::int64_t> instance_shape() const override {
    return {1, static_cast<std::int64_t>(kSide), static_cast<std::int64_t>(kSide)};
  }
  const std::vector<std::string>& classes() const override { return classes_; }
  // Copies the already normalised pixels: no allocation, no I/O. Throws std::logic_error when
  // the caller's buffers are too small or an instance is out of range (a harness bug).
  void prepare(std::span<const std::uint32_t> instances, Batch& batch) override;

  // The 0-based data row of the file that test instance `instance` came from.
  std::size_t file_row(std::size_t instance) const { return instance * kTestEvery; }
  // The normalised pixels (value / 16) of one instance, row-major.
  std::span<const float> pixels(std::size_t instance) const {
    if (instance >= size()) throw std::out_of_range("DigitsDataset::pixels: no such instance");
    return std::span<const float>(pixels_).subspan(instance * kPixels, kPixels);
  }

 private:
  std::vector<float> pixels_;         // size() x kPixels, already divided by 16
  std::vector<std::uint8_t> labels_;  // the digit, which is also its class index
  std::vector<std::string> classes_;  // "0".."9"
};

}  // namespace tailq
