// The OCR workload: generated English text lines (src/collect/ocr_lines.hpp), read by
// Tesseract's LSTM, one line per instance. Its inference time grows with the line.
#include <cmath>

#include "ocr/ocr_lines.hpp"
#include "ocr/tesseract_backend.hpp"
#include "tailq/error.hpp"
#include "tailq/run.hpp"
#include "tailq/run_options.hpp"

namespace tailq {

Workload make_ocr_workload(const RunSettings& settings) {
  // About 50 kB of pixels a line: the cap keeps a typo from filling the memory.
  constexpr std::size_t kMaxLines = 100000;
  if (settings.ocr_lines == 0 || settings.ocr_lines > kMaxLines) {
    throw OptionError("ocr_lines", "must be between 1 and " + std::to_string(kMaxLines) +
                                       " lines, not " + std::to_string(settings.ocr_lines));
  }
  LineSetOptions options;
  options.lines = settings.ocr_lines;
  options.seed = settings.ocr_seed;
  options.degradation = parse_degradation(settings.ocr_degrade);
  const std::filesystem::path model = settings.model.empty()
                                          ? std::filesystem::path(TAILQ_DEFAULT_TESSERACT_MODEL)
                                          : settings.model;
  Workload w;
  // The model first: a missing one is reported before seconds of rendering.
  w.backend = std::make_unique<TesseractBackend>(model, static_cast<int>(settings.threads));
  std::vector<LineImage> lines = load_or_generate_lines(kOcrCacheDir, options);
  std::uint32_t narrowest = UINT32_MAX, widest = 0;
  for (const LineImage& line : lines) {
    narrowest = std::min(narrowest, line.width);
    widest = std::max(widest, line.width);
  }
  const std::string name = "ocr-lines v" + std::to_string(kOcrGeneratorVersion) + " seed " +
                           std::to_string(options.seed) + ", " + std::to_string(options.lines) +
                           " lines, degrade " + std::string(to_string(options.degradation)) + ", " +
                           std::to_string(narrowest) + "-" + std::to_string(widest) + " px wide";
  w.dataset = std::make_unique<OcrDataset>(std::move(lines), name);
  w.model = model.string();
  w.model_fingerprint = file_fingerprint(model);
  return w;
}

}  // namespace tailq
