// The TorchScript runner as a plug-in (tailq/plugin.hpp): libtailq-torch.so.
#include "tailq/plugin.hpp"
#include "torch/torch_backend.hpp"

namespace {

const char* const kExtensions[] = {".pt", ".pth", ".torchscript", nullptr};

std::unique_ptr<tailq::Backend> make_backend(const tailq::ModelRequest& request) {
  return std::make_unique<tailq::TorchBackend>(request.model, static_cast<int>(request.threads));
}

const tailq::PluginTable kTable{tailq::kPluginAbi,
                                "torch",
                                "TorchScript models on the CPU with LibTorch",
                                kExtensions,
                                &make_backend,
                                nullptr,
                                nullptr};

}  // namespace

TAILQ_PLUGIN(kTable)
