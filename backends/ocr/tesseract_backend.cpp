#include "ocr/tesseract_backend.hpp"

#include <fcntl.h>
#include <omp.h>
#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <stdexcept>

#include "tailq/error.hpp"

namespace tailq {
namespace {

// Tesseract reads the resolution to size a few of its filters; without it, it guesses one and
// prints a warning, which would be I/O inside the timed region.
constexpr int kSourceDpi = 150;

// Tesseract prints its own complaints on stderr while it loads a model; tailq's errors are one
// line, so stderr is parked on /dev/null for the duration.
class QuietStderr {
 public:
  QuietStderr() : saved_(::dup(STDERR_FILENO)) {
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved_ >= 0 && null >= 0) ::dup2(null, STDERR_FILENO);
    if (null >= 0) ::close(null);
  }
  ~QuietStderr() {
    if (saved_ >= 0) {
      ::dup2(saved_, STDERR_FILENO);
      ::close(saved_);
    }
  }
  QuietStderr(const QuietStderr&) = delete;
  QuietStderr& operator=(const QuietStderr&) = delete;

 private:
  int saved_;
};

// Tesseract's text with every run of white space (its line ends included) as one space and none
// at either end; assigning into reserved capacity does not allocate.
void assign_line(const char* text, std::string& answer) {
  answer.clear();
  bool gap = false;
  for (const char* p = text; p && *p; ++p) {
    const char c = *p;
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
      gap = !answer.empty();
      continue;
    }
    if (gap) answer.push_back(' ');
    gap = false;
    answer.push_back(c);
  }
}

void append_number(std::string& out, double value) {
  char digits[32];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

// Every word Tesseract found on the page as a detection of category 1 (docs/detection.md, "In a
// trace"), appended to the cleared `answer`: with its reserved capacity it does not allocate.
void assign_words(tesseract::TessBaseAPI& api, std::string& answer) {
  answer.assign("[");
  const std::unique_ptr<tesseract::ResultIterator> words(api.GetIterator());
  if (words && !words->Empty(tesseract::RIL_WORD)) {
    do {
      int left = 0, top = 0, right = 0, bottom = 0;
      if (!words->BoundingBox(tesseract::RIL_WORD, &left, &top, &right, &bottom)) continue;
      const double score = std::round(words->Confidence(tesseract::RIL_WORD) * 100) / 10000;
      answer.append(answer.size() > 1 ? ",[1," : "[1,");
      for (const int v : {left, top, right - left, bottom - top}) {
        append_number(answer, v);
        answer.push_back(',');
      }
      append_number(answer, score);
      answer.push_back(']');
    } while (words->Next(tesseract::RIL_WORD));
  }
  answer.push_back(']');
}

}  // namespace

struct TesseractBackend::State {
  tesseract::TessBaseAPI api;
  std::filesystem::path model;
  Reading reading = Reading::line_text;
  int threads = 1;
  int saved_max_active_levels = 1;
  int saved_num_threads = 1;

  void apply_threads() const {
    if (threads == 1) {
      omp_set_max_active_levels(0);
    } else {
      omp_set_max_active_levels(std::max(saved_max_active_levels, 1));
      omp_set_num_threads(threads);
    }
  }
};

TesseractBackend::TesseractBackend(const std::filesystem::path& traineddata, int threads,
                                   Reading reading)
    : state_(std::make_unique<State>()) {
  if (threads < 1) throw InputError("threads must be at least 1, not " + std::to_string(threads));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(traineddata, ec)) {
    throw InputError(traineddata.string() +
                     ": no such Tesseract model (Debian package tesseract-ocr-eng)");
  }
  if (traineddata.extension() != ".traineddata") {
    throw InputError(traineddata.string() + ": not a Tesseract model (expected LANG.traineddata)");
  }
  State& s = *state_;
  s.model = traineddata;
  s.reading = reading;
  s.threads = threads;
  int failed = 0;
  {
    const QuietStderr quiet;
    failed = s.api.Init(traineddata.parent_path().c_str(), traineddata.stem().c_str(),
                        tesseract::OEM_LSTM_ONLY);
  }
  if (failed != 0) {
    throw InputError(traineddata.string() +
                     ": Tesseract cannot load it as an LSTM model (OEM_LSTM_ONLY)");
  }
  s.api.SetPageSegMode(reading == Reading::line_text ? tesseract::PSM_SINGLE_LINE
                                                     : tesseract::PSM_AUTO);
  s.saved_max_active_levels = omp_get_max_active_levels();
  s.saved_num_threads = omp_get_max_threads();
  s.apply_threads();
}

TesseractBackend::~TesseractBackend() {
  omp_set_max_active_levels(state_->saved_max_active_levels);
  omp_set_num_threads(state_->saved_num_threads);
}

std::string TesseractBackend::description() const {
  const State& s = *state_;
  std::string text = std::string("tesseract ") + tesseract::TessBaseAPI::Version() + " LSTM, " +
                     s.model.filename().string() +
                     (s.reading == Reading::line_text ? ", single line, "
                                                      : ", automatic page segmentation, words, ");
  if (s.threads == 1) return text + "1 thread (OpenMP off)";
  return text + std::to_string(s.threads) +
         " threads asked (OpenMP on; Tesseract's own team sizes, up to 4, apply in the LSTM)";
}

void TesseractBackend::infer(const Batch& batch, BatchOutput& out) {
  State& s = *state_;
  if (batch.images.size() < batch.size || out.texts.size() < batch.size) {
    throw std::logic_error("TesseractBackend::infer: the batch has no images or no text slots");
  }
  // Process-wide OpenMP settings may have been changed by someone else since construction.
  s.apply_threads();
  for (std::size_t i = 0; i < batch.size; ++i) {
    const GrayImage& image = batch.images[i];
    s.api.SetImage(image.pixels, image.width, image.height, 1, image.stride);
    s.api.SetSourceResolution(kSourceDpi);
    if (s.api.Recognize(nullptr) != 0) {
      throw InputError(s.model.string() + ": Tesseract failed to recognise an image");
    }
    if (s.reading == Reading::page_words) {
      assign_words(s.api, out.texts[i]);
    } else {
      const std::unique_ptr<char[]> text(s.api.GetUTF8Text());
      assign_line(text.get(), out.texts[i]);
    }
  }
}

}  // namespace tailq
