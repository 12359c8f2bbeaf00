// Tests of the built-in "digits" workload: the loader of the UCI digits test split and the
// LibTorch backend, ending with the model that workloads/digits/train.py trains, whose accuracy
// through the backend must equal the one the trainer reports.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "collect/digits_dataset.hpp"
#include "tailq/error.hpp"
#include "tailq/harness.hpp"
#include "tailq/run.hpp"
#include "test_util.hpp"
#include "torch/torch_backend.hpp"

namespace tailq {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// Decompresses a gzip file with zlib, independently of the loader under test.
std::string gunzip(const fs::path& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw std::runtime_error("cannot open " + path.string());
  std::string text;
  char chunk[1 << 14];
  int got = 0;
  while ((got = gzread(file, chunk, sizeof chunk)) > 0) {
    text.append(chunk, static_cast<std::size_t>(got));
  }
  gzclose(file);
  return text;
}

void write_gzip(const fs::path& path, const std::string& content) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, content.data(), static_cast<unsigned>(content.size())),
            static_cast<int>(content.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The integer fields of the csv's rows.
std::vector<std::vector<int>> parse_rows(const std::string& text) {
  std::vector<std::vector<int>> rows;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<int>& row = rows.emplace_back();
    std::istringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) row.push_back(std::stoi(field));
  }
  return rows;
}

// A valid row: 64 pixels (i + p) % 17, label `digit`.
std::string row(int i, int digit) {
  std::string line;
  for (int p = 0; p < 64; ++p) line += std::to_string((i + p) % 17) + ",";
  return line + std::to_string(digit) + "\n";
}

std::string rows(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += row(i, i % 10);
  return text;
}

using tailq::testing::ThrowsInputError;

// A Batch as the harness allocates it: input for `capacity` instances, four shape entries.
Batch make_batch(std::size_t capacity) {
  Batch batch;
  batch.input.assign(capacity * DigitsDataset::kPixels, -1.0f);
  batch.shape.assign(4, 0);
  return batch;
}

// ---------------------------------------------------------------------------------------------
// DigitsDataset

TEST(DigitsDataset, LoadsTheTestSplitOfTheShippedFile) {
  const DigitsDataset dataset;
  EXPECT_EQ(dataset.name(), "uci-digits-test");
  ASSERT_EQ(dataset.size(), 360u);
  EXPECT_EQ(dataset.instance_shape(), (std::vector<std::int64_t>{1, 8, 8}));
  EXPECT_EQ(dataset.classes(),
            (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
  EXPECT_FALSE(dataset.input_size(0).has_value());

  const auto file_rows = parse_rows(gunzip(kDefaultDigitsPath));
  ASSERT_EQ(file_rows.size(), 1797u);
  // Instance i is row 5 i, so the split is the trainer's (rows with i % 5 == 0).
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    ASSERT_EQ(dataset.file_row(i), 5 * i);
    ASSERT_EQ(dataset.label(i), std::to_string(file_rows[5 * i][64])) << "instance " << i;
  }
  // The first instance is row 0, divided by 16 (exact in float).
  const auto first = dataset.pixels(0);
  ASSERT_EQ(first.size(), 64u);
  for (std::size_t p = 0; p < 64; ++p) {
    EXPECT_EQ(first[p], static_cast<float>(file_rows[0][p]) / 16.0f) << "pixel " << p;
  }
  const auto last = dataset.pixels(359);
  for (std::size_t p = 0; p < 64; ++p) {
    EXPECT_EQ(last[p], static_cast<float>(file_rows[5 * 359][p]) / 16.0f) << "pixel " << p;
  }
  EXPECT_THROW(dataset.pixels(360), std::out_of_range);
  EXPECT_THROW(dataset.label(360), std::out_of_range);
}

TEST(DigitsDataset, PrepareCopiesTheInstancesInTheOrderGiven) {
  DigitsDataset dataset;
  Batch batch = make_batch(4);
  const std::vector<std::uint32_t> instances{7, 0, 359};
  dataset.prepare(instances, batch);
  EXPECT_EQ(batch.size, 3u);
  EXPECT_EQ(batch.shape, (std::vector<std::int64_t>{3, 1, 8, 8}));
  ASSERT_EQ(batch.input.size(), 4u * 64u);  // the caller's buffer, not reallocated
  for (std::size_t k = 0; k < instances.size(); ++k) {
    const auto expected = dataset.pixels(instances[k]);
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), batch.input.begin() + 64 * k))
        << "slot " << k;
  }
  // The rest of the buffer is left alone.
  EXPECT_TRUE(std::all_of(batch.input.begin() + 3 * 64, batch.input.end(),
                          [](float v) { return v == -1.0f; }));

  // A smaller batch in the same buffers.
  const std::vector<std::uint32_t> one{5};
  dataset.prepare(one, batch);
  EXPECT_EQ(batch.size, 1u);
  EXPECT_EQ(batch.shape, (std::vector<std::int64_t>{1, 1, 8, 8}));
}

