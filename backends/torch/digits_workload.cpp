// The default workload: a small CNN (workloads/digits/train.py) on the held-out split of the
// UCI handwritten digits, run by LibTorch.
#include "collect/digits_dataset.hpp"
#include "tailq/error.hpp"
#include "tailq/run.hpp"
#include "torch/torch_backend.hpp"

namespace tailq {

Workload make_digits_workload(const RunSettings& settings) {
  const std::filesystem::path model =
      settings.model.empty() ? std::filesystem::path(TAILQ_DEFAULT_DIGITS_MODEL) : settings.model;
  const std::filesystem::path data =
      settings.data.empty() ? std::filesystem::path(kDefaultDigitsPath) : settings.data;
  Workload w;
  w.dataset = std::make_unique<DigitsDataset>(data);
  w.backend = std::make_unique<TorchBackend>(model, settings.threads);
  w.model = model.string();
  w.model_fingerprint = file_fingerprint(model);
  return w;
}

}  // namespace tailq
