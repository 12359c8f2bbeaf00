// A small RFC 4180 CSV reader and the field parsers shared by the import readers. Private to
// src/import: the public interface is tailq/import.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tailq::import_detail {

// The whole content of a file, read with one read: the readers parse files of hundreds of MB
// and keep string_views into this buffer instead of copying fields.
struct FileBuffer {
  std::unique_ptr<char[]> data;
  std::size_t size = 0;
};

// Throws InputError `<path>: cannot read: <reason>`.
FileBuffer read_whole_file(const std::filesystem::path& path);

// One record. `fields` point into the reader's buffer and stay valid as long as the reader.
struct CsvRow {
  std::size_t line = 0;  // 1-based line on which the record starts
  std::vector<std::string_view> fields;
};

// Reads a CSV file record by record. Quoted fields may hold commas, line breaks and "" escapes;
// records end with LF or CRLF; a UTF-8 BOM at the start and line breaks at the end are ignored.
// An empty line inside the file is a record with one empty field, so callers reject it through
// their field count check.
class CsvReader {
 public:
  explicit CsvReader(const std::filesystem::path& path);  // throws InputError

  // Fills `row` with the next record; false at the end of the file. Throws InputError on a
  // malformed record (unterminated quote, stray quote).
  bool next(CsvRow& row);

  // An upper bound of the records left (their line breaks), to reserve memory up front: growing
  // a vector of millions of rows by doubling would touch about twice the memory.
  std::size_t records_left_bound() const;

  // The file name as the user wrote it, for error messages.
  const std::string& name() const { return name_; }

 private:
  [[noreturn]] void fail(std::size_t line, std::size_t field, std::string_view problem) const;

  std::string name_;
  FileBuffer buffer_;
  char* pos_ = nullptr;
  char* end_ = nullptr;
  std::size_t line_ = 1;
};

// Throws InputError `<file>:<line>: <field>: <problem>` (or `<file>:<line>: <problem>` when
// `field` is empty): the one error line format of all CSV readers.
[[noreturn]] void fail_at(std::string_view file, std::size_t line, std::string_view field,
                          std::string_view problem);

// Throws InputError `<file>: <problem>`, for errors that belong to no single line.
[[noreturn]] void fail_file(std::string_view file, std::string_view problem);

// Whole-field parsers that throw with the message format above, so that every reader reports
// bad numbers alike. `parse_double` accepts decimal and exponent notation, rejects NaN and
// infinities; neither accepts surrounding spaces, as a silently trimmed field would hide a
// malformed file.
double parse_double(std::string_view text, std::string_view file, std::size_t line,
                    std::string_view field);
std::int64_t parse_int64(std::string_view text, std::string_view file, std::size_t line,
                         std::string_view field);

// Shortest text that reads back as the same value, e.g. "-0.001".
std::string format_double(double value);
std::string format_float(float value);

// `text` in single quotes, shortened when very long so that the error stays one readable line.
std::string single_quoted(std::string_view text);

}  // namespace tailq::import_detail
