// The OCR workload's data: text lines generated deterministically from a seed. Words come from
// the English word list Debian ships (wamerican), lines are rendered with real fonts (DejaVu,
// Liberation) by Pango and Cairo into 8-bit grayscale images, and seeded degradations (low
// contrast, slight rotation, blur, noise) are applied. A generated set is cached on disk, so
// rounds and resumed runs read it rather than render again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <pcg_random.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tailq/harness.hpp"

namespace tailq {
namespace cache_file {
class Reader;
}

inline constexpr char kDefaultWordList[] = "/usr/share/dict/american-english";
// Where `tailq run --workload ocr` keeps generated sets, relative to the working directory (like
// its traces in out/).
inline constexpr char kOcrCacheDir[] = "out/ocr-data";
// Bumped whenever the same seed would give different lines or pixels: keys the cache.
inline constexpr std::uint32_t kOcrGeneratorVersion = 1;

// How hard the lines are to read: clean renderings, or seeded degradations of two strengths.
enum class Degradation : std::uint32_t { none = 0, light = 1, heavy = 2 };
Degradation parse_degradation(std::string_view text);  // throws InputError
std::string_view to_string(Degradation degradation);

struct LineSetOptions {
  std::size_t lines = 200;
  std::uint64_t seed = 1;
  Degradation degradation = Degradation::light;
  std::filesystem::path word_list = kDefaultWordList;
};

// What one line (or page, textdet_pages.hpp) says and how it is drawn: drawn from the seed
// before anything is rendered.
struct LineSpec {
  std::string text;             // ASCII words separated by single spaces; a page's lines by '\n'
  std::string font;             // Pango font description without size, e.g. "DejaVu Serif Bold"
  double pixel_size = 0;        // font size in pixels (em)
  double angle_deg = 0;         // rotation, counter-clockwise
  double ink = 0, paper = 255;  // gray levels of the text and the background
  double blur_sigma = 0;        // Gaussian blur, pixels; 0: none
  double noise_sigma = 0;       // additive Gaussian noise, gray levels; 0: none
};

struct LineImage {
  std::string text;  // the ground truth
  std::string font;  // font description and size, for people reading the data
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> pixels;  // width x height, row-major, 0 black .. 255 white
};

// A word's box in a rendering, whole pixels: the smallest that holds its ink.
struct WordBox {
  std::uint32_t x = 0, y = 0, width = 0, height = 0;
};

// Words of the list made of ASCII letters only, in file order. Throws InputError.
std::vector<std::string> read_word_list(const std::filesystem::path& path);
// The draws that plan_lines makes for a line, in its order, shared with the pages: a text of
// words (sometimes a number, sometimes with a comma; a final comma becomes a full stop) of at
// most `target` characters, or one word of at most `target`; then the font, size and degradation.
std::string plan_text(pcg32& rng, std::span<const std::string> words, std::size_t target);
void plan_look(pcg32& rng, Degradation degradation, LineSpec& spec);
// The specs of `options.lines` lines: lengths from 3 to 90 characters, six font families in four
// styles, five sizes. Line i depends only on the seed and lines 0..i-1, so a larger set begins
// with a smaller one.
std::vector<LineSpec> plan_lines(std::span<const std::string> words, const LineSetOptions& options);
// Plans and renders a whole set (ocr_render.cpp); line i draws its noise from PCG stream i + 1
// of the seed. Throws InputError when the word list or a font is missing.
std::vector<LineImage> generate_lines(const LineSetOptions& options);
// Renders specs[i] with the noise of PCG stream i + 1 of `seed` (ocr_render.cpp). With
// `word_boxes`, (*word_boxes)[i] receives the box of every word of specs[i] (the runs between
// spaces and line ends) in text order, from Pango's layout of its glyphs. Throws InputError when
// a font is missing.
std::vector<LineImage> render_specs(std::span<const LineSpec> specs, std::uint64_t seed,
                                    std::vector<std::vector<WordBox>>* word_boxes = nullptr);

// The cache file format: every line's truth, font and pixels, with a checksum.
std::string serialize_lines(const LineSetOptions& options, std::span<const LineImage> lines);
// One image in the cache format (text, font, size, pixels), and back: false when the bytes end
// early or the size is implausible.
void put_image(std::string& out, const LineImage& image);
bool read_image(cache_file::Reader& in, LineImage& image);
// nullopt when `bytes` is not a complete set made with these options by this generator.
std::optional<std::vector<LineImage>> parse_lines(const LineSetOptions& options,
                                                  std::string_view bytes);
// The cache file of a set in `cache_dir`: named by generator version, seed, count, degradation.
std::filesystem::path line_cache_path(const std::filesystem::path& cache_dir,
                                      const LineSetOptions& options);
// Reads the cached set, or generates it and writes the cache (temporary file + rename, so a
// reader never sees half a file). `generated` says which happened.
std::vector<LineImage> load_or_generate_lines(const std::filesystem::path& cache_dir,
                                              const LineSetOptions& options,
                                              bool* generated = nullptr);

// A Dataset over generated lines: the label is the line's text, the input its image, the input
// size its length in characters. No classes: answers are text.
class OcrDataset final : public Dataset {
 public:
  OcrDataset(std::vector<LineImage> lines, std::string name);
  std::string name() const override { return name_; }
  std::size_t size() const override { return lines_.size(); }
  std::string label(std::size_t instance) const override { return lines_.at(instance).text; }
  std::optional<double> input_size(std::size_t instance) const override;
  std::vector<std::int64_t> instance_shape() const override { return {}; }
  const std::vector<std::string>& classes() const override { return no_classes_; }
  // Points batch.images at the in-memory images: no copy, no allocation, no I/O.
  void prepare(std::span<const std::uint32_t> instances, Batch& batch) override;
  const std::vector<LineImage>& lines() const { return lines_; }

 private:
  std::vector<LineImage> lines_;
  std::string name_;
  std::vector<std::string> no_classes_;
};

}  // namespace tailq
