// Tests of the ONNX runner (OpenCV's DNN module), directly and as the plug-in that `tailq run`
// loads: its scores against PyTorch's for the same exported model (tests/fixtures/onnx_tiny.*,
// made by tests/reference/make_onnx_fixture.py), and its errors for files and outputs it
// cannot use.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "opencv/opencv_backend.hpp"
#include "tailq/error.hpp"
#include "tailq/harness.hpp"
#include "tailq/plugin.hpp"
#include "test_util.hpp"

namespace tailq {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::ThrowsInputError;

const fs::path kFixtures = TAILQ_FIXTURES;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

// The fixture's input batch as a Dataset would fill it, and the scores PyTorch computed.
struct Reference {
  Batch batch;
  std::vector<std::vector<double>> scores;  // PyTorch's, per instance
};

Reference load_reference() {
  const auto fixture = nlohmann::json::parse(read_file(kFixtures / "onnx_tiny.json"));
  Reference ref;
  ref.batch.shape = fixture.at("shape").get<std::vector<std::int64_t>>();
  ref.batch.size = static_cast<std::size_t>(ref.batch.shape.at(0));
  for (double v : fixture.at("input")) ref.batch.input.push_back(static_cast<float>(v));
  ref.scores = fixture.at("scores").get<std::vector<std::vector<double>>>();
  return ref;
}

// float32 kernels against a float64 reference on scores of order 1.
constexpr double kTolerance = 1e-5;

void expect_scores(const BatchOutput& out, const std::vector<std::vector<double>>& expected,
                   std::size_t first_row, std::size_t rows) {
  ASSERT_EQ(out.width, expected.at(0).size());
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < out.width; ++j) {
      EXPECT_NEAR(out.scores[i * out.width + j], expected[first_row + i][j], kTolerance)
          << "instance " << first_row + i << ", score " << j;
    }
  }
}

TEST(OpenCvBackend, ScoresMatchPyTorchForTheSameModel) {
  Reference ref = load_reference();
  ASSERT_EQ(ref.batch.size, 3u);
  OpenCvBackend backend(kFixtures / "onnx_tiny.onnx", 1);
  EXPECT_EQ(backend.description().rfind("OpenCV DNN 4.", 0), 0u) << backend.description();
  EXPECT_NE(backend.description().find("(ONNX), CPU, 1 thread"), std::string::npos)
      << backend.description();

  BatchOutput out;
  out.scores.assign(3 * 4, -1.0f);
  backend.infer(ref.batch, out);
  expect_scores(out, ref.scores, 0, 3);
  // Again: the network's buffers are reused, the answer is the same.
  backend.infer(ref.batch, out);
  expect_scores(out, ref.scores, 0, 3);

  // The batch axis is free: one instance (the second) at the front of the same buffer, as the
  // harness fills a smaller last batch, and the unused scores are left alone.
  Batch one = ref.batch;
  std::copy(ref.batch.input.begin() + 36, ref.batch.input.begin() + 72, one.input.begin());
  one.size = 1;
  one.shape[0] = 1;
  out.scores.assign(3 * 4, -1.0f);
  backend.infer(one, out);
  expect_scores(out, ref.scores, 1, 1);
  EXPECT_EQ(out.scores[4], -1.0f);
}

TEST(OpenCvBackend, RejectsHarnessBugs) {
  Reference ref = load_reference();
  OpenCvBackend backend(kFixtures / "onnx_tiny.onnx", 1);
  // Too few scores allocated: an error, not a resized buffer.
  BatchOutput small;
  small.scores.assign(11, 0.0f);
  EXPECT_THROW(backend.infer(ref.batch, small), std::logic_error);
  EXPECT_EQ(small.scores.size(), 11u);
  BatchOutput out;
  out.scores.assign(16, 0.0f);
  Batch batch = ref.batch;
  batch.size = 4;  // more data than the input holds
  batch.shape[0] = 4;
  EXPECT_THROW(backend.infer(batch, out), std::logic_error);
  batch = ref.batch;
  batch.shape[0] = 2;  // disagrees with batch.size
  EXPECT_THROW(backend.infer(batch, out), std::logic_error);
}

