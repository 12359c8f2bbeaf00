#include "collect/digits_dataset.hpp"

#include <zlib.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "tailq/error.hpp"

namespace tailq {
namespace {

constexpr std::size_t kFields = DigitsDataset::kPixels + 1;  // 64 pixels, then the label
constexpr int kClasses = 10;

struct GzCloser {
  void operator()(gzFile file) const { gzclose_r(file); }
};
using GzHandle = std::unique_ptr<gzFile_s, GzCloser>;

[[noreturn]] void fail_file(const std::filesystem::path& path, std::string_view problem) {
  throw InputError(path.string() + ": " + std::string(problem));
}

[[noreturn]] void fail_line(const std::filesystem::path& path, std::size_t line,
                            std::string_view problem) {
  throw InputError(path.string() + ":" + std::to_string(line) + ": " + std::string(problem));
}

// A field as it may be quoted in a one-line message: control characters (e.g. a stray '\r')
// would break the line, and a huge field would drown it.
std::string printable(std::string_view field) {
  constexpr std::size_t kMaxShown = 20;
  std::string shown;
  for (char c : field.substr(0, kMaxShown)) {
    shown += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  if (field.size() > kMaxShown) shown += "...";
  return shown;
}

// The whole decompressed file. zlib reads a file that is not gzip "transparently" as is, so
// that case is rejected explicitly rather than parsed as plain CSV: the file is documented and
// shipped compressed, and anything else is more likely a wrong path than a choice.
std::string read_gzip(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail_file(path, "no such file");
  if (std::filesystem::is_directory(path, ec)) fail_file(path, "cannot read: is a directory");
  errno = 0;
  GzHandle file(gzopen(path.c_str(), "rb"));
  if (!file) {
    fail_file(path,
              std::string("cannot read: ") + (errno != 0 ? std::strerror(errno) : "out of memory"));
  }
  std::string text;
  std::array<char, 1 << 16> chunk;
  int got = 0;
  while ((got = gzread(file.get(), chunk.data(), static_cast<unsigned>(chunk.size()))) > 0) {
    // Checked on the first chunk, once zlib has looked at the header.
    if (text.empty() && gzdirect(file.get()) != 0) fail_file(path, "not a gzip file");
    text.append(chunk.data(), static_cast<std::size_t>(got));
  }
  // gzread stops with 0 on a truncated stream too; only gzerror tells the two apart.
  int error = Z_OK;
  const char* message = gzerror(file.get(), &error);
  if (got < 0 || error != Z_OK) {
    std::string_view reason = error == Z_ERRNO ? std::strerror(errno) : message;
    // zlib puts the path in front of its own messages; this one already starts with it.
    const std::string prefix = path.string() + ": ";
    if (reason.starts_with(prefix)) reason.remove_prefix(prefix.size());
    fail_file(path, "corrupt gzip data: " + std::string(reason));
  }
  // An empty file has no gzip header either; zlib reports it as a clean end of file.
  if (text.empty() && gzdirect(file.get()) != 0) fail_file(path, "not a gzip file");
  if (text.empty()) fail_file(path, "empty: no rows");
  return text;
}

// A field that must be a whole decimal number in [0, max]; no sign, spaces or fraction, as in
// the file sklearn ships, so a damaged file is caught rather than half-read.
int parse_field(const std::filesystem::path& path, std::size_t line, std::string_view field,
                std::string_view what, int max) {
  int value = 0;
  const auto [end, status] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (field.empty() || status == std::errc::invalid_argument ||
      end != field.data() + field.size()) {
    fail_line(path, line, std::string(what) + ": '" + printable(field) + "' is not an integer");
  }
  if (status == std::errc::result_out_of_range || value < 0 || value > max) {
    fail_line(
        path, line,
        std::string(what) + ": " + printable(field) + " is outside 0.." + std::to_string(max));
  }
  return value;
}

}  // namespace

DigitsDataset::DigitsDataset(const std::filesystem::path& path) {
  for (int c = 0; c < kClasses; ++c) classes_.push_back(std::to_string(c));

  const std::string text = read_gzip(path);
  std::string_view rest = text;
  // The file ends with a newline; a last line without one is accepted too.
  if (rest.ends_with('\n')) rest.remove_suffix(1);
  std::array<std::string_view, kFields> fields;
  std::size_t row = 0;
  while (true) {
    const std::size_t line_end = rest.find('\n');
    std::string_view line = rest.substr(0, line_end);
    if (line.ends_with('\r')) line.remove_suffix(1);  // written on Windows
    const std::size_t line_number = row + 1;

    // Every row is checked, training rows included: the trainer reads them all, and a file
    // that is damaged anywhere should not give a test split that merely looks fine.
    std::size_t count = 0;
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = line.find(',', start);
      if (count < kFields) fields[count] = line.substr(start, comma - start);
      ++count;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (count != kFields) {
      fail_line(path, line_number,
                "expected " + std::to_string(kFields) + " fields, found " + std::to_string(count));
    }
    std::array<int, kPixels> values;
    for (std::size_t p = 0; p < kPixels; ++p) {
      values[p] =
          parse_field(path, line_number, fields[p], "pixel " + std::to_string(p + 1), kMaxPixel);
    }
    const int digit = parse_field(path, line_number, fields[kPixels], "label", kClasses - 1);

    if (row % kTestEvery == 0) {
      // Exact in float (16 is a power of two), and the same value the trainer computes.
      for (int v : values) pixels_.push_back(static_cast<float>(v) / 16.0f);
      labels_.push_back(static_cast<std::uint8_t>(digit));
    }
    ++row;
    if (line_end == std::string_view::npos) break;
    rest.remove_prefix(line_end + 1);
  }
}

void DigitsDataset::prepare(std::span<const std::uint32_t> instances, Batch& batch) {
  const std::size_t n = instances.size();
  if (batch.input.size() < n * kPixels || batch.shape.size() != 4) {
    throw std::logic_error("DigitsDataset::prepare: batch buffers too small for " +
                           std::to_string(n) + " instances");
  }
  float* out = batch.input.data();
  for (std::uint32_t instance : instances) {
    if (instance >= labels_.size()) {
      throw std::logic_error("DigitsDataset::prepare: no instance " + std::to_string(instance));
    }
    std::memcpy(out, pixels_.data() + std::size_t{instance} * kPixels, kPixels * sizeof(float));
    out += kPixels;
  }
  batch.size = n;
  batch.shape[0] = static_cast<std::int64_t>(n);
  batch.shape[1] = 1;
  batch.shape[2] = static_cast<std::int64_t>(kSide);
  batch.shape[3] = static_cast<std::int64_t>(kSide);
}

}  // namespace tailq
