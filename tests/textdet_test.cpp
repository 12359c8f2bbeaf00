// Tests of the text detection workload: deterministic pages whose word boxes hold the ink, the
// page cache, the ground truth as a detection trace keeps it, and Tesseract finding the words of
// clean pages through the harness, scored by COCO AP.
#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <sstream>

#include "collect/measure.hpp"
#include "ocr/tesseract_backend.hpp"
#include "ocr/textdet_pages.hpp"
#include "tailq/coco.hpp"
#include "tailq/metric.hpp"
#include "tailq/run.hpp"
#include "tailq/run_options.hpp"
#include "test_util.hpp"

namespace tailq {
namespace {

using testing::TempDir;
using testing::ThrowsInputError;

PageSetOptions small_pages(std::uint64_t seed, Degradation degradation, std::size_t pages = 6) {
  PageSetOptions options;
  options.pages = pages;
  options.seed = seed;
  options.degradation = degradation;
  return options;
}

std::size_t count_words(const std::string& text) {
  std::istringstream in(text);
  std::size_t n = 0;
  for (std::string word; in >> word;) ++n;
  return n;
}

TEST(TextdetPages, GenerationIsDeterministicAndBoxesFitThePage) {
  const auto options = small_pages(5, Degradation::light, 12);
  const auto pages = generate_pages(options);
  const std::string bytes = serialize_pages(options, pages);
  EXPECT_EQ(serialize_pages(options, generate_pages(options)), bytes);
  const auto other = small_pages(6, Degradation::light, 12);
  EXPECT_NE(serialize_pages(other, generate_pages(other)), bytes);

  ASSERT_EQ(pages.size(), 12u);
  std::size_t fewest = 1000, most = 0, multi_line = 0;
  for (const PageImage& page : pages) {
    const LineImage& image = page.image;
    ASSERT_EQ(page.words.size(), count_words(image.text)) << image.text;
    fewest = std::min(fewest, page.words.size());
    most = std::max(most, page.words.size());
    multi_line += image.text.find('\n') != std::string::npos;
    EXPECT_EQ(image.pixels.size(), std::size_t{image.width} * image.height);
    for (const WordBox& b : page.words) {
      EXPECT_GT(b.width, 0u);
      EXPECT_GT(b.height, 0u);
      EXPECT_LE(b.x + b.width, image.width);
      EXPECT_LE(b.y + b.height, image.height);
    }
  }
  EXPECT_GT(most, fewest + 10) << "words per page should spread";
  EXPECT_GT(multi_line, 6u) << "most pages hold several lines";

  // The clean set of a seed says the same in the same fonts; a larger set begins with it.
  const auto clean = generate_pages(small_pages(5, Degradation::none, 12));
  for (std::size_t i = 0; i < pages.size(); ++i) {
    EXPECT_EQ(clean[i].image.text, pages[i].image.text);
    EXPECT_EQ(clean[i].image.font, pages[i].image.font);
  }
  const auto fewer = generate_pages(small_pages(5, Degradation::light, 4));
  for (std::size_t i = 0; i < fewer.size(); ++i) {
    EXPECT_EQ(fewer[i].image.pixels, pages[i].image.pixels);
  }
}

// On a clean page every dark pixel lies in some word's box, and every box holds dark pixels:
// the boxes are where the ink is.
TEST(TextdetPages, CleanBoxesHoldTheInk) {
  for (const PageImage& page : generate_pages(small_pages(9, Degradation::none, 4))) {
    const LineImage& image = page.image;
    std::vector<std::uint8_t> covered(image.pixels.size(), 0);
    for (const WordBox& b : page.words) {
      std::uint8_t darkest = 255;
      for (std::uint32_t y = b.y; y < b.y + b.height; ++y) {
        for (std::uint32_t x = b.x; x < b.x + b.width; ++x) {
          covered[std::size_t{y} * image.width + x] = 1;
          darkest = std::min(darkest, image.pixels[std::size_t{y} * image.width + x]);
        }
      }
      EXPECT_LT(darkest, 64) << "a box without ink on page '" << image.text << "'";
    }
    std::size_t stray = 0;
    for (std::size_t i = 0; i < covered.size(); ++i) stray += !covered[i] && image.pixels[i] < 128;
    EXPECT_EQ(stray, 0u) << "dark pixels outside every box on page '" << image.text << "'";
  }
}

TEST(TextdetPages, CacheRoundTripsAndRejectsDamage) {
  TempDir dir;
  const auto options = small_pages(3, Degradation::heavy, 3);
  bool generated = false;
  const auto made = load_or_generate_pages(dir.path(), options, &generated);
  EXPECT_TRUE(generated);
  ASSERT_TRUE(std::filesystem::exists(page_cache_path(dir.path(), options)));
  const auto read = load_or_generate_pages(dir.path(), options, &generated);
  EXPECT_FALSE(generated);
  EXPECT_EQ(serialize_pages(options, read), serialize_pages(options, made));

  std::string bytes = serialize_pages(options, made);
  EXPECT_TRUE(parse_pages(options, bytes).has_value());
  bytes[bytes.size() / 2] ^= 1;
  EXPECT_FALSE(parse_pages(options, bytes).has_value());
  EXPECT_FALSE(parse_pages(small_pages(4, Degradation::heavy, 3), serialize_pages(options, made)));
  EXPECT_FALSE(parse_pages(options, std::string_view(serialize_pages(options, made)).substr(9)));
}

TEST(TextdetPages, GroundTruthIsOneWordCategory) {
  const TextdetDataset dataset(generate_pages(small_pages(2, Degradation::light, 3)), "test");
  EXPECT_EQ(dataset.answers(), Answers::detections);
  EXPECT_EQ(detail::outcome_kind(dataset), Outcomes::Kind::detection);
  EXPECT_GE(detail::answer_capacity(dataset), 4096u);
  Outcomes o;
  o.kind = Outcomes::Kind::detection;
  std::size_t words = 0;
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    o.labels.push_back(dataset.label(i));
    o.predictions.emplace_back();
    words += dataset.pages()[i].words.size();
    EXPECT_EQ(dataset.input_size(i), static_cast<double>(dataset.pages()[i].words.size()));
  }
  const CocoDataset coco = coco_dataset_of(o);
  EXPECT_EQ(coco.category_count, 1u);
  ASSERT_EQ(coco.ground_truths.size(), words);
  for (const CocoGroundTruth& g : coco.ground_truths) {
    EXPECT_DOUBLE_EQ(g.area, g.box.width * g.box.height);
    EXPECT_FALSE(g.crowd);
  }
}

TEST(TextdetPages, BadOptions) {
  RunSettings settings;
  settings.workload = "textdet";
  settings.textdet_pages = 0;
  // The library names the setting; the command line and Python add their own names for it.
  try {
    make_workload(settings);
    ADD_FAILURE() << "no error";
  } catch (const OptionError& e) {
    EXPECT_EQ(e.key(), "textdet_pages");
  }
  auto options = small_pages(1, Degradation::none);
  options.word_list = "/nonexistent/words";
  EXPECT_TRUE(ThrowsInputError([&] { generate_pages(options); }, {"/nonexistent/words"}));
}

// Tesseract's words on clean pages, found through the harness's round loop and scored by COCO.
TEST(TextdetDetection, TesseractFindsMostWordsOfCleanPages) {
  TextdetDataset dataset(generate_pages(small_pages(11, Degradation::none, 4)), "test");
  TesseractBackend backend(TAILQ_DEFAULT_TESSERACT_MODEL, 1, Reading::page_words);
  EXPECT_NE(backend.description().find("page segmentation"), std::string::npos);
  detail::RoundBuffers buffers(dataset, 2, 0);
  std::vector<std::uint32_t> order(dataset.size());
  std::iota(order.begin(), order.end(), 0u);
  const std::atomic<bool> stop{false};
  ASSERT_TRUE(detail::measure_round(dataset, backend, order, 2, buffers, stop));
  Outcomes o;
  o.kind = Outcomes::Kind::detection;
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    o.labels.push_back(dataset.label(i));
    EXPECT_EQ(buffers.texts[i].front(), '[');
  }
  o.predictions = buffers.texts;
  const std::vector<std::uint8_t> all(dataset.size(), 1), none(dataset.size(), 0);
  const auto ap50 = make_metric("ap50", o);
  EXPECT_GT(ap50->quality(all), 0.8) << buffers.texts[0] << "\nvs\n" << o.labels[0];
  EXPECT_EQ(ap50->quality(none), 0.0);
  const double ap = make_metric("ap", o)->quality(all);
  EXPECT_GT(ap, 0.3);
  EXPECT_LE(ap, ap50->quality(all));
}

}  // namespace
}  // namespace tailq
