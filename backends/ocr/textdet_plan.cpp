// What the generated pages say and how each is drawn (textdet_pages.hpp). A page draws its line
// count, then each line's length and words, then its look, with the OCR lines' own draws.
#include <pcg_random.hpp>

#include "ocr/textdet_pages.hpp"

namespace tailq {
namespace {

constexpr std::uint32_t kMaxLines = 10;
constexpr std::uint32_t kMinLineChars = 10, kMaxLineChars = 60;

}  // namespace

std::vector<LineSpec> plan_pages(std::span<const std::string> words,
                                 const PageSetOptions& options) {
  pcg32 rng(options.seed, 0);
  std::vector<LineSpec> specs(options.pages);
  for (LineSpec& spec : specs) {
    const std::uint32_t lines = 1 + rng(kMaxLines);
    for (std::uint32_t l = 0; l < lines; ++l) {
      const std::size_t target = kMinLineChars + rng(kMaxLineChars - kMinLineChars + 1);
      spec.text += (l ? "\n" : "") + plan_text(rng, words, target);
    }
    plan_look(rng, options.degradation, spec);
  }
  return specs;
}

std::vector<PageImage> generate_pages(const PageSetOptions& options) {
  const std::vector<std::string> words = read_word_list(options.word_list);
  std::vector<std::vector<WordBox>> boxes;
  std::vector<LineImage> images = render_specs(plan_pages(words, options), options.seed, &boxes);
  std::vector<PageImage> pages(images.size());
  for (std::size_t i = 0; i < pages.size(); ++i) {
    pages[i].image = std::move(images[i]);
    pages[i].words = std::move(boxes[i]);
  }
  return pages;
}

}  // namespace tailq