TEST(DigitsDataset, PrepareRejectsHarnessBugs) {
  DigitsDataset dataset;
  Batch small = make_batch(1);
  const std::vector<std::uint32_t> two{0, 1};
  EXPECT_THROW(dataset.prepare(two, small), std::logic_error);
  Batch batch = make_batch(2);
  const std::vector<std::uint32_t> beyond{0, 360};
  EXPECT_THROW(dataset.prepare(beyond, batch), std::logic_error);
  batch.shape.clear();
  EXPECT_THROW(dataset.prepare(two, batch), std::logic_error);
}

TEST(DigitsDataset, ReadsAnyWellFormedFile) {
  TempDir dir;
  // 12 rows: test rows 0, 5 and 10; Windows line ends and no final newline are accepted.
  std::string text = rows(12);
  std::string crlf;
  for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  crlf.resize(crlf.size() - 2);
  write_gzip(dir / "d.csv.gz", crlf);
  const DigitsDataset dataset(dir / "d.csv.gz");
  ASSERT_EQ(dataset.size(), 3u);
  EXPECT_EQ(dataset.label(0), "0");
  EXPECT_EQ(dataset.label(1), "5");
  EXPECT_EQ(dataset.label(2), "0");
  EXPECT_EQ(dataset.pixels(1)[0], 5.0f / 16.0f);
  EXPECT_EQ(dataset.pixels(2)[63], static_cast<float>((10 + 63) % 17) / 16.0f);
}

TEST(DigitsDataset, RejectsUnreadableFiles) {
  TempDir dir;
  const fs::path missing = dir / "missing.csv.gz";
  EXPECT_TRUE(
      ThrowsInputError([&] { DigitsDataset{missing}; }, {missing.string(), "no such file"}));
  EXPECT_TRUE(ThrowsInputError([&] { DigitsDataset{dir.path()}; }, {"is a directory"}));

  // The same rows, not compressed.
  write_file(dir / "plain.csv", rows(6));
  EXPECT_TRUE(ThrowsInputError([&] { DigitsDataset{dir / "plain.csv"}; },
                               {(dir / "plain.csv").string(), "not a gzip file"}));
  write_file(dir / "empty.csv.gz", "");
  EXPECT_TRUE(ThrowsInputError([&] { DigitsDataset{dir / "empty.csv.gz"}; },
                               {(dir / "empty.csv.gz").string(), "not a gzip file"}));

  // Truncated, and with the deflate data or the checksum damaged.
  write_gzip(dir / "good.csv.gz", rows(200));
  const std::string good = read_file(dir / "good.csv.gz");
  ASSERT_GT(good.size(), 100u);
  write_file(dir / "truncated.csv.gz", good.substr(0, good.size() / 2));
  EXPECT_TRUE(ThrowsInputError([&] { DigitsDataset{dir / "truncated.csv.gz"}; },
                               {(dir / "truncated.csv.gz").string(), "corrupt gzip data"}));
  std::string damaged = good;
  damaged[good.size() - 6] = static_cast<char>(damaged[good.size() - 6] ^ 0x55);  // CRC-32
  write_file(dir / "crc.csv.gz", damaged);
  EXPECT_TRUE(ThrowsInputError([&] { DigitsDataset{dir / "crc.csv.gz"}; },
                               {(dir / "crc.csv.gz").string(), "corrupt gzip data"}));
  damaged = good;
  for (std::size_t i = 20; i < 40; ++i) damaged[i] = static_cast<char>(0xff);
  write_file(dir / "data.csv.gz", damaged);
  EXPECT_TRUE(ThrowsInputError([&] { DigitsDataset{dir / "data.csv.gz"}; },
                               {(dir / "data.csv.gz").string(), "corrupt gzip data"}));

  // A gzip file with no rows.
  write_gzip(dir / "norows.csv.gz", "");
  EXPECT_TRUE(ThrowsInputError([&] { DigitsDataset{dir / "norows.csv.gz"}; }, {"no rows"}));
}

