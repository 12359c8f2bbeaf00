// UTF-8 decoding and word splitting for the edit distances of the text metrics.
#include "metrics/edit_distance.hpp"

#include <algorithm>

namespace tailq {

std::u32string utf8_code_points(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80           ? 1
                               : (lead >> 5) == 0x6  ? 2
                               : (lead >> 4) == 0xe  ? 3
                               : (lead >> 3) == 0x1e ? 4
                                                     : 0;
    bool valid = length > 0 && i + length <= text.size();
    char32_t code = length == 1 ? lead : lead & (0x7f >> length);
    for (std::size_t k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xc0) == 0x80;
      code = (code << 6) | (next & 0x3f);
    }
    out.push_back(valid ? code : U'\uFFFD');
    i += valid ? length : 1;
  }
  return out;
}

std::vector<std::string_view> split_words(std::string_view text) {
  constexpr std::string_view kSpaces = " \t\n\r";
  std::vector<std::string_view> words;
  std::size_t pos = 0;
  while (true) {
    const auto start = text.find_first_not_of(kSpaces, pos);
    if (start == std::string_view::npos) break;
    const auto end = std::min(text.find_first_of(kSpaces, start), text.size());
    words.push_back(text.substr(start, end - start));
    pos = end;
  }
  return words;
}

LineErrors line_errors(std::string_view reference, std::string_view recognised) {
  LineErrors e;
  const std::u32string ref = utf8_code_points(reference), got = utf8_code_points(recognised);
  e.char_distance = levenshtein(ref, got);
  e.ref_chars = ref.size();
  const auto ref_words = split_words(reference), got_words = split_words(recognised);
  e.word_distance = levenshtein(ref_words, got_words);
  e.ref_words = ref_words.size();
  e.exact = reference == recognised;
  return e;
}

}  // namespace tailq
