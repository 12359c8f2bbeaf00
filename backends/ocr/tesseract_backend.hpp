// A Backend that recognises one text line per instance with Tesseract's LSTM network (Debian's
// libtesseract with the tesseract-ocr-eng model), or finds the words of one page per instance.
// Tesseract's headers stay inside the .cpp.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "tailq/harness.hpp"

namespace tailq {

// What the engine is asked per image: the text of a single line (the ocr workload), or the words
// of a page found by Tesseract's automatic page segmentation (the textdet workload).
enum class Reading { line_text, page_words };

class TesseractBackend final : public Backend {
 public:
  // Loads `traineddata` (e.g. /usr/share/tesseract-ocr/5/tessdata/eng.traineddata) into one
  // engine, LSTM only, page segmentation "single text line" or "automatic" (`reading`); all of
  // it happens here, outside timed regions. Throws InputError (one line naming the file) when it is
  // missing or Tesseract cannot load it, or when threads < 1.
  //
  // Threads: Tesseract parallelises a few loops of its LSTM with OpenMP, with team sizes written
  // into its code (the LSTM gates ask for 4 threads), so a thread count cannot be imposed. With
  // threads == 1 OpenMP parallelism is switched off for this thread (max active levels 0): the
  // engine runs serially. With more, OpenMP is left on and omp_set_num_threads(threads) applies
  // where Tesseract does not name a team size; OMP_THREAD_LIMIT still caps every team.
  // The previous OpenMP settings come back when the backend is destroyed.
  TesseractBackend(const std::filesystem::path& traineddata, int threads,
                   Reading reading = Reading::line_text);
  ~TesseractBackend() override;
  TesseractBackend(const TesseractBackend&) = delete;
  TesseractBackend& operator=(const TesseractBackend&) = delete;

  // E.g. "tesseract 5.3.0 LSTM, eng.traineddata, single line, 1 thread (OpenMP off)".
  std::string description() const override;
  // For each instance of the batch, in turn: SetImage on the dataset's grayscale image (Tesseract
  // copies it), recognition, and into out.texts[i] either the UTF-8 text with runs of white space
  // turned into one space and none at either end, or every word's box and confidence / 100 as
  // detections [[1, x, y, w, h, score], ...] (docs/detection.md, "In a trace"; whole pixels,
  // scores to 4 decimals), written into the reserved string. Throws std::logic_error when the
  // batch has no images or out.texts too few entries (harness bugs), InputError when
  // recognition fails.
  void infer(const Batch& batch, BatchOutput& out) override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tailq
