#include "import/csv_reader.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "tailq/error.hpp"

namespace tailq::import_detail {
namespace {

// Closes the file on every exit path, including the throwing ones.
struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

[[noreturn]] void fail_read(const std::filesystem::path& path, std::string_view reason) {
  throw InputError(path.string() + ": cannot read: " + std::string(reason));
}

}  // namespace

FileBuffer read_whole_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail_read(path, "is a directory");
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) fail_read(path, std::strerror(errno));
  // A regular file is read with one read into a buffer of its size. Pipes and devices (e.g.
  // /dev/stdin) have no size, so the buffer grows until the end of the stream instead.
  const std::uintmax_t size_hint = std::filesystem::file_size(path, ec);
  std::size_t capacity = ec ? std::size_t{1} << 16 : static_cast<std::size_t>(size_hint) + 1;

  FileBuffer buffer;
  // make_unique_for_overwrite: zero-filling hundreds of MB that the read overwrites is waste.
  buffer.data = std::make_unique_for_overwrite<char[]>(capacity);
  for (;;) {
    buffer.size +=
        std::fread(buffer.data.get() + buffer.size, 1, capacity - buffer.size, file.get());
    if (buffer.size < capacity) break;  // end of file or error, told apart below
    auto larger = std::make_unique_for_overwrite<char[]>(capacity * 2);
    std::memcpy(larger.get(), buffer.data.get(), buffer.size);
    buffer.data = std::move(larger);
    capacity *= 2;
  }
  if (std::ferror(file.get())) fail_read(path, std::strerror(errno));
  return buffer;
}

CsvReader::CsvReader(const std::filesystem::path& path)
    : name_(path.string()), buffer_(read_whole_file(path)) {
  pos_ = buffer_.data.get();
  end_ = pos_ + buffer_.size;
  if (end_ - pos_ >= 3 && std::memcmp(pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
  // Trailing line breaks end the last record; dropping them here means the parser never sees
  // an empty record at the end, so "a,b\n" and "a,b\n\n" read the same.
  while (end_ > pos_ && (end_[-1] == '\n' || end_[-1] == '\r')) --end_;
}

std::size_t CsvReader::records_left_bound() const {
  // Eight bytes at a time: std::count is not vectorised at -O2 and would cost a noticeable
  // share of the whole parse. Per byte, the high bit of `t` is set exactly when x is 0.
  constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  constexpr std::uint64_t kNewlines = 0x0A0A0A0A0A0A0A0AULL;
  std::size_t count = 1;
  const char* p = pos_;
  for (; end_ - p >= 8; p += 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    const std::uint64_t x = word ^ kNewlines;
    const std::uint64_t t = ~(((x & kLow7) + kLow7) | x | kLow7);
    count += static_cast<std::size_t>(std::popcount(t));
  }
  return count + static_cast<std::size_t>(std::count(p, static_cast<const char*>(end_), '\n'));
}

void CsvReader::fail(std::size_t line, std::size_t field, std::string_view problem) const {
  fail_at(name_, line, "field " + std::to_string(field), problem);
}

bool CsvReader::next(CsvRow& row) {
  if (pos_ >= end_) return false;
  row.line = line_;
  row.fields.clear();
  char* p = pos_;
  for (;;) {
    const std::size_t field_number = row.fields.size() + 1;
    if (p < end_ && *p == '"') {
      // Unescape in place: the content only shrinks ("" -> "), so writing behind the read
      // position is safe and the field needs no allocation.
      const std::size_t start_line = line_;
      char* const content = p + 1;
      char* out = content;
      char* in = content;
      for (;;) {
        auto* quote = static_cast<char*>(std::memchr(in, '"', end_ - in));
        if (quote == nullptr) fail(start_line, field_number, "unterminated quoted field");
        for (char* c = in; c < quote; ++c) line_ += (*c == '\n');
        if (out != in) std::memmove(out, in, quote - in);
        out += quote - in;
        if (quote + 1 < end_ && quote[1] == '"') {
          *out++ = '"';
          in = quote + 2;
          continue;
        }
        in = quote + 1;
        break;
      }
      row.fields.emplace_back(content, out - content);
      p = in;
      if (p == end_) break;
      if (*p == ',') {
        ++p;
        continue;
      }
      if (*p == '\r' && p + 1 < end_ && p[1] == '\n') ++p;
      if (*p == '\n') {
        ++p;
        ++line_;
        break;
      }
      fail(line_, field_number, "unexpected character after closing quote");
    }

    char* const start = p;
    while (p < end_ && *p != ',' && *p != '\n' && *p != '"') ++p;
    if (p < end_ && *p == '"') fail(line_, field_number, "quote inside an unquoted field");
    if (p < end_ && *p == ',') {
      row.fields.emplace_back(start, p - start);
      ++p;
      continue;
    }
    char* field_end = p;
    if (field_end > start && field_end[-1] == '\r') --field_end;
    row.fields.emplace_back(start, field_end - start);
    if (p < end_) {
      ++p;
      ++line_;
    }
    break;
  }
  pos_ = p;
  return true;
}

void fail_at(std::string_view file, std::size_t line, std::string_view field,
             std::string_view problem) {
  std::string message(file);
  message += ':';
  message += std::to_string(line);
  message += ": ";
  if (!field.empty()) {
    message += field;
    message += ": ";
  }
  message += problem;
  throw InputError(message);
}

void fail_file(std::string_view file, std::string_view problem) {
  std::string message(file);
  message += ": ";
  message += problem;
  throw InputError(message);
}

double parse_double(std::string_view text, std::string_view file, std::size_t line,
                    std::string_view field) {
  double value = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  // from_chars rejects a leading '+', which printf-style writers emit with "%+g".
  if (first != last && *first == '+') ++first;
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec == std::errc::result_out_of_range) {
    fail_at(file, line, field, "out of range " + single_quoted(text));
  }
  if (ec != std::errc() || ptr != last || first == last) {
    fail_at(file, line, field, "not a number " + single_quoted(text));
  }
  if (std::isnan(value)) fail_at(file, line, field, "NaN");
  if (std::isinf(value)) fail_at(file, line, field, "infinite value " + single_quoted(text));
  return value + 0.0;  // -0 becomes +0, so that equal times compare and print alike
}

std::int64_t parse_int64(std::string_view text, std::string_view file, std::size_t line,
                         std::string_view field) {
  std::int64_t value = 0;
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, value);
  if (ec == std::errc::result_out_of_range) {
    fail_at(file, line, field, "out of range " + single_quoted(text));
  }
  if (ec != std::errc() || ptr != last) {
    fail_at(file, line, field, "not an integer " + single_quoted(text));
  }
  return value;
}

std::string format_double(double value) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

std::string format_float(float value) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

std::string single_quoted(std::string_view text) {
  constexpr std::size_t kMaxShown = 60;
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    // A quoted field may hold line breaks; escaping them keeps the error on one line.
    if (text[i] == '\n') {
      out += "\\n";
    } else if (text[i] == '\r') {
      out += "\\r";
    } else {
      out += text[i];
    }
  }
  if (text.size() > kMaxShown) out += "...";
  out += '\'';
  return out;
}

}  // namespace tailq::import_detail
