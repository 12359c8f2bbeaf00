// A Backend that recognises one text line per instance with Tesseract's LSTM network (Debian's
// libtesseract with the tesseract-ocr-eng model). Tesseract's headers stay inside the .cpp.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "tailq/harness.hpp"

namespace tailq {

class TesseractBackend final : public Backend {
 public:
  // Loads `traineddata` (e.g. /usr/share/tesseract-ocr/5/tessdata/eng.traineddata) into one
  // engine, LSTM only, page segmentation "single text line"; all of it happens here, outside
  // timed regions. Throws InputError (one line naming the file) when it is missing or Tesseract
  // cannot load it, or when threads < 1.
  //
  // Threads: Tesseract parallelises a few loops of its LSTM with OpenMP, with team sizes written
  // into its code (the LSTM gates ask for 4 threads), so a thread count cannot be imposed. With
  // threads == 1 OpenMP parallelism is switched off for this thread (max active levels 0): the
  // engine runs serially. With more, OpenMP is left on and omp_set_num_threads(threads) applies
  // where Tesseract does not name a team size; OMP_THREAD_LIMIT still caps every team.
  // The previous OpenMP settings come back when the backend is destroyed.
  TesseractBackend(const std::filesystem::path& traineddata, int threads);
  ~TesseractBackend() override;
  TesseractBackend(const TesseractBackend&) = delete;
  TesseractBackend& operator=(const TesseractBackend&) = delete;

  // E.g. "tesseract 5.3.0 LSTM, eng.traineddata, single line, 1 thread (OpenMP off)".
  std::string description() const override;
  // For each instance of the batch, in turn: SetImage on the dataset's grayscale image (Tesseract
  // copies it), recognition, and the UTF-8 text with runs of white space turned into one space
  // and none at either end, assigned to out.texts[i]. Throws std::logic_error when the batch has
  // no images or out.texts too few entries (harness bugs), InputError when recognition fails.
  void infer(const Batch& batch, BatchOutput& out) override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tailq
