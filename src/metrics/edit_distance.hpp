// Edit distance for the text metrics (OCR: character and word error rates). Characters are
// Unicode code points, so an accented letter or a curly quote counts once, whatever its UTF-8
// length; words are runs of characters between spaces.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tailq {

// Code points of UTF-8 text; a byte that does not start a valid sequence counts as one
// character (U+FFFD), so any byte string has a length.
std::u32string utf8_code_points(std::string_view text);
// The words of a line: maximal runs of non-space characters (' ', '\t', '\n', '\r').
std::vector<std::string_view> split_words(std::string_view text);

// Levenshtein distance: the fewest insertions, deletions and substitutions of one element that
// turn `a` into `b`. O(|a| |b|) time, O(|b|) memory.
template <class Sequence>
std::size_t levenshtein(const Sequence& a, const Sequence& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];  // distance(a[0, i-1), b[0, j-1))
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({substitute, above + 1, row[j - 1] + 1});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The two errors of one recognised line against its reference.
struct LineErrors {
  std::size_t char_distance = 0, ref_chars = 0;  // code points
  std::size_t word_distance = 0, ref_words = 0;
  bool exact = false;
};
LineErrors line_errors(std::string_view reference, std::string_view recognised);

}  // namespace tailq
