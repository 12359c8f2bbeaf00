#include "torch/torch_backend.hpp"

#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <c10/util/Exception.h>
#include <torch/script.h>
#if __has_include(<torch/version.h>)
#include <torch/version.h>
#endif

#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <vector>

#include "tailq/error.hpp"

namespace tailq {
namespace {

#ifdef TORCH_VERSION
constexpr std::string_view kTorchVersion = TORCH_VERSION;
#else
constexpr std::string_view kTorchVersion = "(unknown version)";
#endif

// LibTorch's messages run over many lines (the C++ stack or the TorchScript source position);
// tailq's errors are one line, so only the first non-empty one is kept.
std::string first_line(std::string_view message) {
  while (!message.empty() && (message.front() == '\n' || message.front() == ' ')) {
    message.remove_prefix(1);
  }
  std::string_view line = message.substr(0, message.find('\n'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
  return std::string(line);
}

std::string first_line(const std::exception& error) {
  // what_without_backtrace: what() of a c10::Error appends a C++ backtrace.
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&error)) {
    return first_line(c10_error->what_without_backtrace());
  }
  return first_line(error.what());
}

// Inter-op threads run forked TorchScript tasks (torch.jit.fork), which these sequential models
// never create, so one suffices. LibTorch accepts the setting once per process and only before
// the pool starts; later calls throw, and are then harmless to skip.
void set_interop_threads_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    try {
      at::set_num_interop_threads(1);
    } catch (const c10::Error&) {
      // Already set or already started by someone else in this process: keep theirs.
    }
  });
}

}  // namespace

struct TorchBackend::State {
  std::filesystem::path path;
  torch::jit::Module module;
  int threads = 1;
};

TorchBackend::TorchBackend(const std::filesystem::path& model, int intra_op_threads)
    : state_(std::make_unique<State>()) {
  if (intra_op_threads < 1) {
    throw InputError("intra-op threads must be at least 1, not " +
                     std::to_string(intra_op_threads));
  }
  std::error_code ec;
  if (!std::filesystem::exists(model, ec))
    throw InputError(model.string() + ": no such model file");
  if (std::filesystem::is_directory(model, ec)) {
    throw InputError(model.string() + ": not a TorchScript model (a directory)");
  }
  state_->path = model;
  state_->threads = intra_op_threads;
  try {
    state_->module = torch::jit::load(model.string(), torch::kCPU);
  } catch (const std::exception& error) {
    // c10::Error for a file that is not a zip archive or lacks TorchScript's records,
    // torch::jit::ErrorReport for code that does not compile, std::runtime_error for I/O.
    throw InputError(model.string() + ": not a TorchScript model (" + first_line(error) + ")");
  }
  state_->module.eval();
  set_interop_threads_once();
  at::set_num_threads(intra_op_threads);
}

TorchBackend::~TorchBackend() = default;

std::string TorchBackend::description() const {
  return "libtorch " + std::string(kTorchVersion) + " cpu, " + std::to_string(state_->threads) +
         (state_->threads == 1 ? " intra-op thread" : " intra-op threads");
}

void TorchBackend::infer(const Batch& batch, BatchOutput& out) {
  // The thread count is process-wide state that another backend or library may have changed
  // since construction; checking it costs a function call, a mismatch would cost the run.
  if (at::get_num_threads() != state_->threads) at::set_num_threads(state_->threads);

  std::int64_t elements = 1;
  for (std::int64_t extent : batch.shape) elements *= extent;
  if (batch.shape.empty() || batch.shape[0] != static_cast<std::int64_t>(batch.size) ||
      elements < 0 || static_cast<std::size_t>(elements) > batch.input.size()) {
    throw std::logic_error("TorchBackend::infer: batch.shape does not match batch.size or input");
  }

  // Inference mode skips autograd's version counters and views bookkeeping entirely; tensors
  // made here must not escape to code that records gradients, and none do.
  c10::InferenceMode inference;
  // from_blob views the harness's buffer without copying; the module only reads its input.
  const at::Tensor input = torch::from_blob(const_cast<float*>(batch.input.data()),
                                            at::IntArrayRef(batch.shape), torch::kFloat32);
  at::Tensor scores;
  try {
    const c10::IValue result = state_->module.forward({input});
    if (!result.isTensor()) {
      throw InputError(state_->path.string() + ": forward returned " + result.tagKind() +
                       ", not a tensor of scores");
    }
    scores = result.toTensor();
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& error) {
    throw InputError(state_->path.string() + ": forward failed on a batch of shape " +
                     c10::str(at::IntArrayRef(batch.shape)) + " (" + first_line(error) + ")");
  }
  if (scores.dim() != 2 || scores.size(0) != static_cast<std::int64_t>(batch.size)) {
    throw InputError(state_->path.string() + ": forward returned scores of shape " +
                     c10::str(scores.sizes()) + ", expected (" + std::to_string(batch.size) +
                     ", classes)");
  }
  // Both are no-ops (no copy) for the usual contiguous float32 output.
  scores = scores.to(torch::kFloat32).contiguous();
  const std::size_t width = static_cast<std::size_t>(scores.size(1));
  const std::size_t count = batch.size * width;
  if (out.scores.size() < count) {
    throw std::logic_error("TorchBackend::infer: out.scores holds " +
                           std::to_string(out.scores.size()) + " floats, the batch needs " +
                           std::to_string(count));
  }
  std::memcpy(out.scores.data(), scores.data_ptr<float>(), count * sizeof(float));
  out.width = width;
}

}  // namespace tailq
