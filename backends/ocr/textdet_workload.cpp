// The text detection workload (docs/detection.md, "Text detection"): generated pages
// (textdet_pages.hpp), Tesseract's automatic page segmentation and recognition finding their
// words, one page per instance, scored by COCO AP. Its time grows with the words on the page.
#include "ocr/tesseract_backend.hpp"
#include "ocr/textdet_pages.hpp"
#include "tailq/error.hpp"
#include "tailq/run.hpp"
#include "tailq/run_options.hpp"

namespace tailq {

Workload make_textdet_workload(const RunSettings& settings) {
  // About 0.5 MB of pixels a page: the cap keeps a typo from filling the memory.
  constexpr std::size_t kMaxPages = 10000;
  if (settings.textdet_pages == 0 || settings.textdet_pages > kMaxPages) {
    throw OptionError("textdet_pages", "must be between 1 and " + std::to_string(kMaxPages) +
                                           " pages, not " + std::to_string(settings.textdet_pages));
  }
  PageSetOptions options;
  options.pages = settings.textdet_pages;
  options.seed = settings.ocr_seed;
  options.degradation = parse_degradation(settings.ocr_degrade);
  const std::filesystem::path model = settings.model.empty()
                                          ? std::filesystem::path(TAILQ_DEFAULT_TESSERACT_MODEL)
                                          : settings.model;
  Workload w;
  // The model first: a missing one is reported before seconds of rendering.
  w.backend = std::make_unique<TesseractBackend>(model, static_cast<int>(settings.threads),
                                                 Reading::page_words);
  std::vector<PageImage> pages = load_or_generate_pages(kOcrCacheDir, options);
  std::size_t fewest = SIZE_MAX, most = 0;
  for (const PageImage& page : pages) {
    fewest = std::min(fewest, page.words.size());
    most = std::max(most, page.words.size());
  }
  const std::string name = "textdet-pages v" + std::to_string(kTextdetGeneratorVersion) + " seed " +
                           std::to_string(options.seed) + ", " + std::to_string(options.pages) +
                           " pages, degrade " + std::string(to_string(options.degradation)) + ", " +
                           std::to_string(fewest) + "-" + std::to_string(most) + " words";
  w.dataset = std::make_unique<TextdetDataset>(std::move(pages), name);
  w.model = model.string();
  w.model_fingerprint = file_fingerprint(model);
  return w;
}

}  // namespace tailq
