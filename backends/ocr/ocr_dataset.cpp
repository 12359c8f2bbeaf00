// The generated OCR lines on disk and in memory: the cache file (one per generator version,
// seed, line count and degradation; written to a temporary file and renamed into place) and the
// Dataset that hands the in-memory images to the backend.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "ocr/ocr_lines.hpp"
#include "tailq/error.hpp"

namespace tailq {
namespace {

constexpr std::string_view kMagic = "tailq-ocr-lines\n";
constexpr std::uint32_t kMaxSide = 1u << 15;

void put(std::string& out, std::uint64_t value, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void put_text(std::string& out, std::string_view text) {
  put(out, text.size(), 4);
  out += text;
}

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return hash;
}

// Reads little-endian fields from a byte string; `ok` turns false at the first overrun.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  std::uint64_t number(std::size_t bytes) {
    const std::string_view field = text(bytes);
    std::uint64_t value = 0;
    for (std::size_t i = field.size(); i-- > 0;) {
      value = (value << 8) | static_cast<unsigned char>(field[i]);
    }
    return value;
  }
  std::string_view text(std::size_t size) {
    return take(size) ? bytes_.substr(at_ - size, size) : std::string_view();
  }
  bool ok() const { return ok_; }
  std::size_t at() const { return at_; }

 private:
  bool take(std::size_t size) {
    ok_ = ok_ && size <= bytes_.size() - at_;
    if (ok_) at_ += size;
    return ok_;
  }
  std::string_view bytes_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string serialize_lines(const LineSetOptions& options, std::span<const LineImage> lines) {
  std::string out(kMagic);
  put(out, kOcrGeneratorVersion, 4);
  put(out, options.seed, 8);
  put(out, lines.size(), 8);
  put(out, static_cast<std::uint32_t>(options.degradation), 4);
  for (const LineImage& line : lines) {
    put_text(out, line.text);
    put_text(out, line.font);
    put(out, line.width, 4);
    put(out, line.height, 4);
    out.append(reinterpret_cast<const char*>(line.pixels.data()), line.pixels.size());
  }
  put(out, fnv1a(out), 8);
  return out;
}

std::optional<std::vector<LineImage>> parse_lines(const LineSetOptions& options,
                                                  std::string_view bytes) {
  if (bytes.size() < 8 || fnv1a(bytes.substr(0, bytes.size() - 8)) !=
                              Reader(bytes.substr(bytes.size() - 8)).number(8)) {
    return std::nullopt;
  }
  Reader in(bytes.substr(0, bytes.size() - 8));
  if (in.text(kMagic.size()) != kMagic || in.number(4) != kOcrGeneratorVersion ||
      in.number(8) != options.seed || in.number(8) != options.lines ||
      in.number(4) != static_cast<std::uint32_t>(options.degradation)) {
    return std::nullopt;
  }
  std::vector<LineImage> lines(options.lines);
  for (LineImage& line : lines) {
    line.text = in.text(in.number(4));
    line.font = in.text(in.number(4));
    line.width = static_cast<std::uint32_t>(in.number(4));
    line.height = static_cast<std::uint32_t>(in.number(4));
    if (!in.ok() || line.width == 0 || line.height == 0 || line.width > kMaxSide ||
        line.height > kMaxSide) {
      return std::nullopt;
    }
    const std::string_view pixels = in.text(std::size_t{line.width} * line.height);
    line.pixels.assign(pixels.begin(), pixels.end());
  }
  if (!in.ok() || in.at() != bytes.size() - 8) return std::nullopt;
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
  if (std::ifstream file{path, std::ios::binary}) {
    std::ostringstream bytes;
    bytes << file.rdbuf();
    if (auto lines = parse_lines(options, bytes.str())) {
      if (generated) *generated = false;
      return std::move(*lines);
    }
    // A damaged or foreign file: made again below and replaced.
  }
  std::vector<LineImage> lines = generate_lines(options);
  const std::string bytes = serialize_lines(options, lines);
  std::error_code ec;
  std::filesystem::create_directories(cache_dir, ec);
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      throw InputError(tmp.string() + ": cannot write the OCR line cache (" + std::strerror(errno) +
                       ")");
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw InputError(path.string() + ": cannot write the OCR line cache (" + ec.message() + ")");
  }
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
