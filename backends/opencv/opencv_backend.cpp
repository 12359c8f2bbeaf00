#include "opencv/opencv_backend.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <vector>

#include "tailq/error.hpp"

namespace tailq {
namespace {

// cv::Exception's description can run over several lines ("... in function 'f'\n> detail");
// tailq's errors are one line, so its lines are joined and blank ones dropped.
std::string one_line(std::string_view text) {
  std::string line;
  while (!text.empty()) {
    std::string_view part = text.substr(0, text.find('\n'));
    text.remove_prefix(std::min(text.size(), part.size() + 1));
    while (!part.empty() && (part.front() == ' ' || part.front() == '>')) part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\r')) part.remove_suffix(1);
    if (part.empty()) continue;
    if (!line.empty()) line += ": ";
    line += part;
  }
  return line.empty() ? "unknown error" : line;
}

std::string shape_text(const cv::MatSize& size) {
  std::string text = "[";
  for (int i = 0; i < size.dims(); ++i) text += (i ? ", " : "") + std::to_string(size[i]);
  return text + "]";
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    text += (i ? ", " : "") + std::to_string(shape[i]);
  }
  return text + "]";
}

// The most dimensions a cv::Mat has (CV_MAX_DIM of OpenCV's C headers, not included here).
constexpr std::size_t kMaxDims = 32;

// OpenCV logs each failure to stderr (a failed parse; a layer that rejects an input shape, with
// several lines of detail) before it throws, and the exception, which tailq reports as its one
// line, says what went wrong. The log level is one per process, set once here, not around each
// call: replicas load and infer concurrently, and setting it is not thread-safe. A user who sets
// OPENCV_LOG_LEVEL keeps OpenCV's log.
void quiet_opencv_log_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (std::getenv("OPENCV_LOG_LEVEL") == nullptr) {
      cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    }
  });
}

}  // namespace

struct OpenCvBackend::State {
  std::filesystem::path path;
  cv::dnn::Net net;
  int threads = 1;
};

OpenCvBackend::OpenCvBackend(const std::filesystem::path& model, int threads)
    : state_(std::make_unique<State>()) {
  if (threads < 1) {
    throw InputError("OpenCV threads must be at least 1, not " + std::to_string(threads));
  }
  std::error_code ec;
  if (!std::filesystem::exists(model, ec)) {
    throw InputError(model.string() + ": no such model file");
  }
  if (std::filesystem::is_directory(model, ec)) {
    throw InputError(model.string() + ": not an ONNX model (a directory)");
  }
  state_->path = model;
  state_->threads = threads;
  quiet_opencv_log_once();
  try {
    state_->net = cv::dnn::readNetFromONNX(model.string());
  } catch (const cv::Exception& error) {
    throw InputError(model.string() + ": not an ONNX model that OpenCV " + cv::getVersionString() +
                     " can read (" + one_line(error.err) + ")");
  }
  if (state_->net.empty()) {
    throw InputError(model.string() + ": OpenCV read no layers from this ONNX model");
  }
  state_->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  state_->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  cv::setNumThreads(threads);
}

OpenCvBackend::~OpenCvBackend() = default;

std::string OpenCvBackend::description() const {
  return "OpenCV DNN " + cv::getVersionString() + " (ONNX), CPU, " +
         std::to_string(state_->threads) + (state_->threads == 1 ? " thread" : " threads");
}

void OpenCvBackend::infer(const Batch& batch, BatchOutput& out) {
  // The thread count is process-wide state that another backend or library may have changed
  // since construction; checking it costs a function call, a mismatch would cost the run.
  if (cv::getNumThreads() != state_->threads) cv::setNumThreads(state_->threads);

  // cv::Mat takes its extents as int; a fixed array keeps the timed region free of tailq-side
  // allocations.
  std::array<int, kMaxDims> sizes{};
  std::int64_t elements = 1;
  bool fits = !batch.shape.empty() && batch.shape.size() <= sizes.size() &&
              batch.shape[0] == static_cast<std::int64_t>(batch.size);
  for (std::size_t i = 0; fits && i < batch.shape.size(); ++i) {
    const std::int64_t extent = batch.shape[i];
    fits = extent >= 0 && extent <= INT32_MAX;
    sizes[i] = static_cast<int>(extent);
    elements *= extent;
  }
  if (!fits || static_cast<std::size_t>(elements) > batch.input.size()) {
    throw std::logic_error("OpenCvBackend::infer: batch.shape does not match batch.size or input");
  }

  cv::Mat scores;
  try {
    // A header over the harness's buffer, no copy here; setInput copies it into the network's
    // own input blob (reusing that blob while the shape stays the same), so nothing keeps a
    // pointer into batch.input after this call.
    const cv::Mat blob(static_cast<int>(batch.shape.size()), sizes.data(), CV_32F,
                       const_cast<float*>(batch.input.data()));
    state_->net.setInput(blob);
    // The returned Mat shares the network's output blob: no copy until the memcpy below.
    scores = state_->net.forward();
  } catch (const cv::Exception& error) {
    throw InputError(state_->path.string() + ": forward failed on a batch of shape " +
                     shape_text(batch.shape) + " (" + one_line(error.err) + ")");
  }
  if (scores.dims != 2 || scores.size[0] != static_cast<int>(batch.size)) {
    throw InputError(state_->path.string() + ": output has shape " + shape_text(scores.size) +
                     ", expected [" + std::to_string(batch.size) + ", classes]");
  }
  if (scores.type() != CV_32F) {
    throw InputError(state_->path.string() + ": output is not float32 scores (OpenCV type " +
                     cv::typeToString(scores.type()) + ")");
  }
  // Blobs that OpenCV allocates are continuous; a view into a larger one would not be.
  if (!scores.isContinuous()) scores = scores.clone();
  const std::size_t width = static_cast<std::size_t>(scores.size[1]);
  const std::size_t count = batch.size * width;
  if (out.scores.size() < count) {
    throw std::logic_error("OpenCvBackend::infer: out.scores holds " +
                           std::to_string(out.scores.size()) + " floats, the batch needs " +
                           std::to_string(count));
  }
  std::memcpy(out.scores.data(), scores.ptr<float>(), count * sizeof(float));
  out.width = width;
}

}  // namespace tailq
