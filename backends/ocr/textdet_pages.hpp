// The text detection workload's data (docs/detection.md, "Text detection"): pages of several
// lines generated deterministically from a seed, in the OCR lines' vocabulary, fonts, sizes and
// degradations (ocr_lines.hpp), one font and size per page. Each word's ground-truth box comes
// from Pango's layout. Like the lines, a generated set is cached on disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ocr/ocr_lines.hpp"
#include "tailq/harness.hpp"

namespace tailq {

// Bumped whenever the same seed would give different pages, pixels or boxes: keys the cache.
inline constexpr std::uint32_t kTextdetGeneratorVersion = 1;
// The one COCO category of the ground truth and the detections.
inline constexpr std::int64_t kWordCategory = 1;

struct PageSetOptions {
  std::size_t pages = 30;
  std::uint64_t seed = 1;
  Degradation degradation = Degradation::light;
  std::filesystem::path word_list = kDefaultWordList;
};

struct PageImage {
  LineImage image;             // image.text: the page's lines, separated by '\n'
  std::vector<WordBox> words;  // one per word of image.text, in text order
};

// The specs of `options.pages` pages: 1 to 10 lines of 10 to 60 characters each (so from one word
// to about 80 a page). Page i depends only on the seed and pages 0..i-1, so a larger set begins
// with a smaller one.
std::vector<LineSpec> plan_pages(std::span<const std::string> words, const PageSetOptions& options);
// Plans and renders a whole set; page i draws its noise from PCG stream i + 1 of the seed. Throws
// InputError when the word list or a font is missing.
std::vector<PageImage> generate_pages(const PageSetOptions& options);

// The cache file: every page's text, font, pixels and word boxes, with a checksum.
std::string serialize_pages(const PageSetOptions& options, std::span<const PageImage> pages);
// nullopt when `bytes` is not a complete set made with these options by this generator.
std::optional<std::vector<PageImage>> parse_pages(const PageSetOptions& options,
                                                  std::string_view bytes);
std::filesystem::path page_cache_path(const std::filesystem::path& cache_dir,
                                      const PageSetOptions& options);
// Reads the cached set, or generates it and writes the cache; `generated` says which happened.
std::vector<PageImage> load_or_generate_pages(const std::filesystem::path& cache_dir,
                                              const PageSetOptions& options,
                                              bool* generated = nullptr);

// A page's ground truth as a detection trace keeps it: every word box in category 1, its area
// width * height, not a crowd.
std::string page_ground_truth(const PageImage& page);

// A Dataset over generated pages: the label is the ground truth, the input the page's image, the
// input size its number of words. The answers are detections.
class TextdetDataset final : public Dataset {
 public:
  TextdetDataset(std::vector<PageImage> pages, std::string name);
  std::string name() const override { return name_; }
  std::size_t size() const override { return pages_.size(); }
  std::string label(std::size_t instance) const override { return labels_.at(instance); }
  std::optional<double> input_size(std::size_t instance) const override {
    return static_cast<double>(pages_.at(instance).words.size());
  }
  std::vector<std::int64_t> instance_shape() const override { return {}; }
  const std::vector<std::string>& classes() const override { return no_classes_; }
  Answers answers() const override { return Answers::detections; }
  // Points batch.images at the in-memory images: no copy, no allocation, no I/O.
  void prepare(std::span<const std::uint32_t> instances, Batch& batch) override;
  const std::vector<PageImage>& pages() const { return pages_; }

 private:
  std::vector<PageImage> pages_;
  std::vector<std::string> labels_;
  std::string name_;
  std::vector<std::string> no_classes_;
};

}  // namespace tailq
