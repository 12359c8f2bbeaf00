// A Backend that runs an ONNX model on the CPU with OpenCV's DNN module. The OpenCV headers stay
// inside opencv_backend.cpp, so code that only constructs an OpenCvBackend compiles without them.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "tailq/harness.hpp"

namespace tailq {

class OpenCvBackend final : public Backend {
 public:
  // Loads the ONNX model at `model` for OpenCV's own backend on the CPU with `threads` threads.
  // Throws InputError (one line naming the file) when the file is missing or OpenCV cannot read
  // or parse it, or when threads < 1.
  //
  // OpenCV's thread count is per process: it is set here and again, cheaply, by infer() whenever
  // another caller has changed it.
  OpenCvBackend(const std::filesystem::path& model, int threads);
  ~OpenCvBackend() override;
  OpenCvBackend(const OpenCvBackend&) = delete;
  OpenCvBackend& operator=(const OpenCvBackend&) = delete;

  // E.g. "OpenCV DNN 4.6.0 (ONNX), CPU, 2 threads".
  std::string description() const override;
  // Runs the network on batch.input viewed as a blob of batch.shape and copies the
  // (batch.size x width) float scores to out.scores. Throws std::logic_error when out.scores is
  // too small or batch.shape does not fit batch.input (harness bugs), InputError when the model
  // fails on the batch or its output is not (batch.size x width).
  void infer(const Batch& batch, BatchOutput& out) override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tailq
