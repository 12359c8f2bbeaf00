// Text metrics (line OCR) as additive statistics, every one higher-is-better like the rest of
// tailq:
//   line-accuracy: exact matches / lines.
//   char-accuracy = 1 - CER, where CER = sum of character (code point) Levenshtein distances /
//     sum of reference lengths; below 0 when insertions outnumber the reference.
//   word-accuracy = 1 - WER, the same over words (the speech-recognition convention).
// A late line counts as fully missed: distance = its reference length, no exact match.
#include <string>

#include "metrics/edit_distance.hpp"
#include "metrics/registry.hpp"

namespace tailq {
namespace {

enum class Unit { line, character, word };

class TextAccuracy final : public AdditiveMetric {
 public:
  TextAccuracy(const Outcomes& outcomes, Unit unit) : unit_(unit) {
    const std::size_t n = outcomes.labels.size();
    distance_.reserve(n);
    length_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const LineErrors e = line_errors(outcomes.labels[i], outcomes.predictions[i]);
      switch (unit) {
        case Unit::line:
          distance_.push_back(e.exact ? 0.0 : 1.0);
          length_.push_back(1.0);
          break;
        case Unit::character:
          distance_.push_back(static_cast<double>(e.char_distance));
          length_.push_back(static_cast<double>(e.ref_chars));
          break;
        case Unit::word:
          distance_.push_back(static_cast<double>(e.word_distance));
          length_.push_back(static_cast<double>(e.ref_words));
          break;
      }
    }
  }
  std::string_view name() const override {
    return unit_ == Unit::line        ? "line-accuracy"
           : unit_ == Unit::character ? "char-accuracy"
                                      : "word-accuracy";
  }
  // 0: errors (edit distance, or 1 for a line that is not an exact match); 1: reference units.
  std::size_t statistic_count() const override { return 2; }
  std::size_t instance_count() const override { return distance_.size(); }
  void statistics(std::size_t i, bool on_time, std::vector<Statistic>& out) const override {
    const double errors = on_time ? distance_[i] : length_[i];
    if (errors != 0) out.push_back({0, errors});
    if (length_[i] != 0) out.push_back({1, length_[i]});
  }
  // An empty reference set (no characters at all) counts as one unit, so the ratio is defined.
  double finalize(std::span<const double> sums) const override {
    return 1.0 - sums[0] / std::max(sums[1], 1.0);
  }

 private:
  Unit unit_;
  std::vector<double> distance_;  // per instance, when on time
  std::vector<double> length_;    // per instance: reference characters, words, or 1 line
};

}  // namespace

std::unique_ptr<Metric> make_text_metric(const Outcomes& outcomes, std::string_view name) {
  if (name == "line-accuracy") return std::make_unique<TextAccuracy>(outcomes, Unit::line);
  if (name == "char-accuracy") return std::make_unique<TextAccuracy>(outcomes, Unit::character);
  if (name == "word-accuracy") return std::make_unique<TextAccuracy>(outcomes, Unit::word);
  return nullptr;
}

}  // namespace tailq
