// Tests of the file readers behind `tailq import`: the CSV reader, times CSV, times .npy and
// outcomes CSV. Every error test checks that the one-line message names file, line and field.
#include "tailq/import.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "import/csv_reader.hpp"
#include "tailq/error.hpp"
#include "tailq/metric.hpp"
#include "test_util.hpp"

namespace tailq {
namespace {

namespace fs = std::filesystem;
using import_detail::CsvReader;
using import_detail::CsvRow;
using namespace std::string_literals;

// A fresh directory per test, so tests neither see each other's files nor leave any behind.
class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    dir_ = fs::temp_directory_path() / ("tailq_import_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& content) const {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  fs::path dir_;
};

// Passes when `action` throws InputError whose single-line message contains every part.
using tailq::testing::ThrowsInputError;

// ---------------------------------------------------------------------------------------------
// CSV reader

std::vector<std::vector<std::string>> read_all(const fs::path& path,
                                               std::vector<std::size_t>* lines = nullptr) {
  CsvReader reader(path);
  CsvRow row;
  std::vector<std::vector<std::string>> rows;
  while (reader.next(row)) {
    rows.emplace_back(row.fields.begin(), row.fields.end());
    if (lines != nullptr) lines->push_back(row.line);
  }
  return rows;
}

using CsvReaderTest = ImportTest;

TEST_F(CsvReaderTest, QuotedFieldsBomCrlfAndLineNumbers) {
  const auto path = write("a.csv",
                          "\xEF\xBB\xBFx,y,z\r\n"
                          "\"a,b\",\"say \"\"hi\"\"\",\r\n"
                          "\"two\nlines\",\"\",3\r\n"
                          "last,\"\"\"\",5\r\n");
  std::vector<std::size_t> lines;
  const auto rows = read_all(path, &lines);
  const std::vector<std::vector<std::string>> expected = {
      {"x", "y", "z"}, {"a,b", "say \"hi\"", ""}, {"two\nlines", "", "3"}, {"last", "\"", "5"}};
  EXPECT_EQ(rows, expected);
  EXPECT_EQ(lines, (std::vector<std::size_t>{1, 2, 3, 5}));
}

TEST_F(CsvReaderTest, TrailingEmptyLinesAndMissingFinalNewline) {
  EXPECT_EQ(read_all(write("a.csv", "a,b\n1,2\n\n")).size(), 2u);
  EXPECT_EQ(read_all(write("b.csv", "a,b\n1,2")).size(), 2u);
  EXPECT_EQ(read_all(write("c.csv", "")).size(), 0u);
  EXPECT_EQ(read_all(write("d.csv", "\xEF\xBB\xBF\r\n")).size(), 0u);
  // An empty line inside the file is a record, so that readers reject it by its field count.
  EXPECT_EQ(read_all(write("e.csv", "a,b\n\n1,2\n"))[1], std::vector<std::string>{""});
}

TEST_F(CsvReaderTest, RecordsLeftBoundCountsLineBreaks) {
  // 21 line breaks, so that both the 8-byte loop and the tail count.
  std::string content;
  for (int k = 0; k < 21; ++k) content += "ab,c\n";
  CsvReader reader(write("a.csv", content + "x,y"));
  EXPECT_EQ(reader.records_left_bound(), 22u);
  CsvRow row;
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(reader.records_left_bound(), 21u);
}

TEST_F(CsvReaderTest, MalformedQuotesNameLineAndField) {
  EXPECT_TRUE(ThrowsInputError([&] { read_all(write("q1.csv", "a,b\n1,\"open\n2,3\n")); },
                               {"q1.csv:2:", "field 2", "unterminated"}));
  EXPECT_TRUE(ThrowsInputError([&] { read_all(write("q2.csv", "a,b\n1,x\"y\n")); },
                               {"q2.csv:2:", "field 2", "quote"}));
  EXPECT_TRUE(ThrowsInputError([&] { read_all(write("q3.csv", "a,b\n\"x\"y,1\n")); },
                               {"q3.csv:2:", "field 1", "after closing quote"}));
}

TEST_F(CsvReaderTest, MissingFileNamesIt) {
  EXPECT_TRUE(
      ThrowsInputError([&] { CsvReader reader(dir_ / "nope.csv"); }, {"nope.csv", "cannot read"}));
  EXPECT_TRUE(ThrowsInputError([&] { CsvReader reader(dir_); }, {"directory"}));
}

TEST(ParseNumbers, DoubleAcceptsWholeFiniteFieldsOnly) {
  using import_detail::parse_double;
  EXPECT_EQ(parse_double("1e-3", "f", 1, "x"), 1e-3);
  EXPECT_EQ(parse_double("+2.5", "f", 1, "x"), 2.5);
  EXPECT_FALSE(std::signbit(parse_double("-0", "f", 1, "x")));
  EXPECT_TRUE(ThrowsInputError([] { parse_double("abc", "f.csv", 9, "inference"); },
                               {"f.csv:9: inference: not a number 'abc'"}));
  for (const char* bad : {"", " 1", "1 ", "1.5x", "0x10", "1,5"}) {
    EXPECT_TRUE(ThrowsInputError([&] { parse_double(bad, "f.csv", 2, "x"); }, {"not a number"}))
        << bad;
  }
  EXPECT_TRUE(
      ThrowsInputError([] { parse_double("nan", "f.csv", 9, "total"); }, {"f.csv:9: total: NaN"}));
  EXPECT_TRUE(ThrowsInputError([] { parse_double("-inf", "f.csv", 9, "total"); },
                               {"f.csv:9: total: infinite value '-inf'"}));
  EXPECT_TRUE(ThrowsInputError([] { parse_double("1e999", "f.csv", 3, "t"); }, {"out of range"}));
}

TEST(ParseNumbers, Int64AcceptsWholeIntegersOnly) {
  using import_detail::parse_int64;
  EXPECT_EQ(parse_int64("-12", "f", 1, "x"), -12);
  EXPECT_EQ(parse_int64("9223372036854775807", "f", 1, "x"), INT64_MAX);
  for (const char* bad : {"1.5", "1e3", "", "x", "3 "}) {
    EXPECT_TRUE(ThrowsInputError([&] { parse_int64(bad, "f.csv", 12, "round"); },
                                 {"f.csv:12: round: not an integer"}))
        << bad;
  }
  EXPECT_TRUE(ThrowsInputError([] { parse_int64("99999999999999999999", "f.csv", 1, "round"); },
                               {"out of range"}));
}

// ---------------------------------------------------------------------------------------------
// Times CSV

using TimesCsvTest = ImportTest;

TEST_F(TimesCsvTest, AnyColumnOrderShuffledRowsNumericInstanceOrder) {
  const auto path = write("times.csv",
                          "total,instance,round,inference\n"
                          "0.5,10,5,0.25\n"
                          "0.2,2,2,0.1\n"
                          "0,1,5,0\n"
                          "0.3,10,2,0.15\n"
                          "1e-3,2,5,5e-4\n"
                          "0.4,1,2,0.2\n");
  const ImportedTimes t = read_times_csv(path);
  EXPECT_EQ(t.instance_names, (std::vector<std::string>{"1", "2", "10"}));
  EXPECT_EQ(t.round_indices, (std::vector<std::int64_t>{2, 5}));
  EXPECT_EQ(t.batch_count, 3u);
  EXPECT_EQ(t.batch_of_instance, (std::vector<std::uint32_t>{0, 1, 2}));
  EXPECT_EQ(t.inference_s, (std::vector<double>{0.2, 0.1, 0.15, 0, 5e-4, 0.25}));
  EXPECT_EQ(t.total_s, (std::vector<double>{0.4, 0.2, 0.3, 0, 1e-3, 0.5}));
}

TEST_F(TimesCsvTest, NonNumericInstancesKeepOrderOfFirstAppearance) {
  const auto path = write("times.csv",
                          "round,instance,inference,total\n"
                          "1,b,1,2\n1,a,3,4\n1,10,5,6\n0,10,7,8\n0,a,9,10\n0,b,11,12\n");
  const ImportedTimes t = read_times_csv(path);
  EXPECT_EQ(t.instance_names, (std::vector<std::string>{"b", "a", "10"}));
  EXPECT_EQ(t.round_indices, (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(t.inference_s, (std::vector<double>{11, 9, 7, 1, 3, 5}));
  EXPECT_EQ(t.total_s, (std::vector<double>{12, 10, 8, 2, 4, 6}));
}

TEST_F(TimesCsvTest, NumericOrderComparesValuesNotText) {
  const auto path =
      write("times.csv",
            "round,instance,inference,total\n"
            "0,100,1,1\n0,9,1,1\n0,020,1,1\n0,0,1,1\n0,99999999999999999999999,1,1\n");
  EXPECT_EQ(read_times_csv(path).instance_names,
            (std::vector<std::string>{"0", "9", "020", "100", "99999999999999999999999"}));
}

TEST_F(TimesCsvTest, BatchesMapDenselyInTraceOrder) {
  // Trace order is 0..5; batch "z" holds instance 0, so it becomes batch 0 although "y" and
  // "x" appear first in the file.
  const auto path = write("times.csv",
                          "batch,round,instance,inference,total\n"
                          "y,0,3,0.2,0.3\nx,0,5,0.4,0.5\nz,0,0,0.1,0.15\ny,0,2,0.2,0.3\n"
                          "z,0,1,0.1,0.15\nx,0,4,0.4,0.5\n"
                          "y,1,3,2,3\nx,1,5,4,5\nz,1,0,1,1.5\ny,1,2,2,3\nz,1,1,1,1.5\nx,1,4,4,5\n");
  const ImportedTimes t = read_times_csv(path);
  EXPECT_EQ(t.instance_names, (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
  EXPECT_EQ(t.batch_count, 3u);
  EXPECT_EQ(t.batch_of_instance, (std::vector<std::uint32_t>{0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(t.inference_s, (std::vector<double>{0.1, 0.2, 0.4, 1, 2, 4}));
  EXPECT_EQ(t.total_s, (std::vector<double>{0.15, 0.3, 0.5, 1.5, 3, 5}));
}

TEST_F(TimesCsvTest, QuotedNamesCrlfAndBom) {
  const auto path = write("times.csv",
                          "\xEF\xBB\xBF\"round\",instance,inference,total,batch\r\n"
                          "0,\"img,1.jpg\",0.5,\"0.75\",\"b,1\"\r\n"
                          "0,\"say \"\"x\"\"\",0.5,0.75,\"b,1\"\r\n\r\n");
  const ImportedTimes t = read_times_csv(path);
  EXPECT_EQ(t.instance_names, (std::vector<std::string>{"img,1.jpg", "say \"x\""}));
  EXPECT_EQ(t.batch_count, 1u);
  EXPECT_EQ(t.inference_s, std::vector<double>{0.5});
  EXPECT_EQ(t.total_s, std::vector<double>{0.75});
}

struct ErrorCase {
  std::string name;
  std::string content;
  std::vector<std::string> parts;
};

// Keeps gtest from printing the cases as raw bytes.
void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

template <typename Case>
std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return info.param.name;
}

class TimesCsvErrorTest : public ImportTest, public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(TimesCsvErrorTest, ThrowsOneLineNamingFileLineAndField) {
  const auto path = write("times.csv", GetParam().content);
  EXPECT_TRUE(ThrowsInputError([&] { read_times_csv(path); }, GetParam().parts));
}

const std::string kTimesHeader = "round,instance,inference,total\n";
const std::string kBatchHeader = "round,instance,inference,total,batch\n";

INSTANTIATE_TEST_SUITE_P(
    Cases, TimesCsvErrorTest,
    ::testing::Values(
        ErrorCase{"EmptyFile", "", {"times.csv: empty file"}},
        ErrorCase{"OnlyBom", "\xEF\xBB\xBF\n", {"times.csv: empty file"}},
        ErrorCase{"HeaderOnly", kTimesHeader, {"times.csv: no data rows"}},
        ErrorCase{"MissingColumn",
                  "round,instance,inference\n0,0,1\n",
                  {"times.csv:1:", "missing column 'total'"}},
        ErrorCase{"UnknownColumn",
                  "round,instance,inference,total,gpu\n0,0,1,1,a\n",
                  {"times.csv:1:", "unknown column 'gpu'"}},
        ErrorCase{"DuplicateColumn",
                  "round,instance,inference,total,round\n0,0,1,1,0\n",
                  {"times.csv:1:", "duplicate column 'round'"}},
        ErrorCase{"TooFewFields",
                  kTimesHeader + "0,0,1,1\n0,1,1\n",
                  {"times.csv:3:", "expected 4 fields, found 3"}},
        ErrorCase{"TooManyFields", kTimesHeader + "0,0,1,1,5\n", {"times.csv:2:", "found 5"}},
        ErrorCase{
            "EmptyLineInside", kTimesHeader + "0,0,1,1\n\n0,1,1,1\n", {"times.csv:3:", "found 1"}},
        ErrorCase{"NotANumber",
                  kTimesHeader + "0,0,1,1\n0,1,abc,1\n",
                  {"times.csv:3: inference: not a number 'abc'"}},
        ErrorCase{"NaN", kTimesHeader + "0,0,1,NaN\n", {"times.csv:2: total: NaN"}},
        ErrorCase{"Infinite",
                  kTimesHeader + "0,0,inf,1\n",
                  {"times.csv:2: inference: infinite value 'inf'"}},
        ErrorCase{"NegativeTime",
                  kTimesHeader + "0,0,1,1\n0,1,0.5,-0.001\n",
                  {"times.csv:3: total: negative time -0.001"}},
        ErrorCase{"RoundNotInteger",
                  kTimesHeader + "1.5,0,1,1\n",
                  {"times.csv:2: round: not an integer '1.5'"}},
        ErrorCase{"RoundNegative",
                  kTimesHeader + "-1,0,1,1\n",
                  {"times.csv:2: round: negative round index -1"}},
        ErrorCase{"EmptyInstance",
                  kTimesHeader + "0,,1,1\n",
                  {"times.csv:2: instance: empty instance name"}},
        ErrorCase{"EmptyBatch", kBatchHeader + "0,0,1,1,\n", {"times.csv:2: batch: empty batch"}},
        ErrorCase{"UnterminatedQuote",
                  kTimesHeader + "0,\"a,1,1\n",
                  {"times.csv:2:", "field 2", "unterminated"}},
        ErrorCase{"Duplicate",
                  kTimesHeader + "3,7,1,1\n3,8,1,1\n4,7,1,1\n4,8,1,1\n3,7,2,2\n3,7,2,2\n",
                  {"times.csv:6: duplicate (round 3, instance 7), first at line 2"}},
        ErrorCase{"DuplicateNamedInstance",
                  kTimesHeader + "0,a,1,1\n0,a,1,1\n",
                  {"times.csv:3: duplicate (round 0, instance 'a'), first at line 2"}},
        ErrorCase{"MissingRow",
                  kTimesHeader + "3,17,1,1\n3,2,1,1\n4,2,1,1\n5,17,1,1\n5,2,1,1\n",
                  {"times.csv: round 4 has no row for instance 17"}},
        ErrorCase{"InstanceChangesBatch",
                  kBatchHeader + "0,0,1,1,a\n0,1,1,1,b\n1,0,1,1,b\n",
                  {"times.csv:4: batch:", "instance 0", "'b'", "'a' at line 2"}},
        ErrorCase{"BatchChangesInRepeatedOrder",
                  kBatchHeader + "0,0,1,1,a\n0,1,1,1,a\n1,0,1,1,a\n1,1,1,1,b\n",
                  {"times.csv:5: batch:", "instance 1", "'b' here", "'a' at line 3"}},
        ErrorCase{"BatchInferenceDiffers",
                  kBatchHeader + "0,0,1,2,a\n0,1,1,2,a\n1,0,1,2,a\n1,1,1.5,2,a\n",
                  {"times.csv:5: inference:", "round 1, batch 'a'", "1.5", "line 4"}},
        ErrorCase{"TotalBelowInference",
                  kTimesHeader + "0,a,1,2\n4,a,0.5,0.25\n",
                  {"times.csv:3: total: round 4, instance 'a': total time 0.25 is less than "
                   "inference time 0.5 (total includes inference: are the columns swapped?)"}},
        ErrorCase{"BatchTotalDiffers",
                  kBatchHeader + "7,0,1,2,a\n7,1,1,3,a\n",
                  {"times.csv:3: total:", "round 7, batch 'a'", "3 differs from 2 at line 2"}}),
    case_name<ErrorCase>);

TEST_F(TimesCsvTest, ReadsFromAPipe) {
  // A pipe has no size, so the reader grows its buffer; 100k rows need several growths.
  const fs::path fifo = dir_ / "times.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    std::ofstream out(fifo, std::ios::binary);
    out << kTimesHeader;
    for (int i = 0; i < 100000; ++i) out << "0," << i << ",0.5,1\n";
  });
  const ImportedTimes t = read_times_csv(fifo);
  writer.join();
  EXPECT_EQ(t.instance_names.size(), 100000u);
  EXPECT_EQ(t.instance_names.back(), "99999");
  EXPECT_EQ(t.total_s.back(), 1.0);
}

TEST_F(TimesCsvTest, MissingFileNamesIt) {
  EXPECT_TRUE(
      ThrowsInputError([&] { read_times_csv(dir_ / "times.csv"); }, {"times.csv", "cannot read"}));
}

// ---------------------------------------------------------------------------------------------
// Times .npy

// Writes the .npy format the way numpy's format module does: padded header, 64-byte aligned.
std::string npy_bytes(const std::string& descr, const std::string& shape,
                      const std::vector<double>& values, int major = 1,
                      const std::string& fortran = "False") {
  std::string header = "{'descr': " + (descr[0] == '[' ? descr : "'" + descr + "'") +
                       ", 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
  const std::size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t k = 0; k < prefix - 8; ++k) {
    out += static_cast<char>(header.size() >> (8 * k) & 0xFF);
  }
  out += header;
  const bool big = descr[0] == '>';
  for (double value : values) {
    std::uint64_t bits = 0;
    std::size_t size = 8;
    if (descr.substr(1) == "f4") {
      bits = std::bit_cast<std::uint32_t>(static_cast<float>(value));
      size = 4;
    } else if (descr.substr(1) == "f8") {
      bits = std::bit_cast<std::uint64_t>(value);
    }
    for (std::size_t k = 0; k < size; ++k) {
      const std::size_t shift = 8 * (big ? size - 1 - k : k);
      out += static_cast<char>(bits >> shift & 0xFF);
    }
  }
  return out;
}

using TimesNpyTest = ImportTest;

TEST_F(TimesNpyTest, ReadsFloat64AndFloat32InEveryByteOrderAndVersion) {
  const std::vector<double> inference = {0.5, 0.25, 0, 1.5, 2, 0.125};
  const std::vector<double> total = {1, 0.75, 0.5, 2, 4, 0.25};
  for (const std::string dtype : {"<f8", "<f4", ">f8", ">f4"}) {
    for (int major : {1, 2, 3}) {
      SCOPED_TRACE(dtype + " v" + std::to_string(major));
      const auto a = write("inference.npy", npy_bytes(dtype, "(2, 3)", inference, major));
      const auto b = write("total.npy", npy_bytes("<f8", "(2, 3)", total));
      const ImportedTimes t = read_times_npy(a, b);
      EXPECT_EQ(t.instance_names, (std::vector<std::string>{"0", "1", "2"}));
      EXPECT_EQ(t.batch_of_instance, (std::vector<std::uint32_t>{0, 1, 2}));
      EXPECT_EQ(t.batch_count, 3u);
      EXPECT_EQ(t.round_indices, (std::vector<std::int64_t>{0, 1}));
      EXPECT_EQ(t.inference_s, inference);
      EXPECT_EQ(t.total_s, total);
    }
  }
}

TEST_F(TimesNpyTest, Float32ValuesWidenExactly) {
  const auto a = write("a.npy", npy_bytes("<f4", "(1, 2)", {0.1, 3e-5}));
  const ImportedTimes t = read_times_npy(a, a);
  EXPECT_EQ(t.inference_s, (std::vector<double>{double{0.1f}, double{3e-5f}}));
}

struct NpyErrorCase {
  std::string name;
  std::string inference;  // file contents; total.npy is a valid (2, 3) float64 array
  std::vector<std::string> parts;
};

void PrintTo(const NpyErrorCase& c, std::ostream* os) { *os << c.name; }

class TimesNpyErrorTest : public ImportTest, public ::testing::WithParamInterface<NpyErrorCase> {};

TEST_P(TimesNpyErrorTest, ThrowsOneLineNamingFileAndProblem) {
  const auto a = write("inference.npy", GetParam().inference);
  const auto b = write("total.npy", npy_bytes("<f8", "(2, 3)", {1, 1, 1, 1, 1, 1}));
  EXPECT_TRUE(ThrowsInputError([&] { read_times_npy(a, b); }, GetParam().parts));
}

const std::vector<double> kSix = {1, 2, 3, 4, 5, 6};

INSTANTIATE_TEST_SUITE_P(
    Cases, TimesNpyErrorTest,
    ::testing::Values(
        NpyErrorCase{"Empty", "", {"inference.npy: not a .npy file"}},
        NpyErrorCase{"BadMagic", "\x93NUMPZ\x01\x00\x00\x00"s, {"inference.npy: not a .npy file"}},
        NpyErrorCase{"BadVersion", "\x93NUMPY\x04\x00\x00\x00"s, {"inference.npy:", "version 4.0"}},
        NpyErrorCase{"TruncatedHeader",
                     npy_bytes("<f8", "(2, 3)", kSix).substr(0, 40),
                     {"inference.npy: truncated header"}},
        NpyErrorCase{"IntegerDtype",
                     npy_bytes("<i8", "(2, 3)", {}),
                     {"inference.npy: unsupported dtype '<i8'"}},
        NpyErrorCase{"Float16Dtype",
                     npy_bytes("<f2", "(2, 3)", {}),
                     {"inference.npy: unsupported dtype '<f2'"}},
        NpyErrorCase{"StructuredDtype",
                     npy_bytes("[('a', '<f8')]", "(2, 3)", {}),
                     {"inference.npy: unsupported dtype"}},
        NpyErrorCase{"FortranOrder",
                     npy_bytes("<f8", "(2, 3)", kSix, 1, "True"),
                     {"inference.npy: Fortran-order"}},
        NpyErrorCase{"OneDimensional",
                     npy_bytes("<f8", "(6,)", kSix),
                     {"inference.npy: expected a 2-D array", "got shape (6,)"}},
        NpyErrorCase{"ThreeDimensional",
                     npy_bytes("<f8", "(1, 2, 3)", kSix),
                     {"inference.npy:", "got shape (1, 2, 3)"}},
        NpyErrorCase{"ZeroRounds",
                     npy_bytes("<f8", "(0, 3)", {}),
                     {"inference.npy: empty array, shape (0, 3)"}},
        NpyErrorCase{"TruncatedData",
                     npy_bytes("<f8", "(2, 3)", {1, 2, 3, 4, 5}),
                     {"inference.npy: truncated data: expected 48 bytes", "found 40"}},
        NpyErrorCase{"TrailingData",
                     npy_bytes("<f4", "(2, 3)", {1, 2, 3, 4, 5, 6, 7}),
                     {"inference.npy: trailing data: expected 24 bytes", "found 28"}},
        NpyErrorCase{"ShapesDiffer",
                     npy_bytes("<f8", "(3, 2)", kSix),
                     {"inference.npy: shape (3, 2) differs from shape (2, 3) of", "total.npy"}},
        NpyErrorCase{"NaN",
                     npy_bytes("<f8", "(2, 3)", {1, 2, 3, 4, NAN, 6}),
                     {"inference.npy: element [1, 1]: NaN"}},
        NpyErrorCase{"Negative",
                     npy_bytes("<f8", "(2, 3)", {1, 2, 3, 4, 5, -1e-3}),
                     {"inference.npy: element [1, 2]: negative time -0.001"}},
        NpyErrorCase{"NegativeFloat32",
                     npy_bytes(">f4", "(2, 3)", {1, -1e-3, 3, 4, 5, 6}),
                     {"inference.npy: element [0, 1]: negative time -0.001"}},
        NpyErrorCase{"Infinite",
                     npy_bytes("<f4", "(2, 3)", {INFINITY, 2, 3, 4, 5, 6}),
                     {"inference.npy: element [0, 0]: infinite time inf"}},
        NpyErrorCase{"BadHeaderKey",
                     npy_bytes("<f8", "(2, 3), 'extra': 1", kSix),
                     {"inference.npy: bad header", "'extra'"}}),
    case_name<NpyErrorCase>);

TEST_F(TimesNpyTest, ErrorsInTheSecondFileNameIt) {
  const auto a = write("inference.npy", npy_bytes("<f8", "(2, 3)", kSix));
  const auto b = write("total.npy", npy_bytes("<f8", "(2, 3)", {1, 2, 3, 4, 5, -2}));
  EXPECT_TRUE(ThrowsInputError([&] { read_times_npy(a, b); },
                               {"total.npy: element [1, 2]: negative time -2"}));
  EXPECT_TRUE(ThrowsInputError([&] { read_times_npy(a, dir_ / "missing.npy"); },
                               {"missing.npy: cannot read"}));
}

TEST_F(TimesNpyTest, TotalBelowInferenceNamesElementRoundAndInstance) {
  const auto a = write("inference.npy", npy_bytes("<f8", "(2, 3)", kSix));
  const auto b = write("total.npy", npy_bytes("<f8", "(2, 3)", {1, 2, 3, 4, 4.5, 6}));
  EXPECT_TRUE(ThrowsInputError(
      [&] { read_times_npy(a, b); },
      {"total.npy: element [1, 1] (round 1, instance 1): total time 4.5 is less than inference "
       "time 5 in",
       "inference.npy (total includes inference: are the files swapped?)"}));
}

// ---------------------------------------------------------------------------------------------
// Outcomes CSV

const std::vector<std::string> kNames = {"0", "1", "2"};

using OutcomesCsvTest = ImportTest;

TEST_F(OutcomesCsvTest, ClassificationInAnyColumnAndRowOrder) {
  const auto path = write("outcomes.csv",
                          "prediction,instance,label\r\n"
                          "\"  cat   dog  \",2,cat\r\n"
                          ",0,dog\r\n"
                          "\"n,1 n,2\",1,\"n,1\"\r\n");
  const ImportedOutcomes o = read_outcomes_csv(path, kNames);
  EXPECT_EQ(o.outcomes.kind, Outcomes::Kind::classification);
  EXPECT_EQ(o.outcomes.predictions, (std::vector<std::string>{"", "n,1 n,2", "cat dog"}));
  EXPECT_TRUE(o.outcomes.scores.empty());
  EXPECT_EQ(o.labels, (std::vector<std::optional<std::string>>{"dog", "n,1", "cat"}));
}

TEST_F(OutcomesCsvTest, ScoresInInstanceOrder) {
  const auto path = write("outcomes.csv", "\xEF\xBB\xBFscore,instance\n1,2\n0,0\n0.25,1\n");
  const ImportedOutcomes o = read_outcomes_csv(path, kNames);
  EXPECT_EQ(o.outcomes.kind, Outcomes::Kind::score);
  EXPECT_EQ(o.outcomes.scores, (std::vector<double>{0, 0.25, 1}));
  EXPECT_TRUE(o.outcomes.predictions.empty());
  EXPECT_EQ(o.labels, (std::vector<std::optional<std::string>>(3, std::nullopt)));
}

class OutcomesCsvErrorTest : public ImportTest, public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(OutcomesCsvErrorTest, ThrowsOneLineNamingFileLineAndField) {
  const auto path = write("outcomes.csv", GetParam().content);
  EXPECT_TRUE(ThrowsInputError([&] { read_outcomes_csv(path, kNames); }, GetParam().parts));
}

const std::string kClassHeader = "instance,label,prediction\n";
const std::string kScoreHeader = "instance,score\n";

INSTANTIATE_TEST_SUITE_P(
    Cases, OutcomesCsvErrorTest,
    ::testing::Values(
        ErrorCase{"EmptyFile", "", {"outcomes.csv: empty file"}},
        ErrorCase{"UnknownColumn", "instance,answer\n", {"outcomes.csv:1:", "column 'answer'"}},
        ErrorCase{"DuplicateColumn",
                  "instance,score,score\n",
                  {"outcomes.csv:1:", "duplicate column 'score'"}},
        ErrorCase{"MixedColumns",
                  "instance,label,score\n",
                  {"outcomes.csv:1:", "found instance,label,score"}},
        ErrorCase{"MissingInstanceColumn",
                  "label,prediction\n",
                  {"outcomes.csv:1:", "found label,prediction"}},
        ErrorCase{"MissingPredictionColumn",
                  "instance,label\n",
                  {"outcomes.csv:1:", "found instance,label"}},
        ErrorCase{"WrongFieldCount",
                  kScoreHeader + "0,1\n1\n",
                  {"outcomes.csv:3:", "expected 2 fields, found 1"}},
        ErrorCase{"UnknownInstance",
                  kScoreHeader + "0,1\nx,1\n",
                  {"outcomes.csv:3: instance: unknown instance 'x'"}},
        ErrorCase{"DuplicateInstance",
                  kScoreHeader + "0,1\n1,1\n0,0.5\n",
                  {"outcomes.csv:4: instance: duplicate instance '0', first at line 2"}},
        ErrorCase{"MissingOutcome",
                  kScoreHeader + "0,1\n2,1\n",
                  {"outcomes.csv: no outcome for instance '1'"}},
        ErrorCase{"ScoreAboveOne",
                  kScoreHeader + "0,1.5\n",
                  {"outcomes.csv:2: score: out of range [0, 1]: 1.5"}},
        ErrorCase{"ScoreNegative",
                  kScoreHeader + "0,1\n1,-0.1\n",
                  {"outcomes.csv:3: score: out of range [0, 1]: -0.1"}},
        ErrorCase{"ScoreNaN", kScoreHeader + "0,nan\n", {"outcomes.csv:2: score: NaN"}},
        ErrorCase{"ScoreNotANumber",
                  kScoreHeader + "0,good\n",
                  {"outcomes.csv:2: score: not a number 'good'"}},
        ErrorCase{"EmptyLabel", kClassHeader + "0,,a\n", {"outcomes.csv:2: label: empty label"}},
        ErrorCase{"LabelWithSpace",
                  kClassHeader + "0,a,a\n1,\"b c\",b\n",
                  {"outcomes.csv:3: label:", "'b c' contains a space"}}),
    case_name<ErrorCase>);

// ---------------------------------------------------------------------------------------------
// Import warnings (docs/import-formats.md, "Warnings") and write_imported_trace

// Two rounds of three one-instance batches, every total `total` seconds.
ImportedTimes uniform_times(double total) {
  ImportedTimes t;
  t.instance_names = {"0", "1", "2"};
  t.batch_of_instance = {0, 1, 2};
  t.batch_count = 3;
  t.round_indices = {0, 1};
  t.inference_s.assign(6, total / 2);
  t.total_s.assign(6, total);
  return t;
}

Outcomes classified(std::vector<std::string> labels, std::vector<std::string> predictions) {
  Outcomes o;
  o.kind = Outcomes::Kind::classification;
  o.labels = std::move(labels);
  o.predictions = std::move(predictions);
  return o;
}

const Outcomes kGood = classified({"7", "3", "1"}, {"7", "3", "3"});

TEST(ImportWarnings, TimesInMillisecondsOrMicroseconds) {
  EXPECT_TRUE(import_warnings(uniform_times(0.0045), kGood).empty());
  EXPECT_TRUE(import_warnings(uniform_times(1.0), kGood).empty());  // 1 s: not more than 1 s
  EXPECT_EQ(import_warnings(uniform_times(4.523), kGood),
            std::vector<std::string>{
                "the median total time is 4.523 s per batch, which looks like milliseconds: "
                "tailq reads seconds; divide the times by 1,000 and import again (if they "
                "really are seconds, ignore this)"});
  const auto micro = import_warnings(uniform_times(4523), kGood);
  ASSERT_EQ(micro.size(), 1u);
  EXPECT_NE(micro[0].find("looks like microseconds: tailq reads seconds; divide the times by "
                          "1,000,000"),
            std::string::npos)
      << micro[0];
}

TEST(ImportWarnings, ProbabilityRowsAndProbabilitiesForIntegerLabels) {
  const auto times = uniform_times(0.01);
  const auto rows = import_warnings(
      times, classified({"0", "1", "2"}, {"0.1 0.7 0.2", "0.5 0.5 0", "0.9 0.05 0.05"}));
  ASSERT_EQ(rows.size(), 1u);  // the vocabulary warning would only repeat it
  EXPECT_EQ(rows[0],
            "3 of 3 predictions look like probability rows (3 numbers summing to 1 for instance "
            "'0'): a prediction lists predicted labels, best first; write the label of the "
            "highest probability (the argmax), or the k best for top-k");
  const auto scalars = import_warnings(times, classified({"0", "1", "1"}, {"0.13", "0.87", "0.6"}));
  ASSERT_EQ(scalars.size(), 1u);
  EXPECT_NE(scalars[0].find("3 of 3 predictions are numbers in (0, 1) while the labels are "
                            "integers"),
            std::string::npos)
      << scalars[0];
  // Top-2 class ids that happen to sum to 1 are labels, not probabilities.
  EXPECT_TRUE(import_warnings(times, classified({"0", "1", "0"}, {"0 1", "1 0", "0 1"})).empty());
}

TEST(ImportWarnings, VocabulariesThatMatchOnlyAsNumbersOrIgnoringCase) {
  const auto times = uniform_times(0.01);
  const auto numbers = import_warnings(times, classified({"7", "3", "1"}, {"7.0", "3.0", "3.0"}));
  ASSERT_EQ(numbers.size(), 1u);
  EXPECT_EQ(numbers[0],
            "only 0% of the predictions name a class that occurs among the labels (label '7', "
            "prediction '7.0'): they match as numbers; write labels and predictions the same way "
            "(whole numbers as integers), or import with numeric_labels (tailq import "
            "--numeric-labels)");
  const auto cased = import_warnings(times, classified({"cat", "dog", "cat"}, {"Cat", "Dog", "x"}));
  ASSERT_EQ(cased.size(), 1u);
  EXPECT_NE(cased[0].find("they match when case is ignored"), std::string::npos) << cased[0];
  const auto apart = import_warnings(times, classified({"a", "b", "c"}, {"x", "y", "a"}));
  ASSERT_EQ(apart.size(), 1u);
  EXPECT_NE(apart[0].find("only 33% of the predictions"), std::string::npos) << apart[0];
  // Half the answers are known classes: a bad model, not a vocabulary mismatch.
  EXPECT_TRUE(import_warnings(times, classified({"a", "b"}, {"a", "z"})).empty());
}

TEST(ImportWarnings, NumericLabelsBecomeIntegers) {
  Outcomes o = classified({"7.0", "07", "cat", "2.5"}, {"7 3.0", "7e0", "cat", "2.50"});
  normalise_numeric_labels(o);
  EXPECT_EQ(o.labels, (std::vector<std::string>{"7", "7", "cat", "2.5"}));
  EXPECT_EQ(o.predictions, (std::vector<std::string>{"7 3", "7", "cat", "2.50"}));
}

using WriteImportedTest = ImportTest;

TEST_F(WriteImportedTest, WarningsAreReturnedAndKeptInTheTrace) {
  ImportRequest request;
  request.output = dir_ / "ms.trace";
  const auto warnings = write_imported_trace(uniform_times(4.5), kGood, request);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(TraceReader(request.output).experiment().warnings, warnings);
  request.output = dir_ / "clean.trace";
  EXPECT_TRUE(write_imported_trace(uniform_times(0.0045), kGood, request).empty());
  EXPECT_TRUE(TraceReader(request.output).experiment().warnings.empty());
}

TEST_F(WriteImportedTest, NumericLabelsOptionNormalisesBeforeStoring) {
  ImportRequest request;
  request.output = dir_ / "n.trace";
  request.numeric_labels = true;
  EXPECT_TRUE(write_imported_trace(uniform_times(0.01),
                                   classified({"7", "3", "1"}, {"7.0", "3.0", "x"}), request)
                  .empty());
  EXPECT_EQ(TraceReader(request.output).outcomes().predictions,
            (std::vector<std::string>{"7", "3", "x"}));
}

TEST_F(WriteImportedTest, TotalBelowInferenceInMemoryNamesRoundAndBatch) {
  ImportedTimes times = uniform_times(0.01);
  times.inference_s[4] = 0.02;  // round 1, batch 1
  ImportRequest request;
  request.output = dir_ / "bad.trace";
  EXPECT_TRUE(ThrowsInputError([&] { write_imported_trace(times, kGood, request); },
                               {"times: round 1, batch 1: total time 0.01 s is less than "
                                "inference time 0.02 s (total includes inference"}));
  EXPECT_FALSE(fs::exists(request.output));
}

TEST_F(WriteImportedTest, LatencyOnlyTraceHasNoOutcomesAndTheOnTimeMetric) {
  Outcomes none;
  none.kind = Outcomes::Kind::none;
  ImportRequest request;
  request.output = dir_ / "latency.trace";
  EXPECT_TRUE(write_imported_trace(uniform_times(0.01), none, request).empty());
  const TraceReader trace(request.output);
  EXPECT_EQ(trace.outcomes().kind, Outcomes::Kind::none);
  EXPECT_TRUE(trace.outcomes().labels.empty());
  EXPECT_EQ(trace.experiment().metric, "on-time");
  EXPECT_TRUE(ThrowsInputError([&] { make_metric("accuracy", trace.outcomes()); },
                               {"metric 'accuracy' does not apply to a latency-only trace (it "
                                "records no outcomes); choose one of: on-time"}));
}

}  // namespace
}  // namespace tailq
