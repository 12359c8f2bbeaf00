// A Backend that runs a TorchScript model on the CPU with LibTorch. The LibTorch headers stay
// inside torch_backend.cpp, so code that only constructs a TorchBackend compiles without them
// (and in seconds rather than minutes).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "tailq/harness.hpp"

namespace tailq {

class TorchBackend final : public Backend {
 public:
  // Loads the TorchScript module at `model` for inference on the CPU with `intra_op_threads`
  // threads per operator. Throws InputError (one line naming the file) when the file is missing
  // or not TorchScript, or when intra_op_threads < 1.
  //
  // LibTorch's thread pools are per process: the intra-op thread count is set here and again,
  // cheaply, by infer() whenever another caller has changed it; the inter-op pool is set to one
  // thread by the first TorchBackend of the process (a sequential model never forks into it).
  TorchBackend(const std::filesystem::path& model, int intra_op_threads);
  ~TorchBackend() override;
  TorchBackend(const TorchBackend&) = delete;
  TorchBackend& operator=(const TorchBackend&) = delete;

  // E.g. "libtorch 1.13.0 cpu, 2 intra-op threads".
  std::string description() const override;
  // Runs forward() on batch.input viewed (not copied) as a tensor of batch.shape and copies the
  // (batch.size x width) float scores to out.scores. Throws std::logic_error when out.scores is
  // too small or batch.shape does not fit batch.input (harness bugs), InputError when the model
  // does not return a (batch.size x width) tensor.
  void infer(const Batch& batch, BatchOutput& out) override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tailq
