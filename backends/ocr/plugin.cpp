// The OCR and text detection workloads as a plug-in (tailq/plugin.hpp): libtailq-ocr.so, which
// alone links Tesseract, Leptonica and Pango/Cairo.
#include "tailq/plugin.hpp"

namespace tailq {
Workload make_ocr_workload(const RunSettings& settings);      // ocr_workload.cpp
Workload make_textdet_workload(const RunSettings& settings);  // textdet_workload.cpp
}  // namespace tailq

namespace {

const char* const kWorkloads[] = {"ocr", "textdet", nullptr};

// Every worker gets its own engine and its own copy of the (cached) lines or pages.
tailq::Workload make_workload(const tailq::RunSettings& settings, unsigned /*replica*/) {
  if (settings.workload == "textdet") return tailq::make_textdet_workload(settings);
  return tailq::make_ocr_workload(settings);
}

const tailq::PluginTable kTable{
    tailq::kPluginAbi, "ocr",   "Tesseract on generated lines (ocr) and pages (textdet)",
    nullptr,           nullptr, kWorkloads,
    &make_workload};

}  // namespace

TAILQ_PLUGIN(kTable)
