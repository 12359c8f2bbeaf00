// The generated OCR lines on disk and in memory: the cache file (one per generator version,
// seed, line count and degradation; written to a temporary file and renamed into place) and the
// Dataset that hands the in-memory images to the backend.
#include <stdexcept>

#include "ocr/cache_file.hpp"
#include "ocr/ocr_lines.hpp"
#include "tailq/error.hpp"

namespace tailq {
namespace {

constexpr std::string_view kMagic = "tailq-ocr-lines\n";
constexpr std::uint32_t kMaxSide = 1u << 15;

}  // namespace

std::string serialize_lines(const LineSetOptions& options, std::span<const LineImage> lines) {
  using cache_file::put;
  std::string out(kMagic);
  put(out, kOcrGeneratorVersion, 4);
  put(out, options.seed, 8);
  put(out, lines.size(), 8);
  put(out, static_cast<std::uint32_t>(options.degradation), 4);
  for (const LineImage& line : lines) put_image(out, line);
  cache_file::seal(out);
  return out;
}

void put_image(std::string& out, const LineImage& image) {
  cache_file::put_text(out, image.text);
  cache_file::put_text(out, image.font);
  cache_file::put(out, image.width, 4);
  cache_file::put(out, image.height, 4);
  out.append(reinterpret_cast<const char*>(image.pixels.data()), image.pixels.size());
}

bool read_image(cache_file::Reader& in, LineImage& image) {
  image.text = in.text();
  image.font = in.text();
  image.width = static_cast<std::uint32_t>(in.number(4));
  image.height = static_cast<std::uint32_t>(in.number(4));
  if (!in.ok() || image.width == 0 || image.height == 0 || image.width > kMaxSide ||
      image.height > kMaxSide) {
    return false;
  }
  const std::string_view pixels = in.text(std::size_t{image.width} * image.height);
  image.pixels.assign(pixels.begin(), pixels.end());
  return in.ok();
}

std::optional<std::vector<LineImage>> parse_lines(const LineSetOptions& options,
                                                  std::string_view bytes) {
  const auto body = cache_file::unseal(bytes);
  if (!body) return std::nullopt;
  cache_file::Reader in(*body);
  if (in.text(kMagic.size()) != kMagic || in.number(4) != kOcrGeneratorVersion ||
      in.number(8) != options.seed || in.number(8) != options.lines ||
      in.number(4) != static_cast<std::uint32_t>(options.degradation)) {
    return std::nullopt;
  }
  std::vector<LineImage> lines(options.lines);
  for (LineImage& line : lines) {
    if (!read_image(in, line)) return std::nullopt;
  }
  if (!in.at_end()) return std::nullopt;
  return lines;
}

std::filesystem::path line_cache_path(const std::filesystem::path& cache_dir,
                                      const LineSetOptions& options) {
  return cache_dir / ("lines-v" + std::to_string(kOcrGeneratorVersion) + "-seed" +
                      std::to_string(options.seed) + "-n" + std::to_string(options.lines) + "-" +
                      std::string(to_string(options.degradation)) + ".bin");
}

std::vector<LineImage> load_or_generate_lines(const std::filesystem::path& cache_dir,
                                              const LineSetOptions& options, bool* generated) {
  const std::filesystem::path path = line_cache_path(cache_dir, options);
  if (const auto bytes = cache_file::read(path)) {
    if (auto lines = parse_lines(options, *bytes)) {
      if (generated) *generated = false;
      return std::move(*lines);
    }
    // A damaged or foreign file: made again below and replaced.
  }
  std::vector<LineImage> lines = generate_lines(options);
  cache_file::write(path, serialize_lines(options, lines), "the OCR line cache");
  if (generated) *generated = true;
  return lines;
}

OcrDataset::OcrDataset(std::vector<LineImage> lines, std::string name)
    : lines_(std::move(lines)), name_(std::move(name)) {}

std::optional<double> OcrDataset::input_size(std::size_t instance) const {
  // Characters are code points: count the bytes that do not continue a UTF-8 sequence.
  std::size_t characters = 0;
  for (char c : lines_.at(instance).text)
    characters += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return static_cast<double>(characters);
}

void OcrDataset::prepare(std::span<const std::uint32_t> instances, Batch& batch) {
  if (batch.images.size() < instances.size() || batch.shape.empty()) {
    throw std::logic_error("OcrDataset::prepare: the batch has no room for the images");
  }
  for (std::size_t j = 0; j < instances.size(); ++j) {
    const LineImage& line = lines_.at(instances[j]);
    batch.images[j] = GrayImage{line.pixels.data(), static_cast<int>(line.width),
                                static_cast<int>(line.height), static_cast<int>(line.width)};
  }
  batch.size = instances.size();
  batch.shape[0] = static_cast<std::int64_t>(instances.size());
}

}  // namespace tailq
