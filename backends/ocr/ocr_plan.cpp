// What the generated OCR lines say and how each is drawn, from a seed (ocr_lines.hpp). Every
// line makes the same random draws whatever the degradation, so the clean, light and heavy sets
// of one seed hold the same text in the same fonts and differ only in how degraded they are.
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

#include "ocr/ocr_lines.hpp"
#include "tailq/error.hpp"

namespace tailq {
namespace {

constexpr std::size_t kMinChars = 3, kMaxChars = 90;
constexpr const char* kFamilies[] = {"DejaVu Sans",     "DejaVu Serif",     "DejaVu Sans Mono",
                                     "Liberation Sans", "Liberation Serif", "Liberation Mono"};
constexpr double kPixelSizes[] = {20, 24, 28, 32, 40};

// Uniform in [lo, hi) from 32 random bits: the same on every platform, unlike
// std::uniform_real_distribution.
double uniform(pcg32& rng, double lo, double hi) {
  return lo + (hi - lo) * (static_cast<double>(rng()) / 4294967296.0);
}

std::size_t below(pcg32& rng, std::size_t n) { return rng(static_cast<std::uint32_t>(n)); }

std::string style(std::size_t draw) {  // 5 in 10 regular, 2 bold, 2 italic, 1 bold italic
  return draw < 5 ? "" : draw < 7 ? " Bold" : draw < 9 ? " Italic" : " Bold Italic";
}

// The next word, sometimes a number, sometimes followed by a comma.
std::string next_token(pcg32& rng, std::span<const std::string> words) {
  std::string token = rng(20) == 0 ? std::to_string(rng(10000)) : words[below(rng, words.size())];
  if (rng(12) == 0) token += ',';
  return token;
}

}  // namespace

Degradation parse_degradation(std::string_view text) {
  if (text == "none") return Degradation::none;
  if (text == "light") return Degradation::light;
  if (text == "heavy") return Degradation::heavy;
  throw InputError("--degrade: expected none, light or heavy, got '" + std::string(text) + "'");
}

std::string_view to_string(Degradation degradation) {
  switch (degradation) {
    case Degradation::light:
      return "light";
    case Degradation::heavy:
      return "heavy";
    case Degradation::none:
      break;
  }
  return "none";
}

std::vector<std::string> read_word_list(const std::filesystem::path& path) {
  std::ifstream file(path);
  if (!file) {
    throw InputError(path.string() + ": cannot read the word list (" + std::strerror(errno) +
                     "; Debian package wamerican)");
  }
  std::vector<std::string> words;
  for (std::string line; std::getline(file, line);) {
    bool letters = !line.empty();
    for (char c : line) letters &= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (letters) words.push_back(line);
  }
  if (words.size() < 100) {
    throw InputError(path.string() + ": only " + std::to_string(words.size()) +
                     " words of ASCII letters; not a word list");
  }
  return words;
}

std::string plan_text(pcg32& rng, std::span<const std::string> words, std::size_t target) {
  std::string token = next_token(rng, words);
  while (token.size() > target) token = next_token(rng, words);
  std::string text = token;
  for (;;) {
    token = next_token(rng, words);
    if (text.size() + 1 + token.size() > target) break;
    text += ' ' + token;
  }
  if (text.back() == ',') text.back() = '.';
  return text;
}

void plan_look(pcg32& rng, Degradation degradation, LineSpec& spec) {
  spec.font = kFamilies[below(rng, std::size(kFamilies))] + style(below(rng, 10));
  spec.pixel_size = kPixelSizes[below(rng, std::size(kPixelSizes))];
  // Five draws in [0, 1), scaled by the degradation's ranges.
  double u[5];
  for (double& v : u) v = uniform(rng, 0, 1);
  switch (degradation) {
    case Degradation::none:
      break;
    case Degradation::light:
      spec.angle_deg = -1 + 2 * u[0];
      spec.ink = 70 * u[1];
      spec.paper = 200 + 55 * u[2];
      spec.blur_sigma = 0.3 + 0.6 * u[3];
      spec.noise_sigma = 4 + 6 * u[4];
      break;
    case Degradation::heavy:
      spec.angle_deg = -2 + 4 * u[0];
      spec.ink = 40 + 60 * u[1];
      spec.paper = 165 + 60 * u[2];
      spec.blur_sigma = 0.5 + 0.7 * u[3];
      spec.noise_sigma = 8 + 10 * u[4];
      break;
  }
}

std::vector<LineSpec> plan_lines(std::span<const std::string> words,
                                 const LineSetOptions& options) {
  pcg32 rng(options.seed, 0);
  std::vector<LineSpec> specs(options.lines);
  for (LineSpec& spec : specs) {
    const std::size_t target = kMinChars + below(rng, kMaxChars - kMinChars + 1);
    spec.text = plan_text(rng, words, target);
    plan_look(rng, options.degradation, spec);
  }
  return specs;
}

}  // namespace tailq