TEST(DigitsDataset, RejectsMalformedRowsNamingFileAndLine) {
  TempDir dir;
  const fs::path path = dir / "bad.csv.gz";
  // Each case replaces line 3 (a training row: training rows are checked too).
  struct Case {
    std::string line;
    std::vector<std::string> parts;
  };
  std::string pixels63;
  for (int p = 0; p < 63; ++p) pixels63 += "1,";
  const std::vector<Case> cases{
      {pixels63 + "2\n", {":3: expected 65 fields, found 64"}},
      {pixels63 + "1,2,3\n", {":3: expected 65 fields, found 66"}},
      {"\n", {":3: expected 65 fields, found 1"}},
      {pixels63 + "x,2\n", {":3: pixel 64: 'x' is not an integer"}},
      {pixels63 + "1.5,2\n", {":3: pixel 64: '1.5' is not an integer"}},
      {pixels63 + " 1,2\n", {":3: pixel 64: ' 1' is not an integer"}},
      {pixels63 + ",2\n", {":3: pixel 64: '' is not an integer"}},
      {"17," + pixels63.substr(2) + "1,2\n", {":3: pixel 1: 17 is outside 0..16"}},
      {"-1," + pixels63.substr(2) + "1,2\n", {":3: pixel 1: -1 is outside 0..16"}},
      {pixels63 + "1,99999999999999999999\n", {":3: label: 99999999999999999999 is outside 0..9"}},
      {pixels63 + "1,10\n", {":3: label: 10 is outside 0..9"}},
      {pixels63 + "1,\n", {":3: label: '' is not an integer"}},
  };
  for (const Case& c : cases) {
    write_gzip(path, row(0, 0) + row(1, 1) + c.line + row(3, 3));
    std::vector<std::string> parts = c.parts;
    parts.push_back(path.string());
    EXPECT_TRUE(ThrowsInputError([&] { DigitsDataset{path}; }, parts)) << c.line;
  }
}

// ---------------------------------------------------------------------------------------------
// TorchBackend

TEST(TorchBackend, RejectsMissingAndCorruptModels) {
  TempDir dir;
  const fs::path missing = dir / "missing.pt";
  EXPECT_TRUE(ThrowsInputError([&] { TorchBackend(missing, 1); },
                               {missing.string() + ": no such model file"}));
  const std::vector<std::pair<std::string, std::string>> corrupt{
      {"empty.pt", ""},
      {"text.pt", "not a model\nat all\n"},
      // A zip header with nothing behind it.
      {"zip.pt", std::string("PK\x03\x04", 4) + std::string(100, '\0')},
  };
  for (const auto& [name, content] : corrupt) {
    write_file(dir / name, content);
    EXPECT_TRUE(ThrowsInputError([&] { TorchBackend(dir / name, 1); },
                                 {(dir / name).string() + ": not a TorchScript model ("}))
        << name;
  }
  write_file(dir / "ok-name.pt", "x");
  EXPECT_TRUE(ThrowsInputError([&] { TorchBackend(dir / "ok-name.pt", 0); },
                               {"intra-op threads must be at least 1"}));
}

