// The built-in workloads, by name.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "collect/sleep_workload.hpp"
#include "tailq/error.hpp"
#include "tailq/run.hpp"

namespace tailq {

#ifdef TAILQ_HAVE_TORCH
Workload make_digits_workload(const RunSettings& settings);  // backends/torch/digits_workload.cpp
#endif
#ifdef TAILQ_HAVE_TESSERACT
Workload make_ocr_workload(const RunSettings& settings);  // backends/tesseract/ocr_workload.cpp
#endif

std::uint64_t file_fingerprint(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw InputError(path.string() + ": cannot read: " + std::strerror(errno));
  constexpr std::uint64_t kOffsetBasis = 14695981039346656037ull;
  constexpr std::uint64_t kPrime = 1099511628211ull;
  std::uint64_t hash = kOffsetBasis;
  std::vector<char> chunk(1 << 16);
  while (file) {
    file.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const std::size_t got = static_cast<std::size_t>(file.gcount());
    for (std::size_t i = 0; i < got; ++i) {
      hash = (hash ^ static_cast<unsigned char>(chunk[i])) * kPrime;
    }
  }
  if (file.bad()) throw InputError(path.string() + ": cannot read: I/O error");
  return hash;
}

Workload make_workload(const RunSettings& settings, unsigned replica) {
  if (settings.workload == "sleep") {
    Workload w;
    const RoundEffect effect = settings.sleep_round_effect.empty()
                                   ? RoundEffect{}
                                   : parse_round_effect(settings.sleep_round_effect);
    SleepModel model;
    if (!settings.sleep_model.empty()) {
      model = read_sleep_model(settings.sleep_model.string());
      w.model = settings.sleep_model.string();
      w.model_fingerprint = file_fingerprint(settings.sleep_model);
    } else {
      model = {{parse_sleep_law(settings.sleep_distribution)}, {true}};
      w.model = "sleep:" + settings.sleep_distribution;
    }
    const std::size_t n =
        settings.sleep_model.empty() ? settings.sleep_instances : model.laws.size();
    w.dataset = make_sleep_dataset(n);
    w.backend = make_sleep_backend(std::move(model), settings.sleep_seed, replica, effect,
                                   settings.sleep_round_effect.empty() ? 0 : n);
    return w;
  }
  if (settings.workload == "digits") {
#ifdef TAILQ_HAVE_TORCH
    return make_digits_workload(settings);
#else
    throw InputError(
        "the digits workload needs LibTorch, and this tailq was built without it (install "
        "libtorch-dev and rebuild); --workload sleep needs nothing");
#endif
  }
  if (settings.workload == "ocr") {
#ifdef TAILQ_HAVE_TESSERACT
    return make_ocr_workload(settings);
#else
    throw InputError(
        "the ocr workload needs Tesseract, Leptonica and Pango, and this tailq was built without "
        "them (install libtesseract-dev tesseract-ocr-eng libpango1.0-dev and rebuild)");
#endif
  }
  throw InputError("--workload: unknown workload '" + settings.workload +
                   "' (built in: digits, ocr, sleep)");
}

}  // namespace tailq
