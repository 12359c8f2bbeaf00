// The OCR workload as a plug-in (tailq/plugin.hpp): libtailq-ocr.so, which alone links
// Tesseract, Leptonica and Pango/Cairo.
#include "tailq/plugin.hpp"

namespace tailq {
Workload make_ocr_workload(const RunSettings& settings);  // ocr_workload.cpp
}  // namespace tailq

namespace {

const char* const kWorkloads[] = {"ocr", nullptr};

// Every worker gets its own engine and its own copy of the (cached) lines.
tailq::Workload make_workload(const tailq::RunSettings& settings, unsigned /*replica*/) {
  return tailq::make_ocr_workload(settings);
}

const tailq::PluginTable kTable{tailq::kPluginAbi,
                                "ocr",
                                "Tesseract's LSTM reading generated text lines",
                                nullptr,
                                nullptr,
                                kWorkloads,
                                &make_workload};

}  // namespace

TAILQ_PLUGIN(kTable)