TEST(OpenCvBackend, ReportsBadInputsAndOutputsWithTheModelFile) {
  Reference ref = load_reference();
  const fs::path tiny = kFixtures / "onnx_tiny.onnx";
  OpenCvBackend backend(tiny, 1);
  BatchOutput out;
  out.scores.assign(64, 0.0f);
  // 5x5 images: the linear layer gets 12 values instead of 27.
  Batch batch = ref.batch;
  batch.shape = {3, 1, 5, 5};
  EXPECT_TRUE(ThrowsInputError([&] { backend.infer(batch, out); },
                               {tiny.string(), "forward failed on a batch of shape [3, 1, 5, 5]"}));

  // A model whose output is (N, 2, 3): not one row of scores per instance.
  const fs::path rank3 = kFixtures / "onnx_rank3.onnx";
  OpenCvBackend reshaper(rank3, 1);
  batch.size = 2;
  batch.shape = {2, 6};
  EXPECT_TRUE(
      ThrowsInputError([&] { reshaper.infer(batch, out); },
                       {rank3.string() + ": output has shape [2, 2, 3], expected [2, classes]"}));
}

TEST(OpenCvBackend, RejectsMissingAndCorruptModels) {
  TempDir dir;
  const fs::path missing = dir / "missing.onnx";
  EXPECT_TRUE(ThrowsInputError([&] { OpenCvBackend(missing, 1); },
                               {missing.string() + ": no such model file"}));
  fs::create_directory(dir / "folder.onnx");
  EXPECT_TRUE(ThrowsInputError([&] { OpenCvBackend(dir / "folder.onnx", 1); },
                               {(dir / "folder.onnx").string() + ": not an ONNX model"}));
  const std::string good = read_file(kFixtures / "onnx_tiny.onnx");
  ASSERT_GT(good.size(), 1000u);
  const std::vector<std::pair<std::string, std::string>> corrupt{
      {"empty.onnx", ""},
      {"text.onnx", "not a model\nat all\n"},
      {"truncated.onnx", good.substr(0, good.size() / 2)},
  };
  for (const auto& [name, content] : corrupt) {
    // A plain variable for the lambda: clang 14 cannot capture a structured binding.
    const std::filesystem::path path = dir / name;
    write_file(path, content);
    EXPECT_TRUE(
        ThrowsInputError([&] { OpenCvBackend(path, 1); }, {path.string() + ": not an ONNX model"}))
        << name;
  }
  EXPECT_TRUE(ThrowsInputError([&] { OpenCvBackend(kFixtures / "onnx_tiny.onnx", 0); },
                               {"threads must be at least 1"}));
}

// The plug-in as `tailq run` finds it: tailq's own "opencv", for .onnx files.
TEST(OpenCvPlugin, IsFoundByNameAndRunsTheModel) {
  EXPECT_EQ(builtin_runner_for("model.onnx"), "opencv");
  const PluginTable& table = builtin_plugin("opencv");
  EXPECT_EQ(std::string(table.name), "opencv");
  ASSERT_NE(table.model_extensions, nullptr);
  ASSERT_NE(table.model_extensions[0], nullptr);
  EXPECT_EQ(std::string(table.model_extensions[0]), ".onnx");
  ASSERT_NE(table.make_backend, nullptr);

  Reference ref = load_reference();
  const auto backend = table.make_backend({kFixtures / "onnx_tiny.onnx", 2, 0});
  EXPECT_NE(backend->description().find("CPU, 2 threads"), std::string::npos)
      << backend->description();
  BatchOutput out;
  out.scores.assign(12, 0.0f);
  backend->infer(ref.batch, out);
  expect_scores(out, ref.scores, 0, 3);

  TempDir dir;
  write_file(dir / "bad.onnx", "garbage");
  EXPECT_TRUE(ThrowsInputError(
      [&] {
        table.make_backend({dir / "bad.onnx", 1, 0});
      },
      {(dir / "bad.onnx").string() + ": not an ONNX model"}));
}

}  // namespace
}  // namespace tailq