TEST(FileFingerprint, IsFnv1a64OfTheBytes) {
  TempDir dir;
  write_file(dir / "empty", "");
  write_file(dir / "a", "a");
  write_file(dir / "foobar", "foobar");
  // Reference values of FNV-1a 64 (offset basis; "a"; "foobar").
  EXPECT_EQ(file_fingerprint(dir / "empty"), 0xcbf29ce484222325ull);
  EXPECT_EQ(file_fingerprint(dir / "a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(file_fingerprint(dir / "foobar"), 0x85944171f73967e8ull);
  // Longer than one read chunk: a change in the second chunk changes the fingerprint.
  std::string big(200000, 'z');
  write_file(dir / "big1", big);
  big[150000] = 'y';
  write_file(dir / "big2", big);
  EXPECT_NE(file_fingerprint(dir / "big1"), file_fingerprint(dir / "big2"));
  EXPECT_TRUE(ThrowsInputError([&] { file_fingerprint(dir / "missing"); },
                               {(dir / "missing").string(), "cannot read"}));
}

// Trains the workload's model once (a few seconds) and runs it through the backend on the
// loader's test split: top-1 accuracy must equal what the trainer measured in Python, for
// every batch size. One test, so that a test runner that starts a process per test does not
// train again for each.
TEST(TorchBackend, TrainedDigitsModelMatchesTheTrainersAccuracy) {
  TempDir dir;
  const fs::path model = dir / "digits_cnn.pt";
  const std::string command = "/usr/bin/python3 '" TAILQ_SOURCE_DIR
                              "/workloads/digits/train.py' --out '" +
                              model.string() + "' > '" + (dir / "train.log").string() + "' 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << read_file(dir / "train.log");
  const auto summary = nlohmann::json::parse(read_file(model.string() + ".json"));
  const double expected_accuracy = summary.at("test_accuracy").get<double>();
  ASSERT_EQ(summary.at("test_instances").get<int>(), 360);
  EXPECT_GE(expected_accuracy, 0.95);

  DigitsDataset dataset;
  TorchBackend backend(model, 2);
  EXPECT_NE(backend.description().find("libtorch 1."), std::string::npos) << backend.description();
  EXPECT_NE(backend.description().find("cpu, 2 intra-op threads"), std::string::npos)
      << backend.description();

  std::vector<std::string> first_predictions;
  for (std::size_t batch_size : {std::size_t{1}, std::size_t{64}, std::size_t{360}}) {
    Batch batch = make_batch(batch_size);
    BatchOutput out;
    out.scores.assign(batch_size * 10, 0.0f);
    std::vector<std::string> predictions;
    std::size_t correct = 0;
    for (std::size_t first = 0; first < dataset.size(); first += batch_size) {
      std::vector<std::uint32_t> instances;
      for (std::size_t i = first; i < std::min(first + batch_size, dataset.size()); ++i) {
        instances.push_back(static_cast<std::uint32_t>(i));
      }
      dataset.prepare(instances, batch);
      backend.infer(batch, out);
      ASSERT_EQ(out.width, 10u);
      for (std::size_t k = 0; k < instances.size(); ++k) {
        const auto scores = out.scores.begin() + static_cast<std::ptrdiff_t>(k * out.width);
        const auto best = std::max_element(scores, scores + 10) - scores;
        predictions.push_back(dataset.classes()[static_cast<std::size_t>(best)]);
        if (predictions.back() == dataset.label(instances[k])) ++correct;
      }
    }
    ASSERT_EQ(predictions.size(), 360u);
    const double accuracy = static_cast<double>(correct) / 360.0;
    EXPECT_EQ(accuracy, expected_accuracy) << "batch size " << batch_size;
    if (first_predictions.empty()) first_predictions = predictions;
    EXPECT_EQ(predictions, first_predictions) << "batch size " << batch_size;
  }

  // A harness that allocated too few scores gets an error, not a resized buffer.
  Batch batch = make_batch(4);
  dataset.prepare(std::vector<std::uint32_t>{0, 1, 2, 3}, batch);
  BatchOutput small;
  small.scores.assign(39, 0.0f);
  EXPECT_THROW(backend.infer(batch, small), std::logic_error);
  EXPECT_EQ(small.scores.size(), 39u);
  // A shape that claims more data than the input holds is a harness bug as well.
  BatchOutput out;
  out.scores.assign(40, 0.0f);
  batch.size = 5;
  batch.shape[0] = 5;
  EXPECT_THROW(backend.infer(batch, out), std::logic_error);
  batch.size = 4;
  batch.shape[0] = 3;  // disagrees with batch.size
  EXPECT_THROW(backend.infer(batch, out), std::logic_error);
  // An input the model cannot take (7x7 images) is reported with the model file.
  batch.shape = {4, 1, 7, 7};
  EXPECT_TRUE(
      ThrowsInputError([&] { backend.infer(batch, out); },
                       {model.string(), "forward failed on a batch of shape [4, 1, 7, 7]"}));
}

}  // namespace
}  // namespace tailq
