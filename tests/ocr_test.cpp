// Tests of the OCR workload: the edit distances and text metrics against hand-computed pairs
// (late lines fully missed), text outcomes through the trace store, the deterministic line
// generator and its cache, and Tesseract reading generated lines through the harness.
#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <string>
#include <vector>

#include "collect/measure.hpp"
#include "metrics/edit_distance.hpp"
#include "ocr/ocr_lines.hpp"
#include "ocr/tesseract_backend.hpp"
#include "tailq/error.hpp"
#include "tailq/metric.hpp"
#include "tailq/run.hpp"
#include "tailq/run_options.hpp"
#include "tailq/trace.hpp"
#include "test_util.hpp"

namespace tailq {
namespace {

using testing::TempDir;
using testing::ThrowsInputError;

TEST(EditDistance, HandComputedPairs) {
  EXPECT_EQ(levenshtein(std::string("kitten"), std::string("sitting")), 3u);
  EXPECT_EQ(levenshtein(std::string("flaw"), std::string("lawn")), 2u);
  EXPECT_EQ(levenshtein(std::string(""), std::string("abc")), 3u);
  EXPECT_EQ(levenshtein(std::string("abc"), std::string("")), 3u);
  EXPECT_EQ(levenshtein(std::string("same"), std::string("same")), 0u);
  // Characters are code points: é is two bytes but one character.
  EXPECT_EQ(utf8_code_points("café").size(), 4u);
  EXPECT_EQ(levenshtein(utf8_code_points("café"), utf8_code_points("cafe")), 1u);
  // Words: "cat" -> "bat" and an inserted "down".
  EXPECT_EQ(levenshtein(split_words("the cat sat"), split_words(" the  bat sat down ")), 2u);
  EXPECT_EQ(split_words("  a\tb  c ").size(), 3u);
}

TEST(EditDistance, LineErrors) {
  const LineErrors e = line_errors("the cat sat", "the bat sat down");
  EXPECT_EQ(e.char_distance, 6u);  // c -> b, then " down" inserted
  EXPECT_EQ(e.ref_chars, 11u);
  EXPECT_EQ(e.word_distance, 2u);
  EXPECT_EQ(e.ref_words, 3u);
  EXPECT_FALSE(e.exact);
  EXPECT_TRUE(line_errors("hello", "hello").exact);
}

Outcomes text_outcomes(std::vector<std::string> references, std::vector<std::string> answers) {
  Outcomes o;
  o.kind = Outcomes::Kind::text;
  o.labels = std::move(references);
  o.predictions = std::move(answers);
  return o;
}

TEST(TextMetrics, HandComputedAndLateLinesFullyMissed) {
  // Character distances 3, 6, 0 over 6 + 11 + 5 = 22 characters; word distances 1, 2, 0 over
  // 1 + 3 + 1 = 5 words; one exact line of three.
  const auto o =
      text_outcomes({"kitten", "the cat sat", "hello"}, {"sitting", "the bat sat down", "hello"});
  const auto chars = make_metric("char-accuracy", o);
  const auto words = make_metric("word-accuracy", o);
  const auto lines = make_metric("line-accuracy", o);
  const std::vector<std::uint8_t> all = {1, 1, 1}, last_late = {1, 1, 0}, first_late = {0, 1, 1},
                                  none = {0, 0, 0};
  EXPECT_DOUBLE_EQ(chars->quality(all), 1 - 9.0 / 22);
  EXPECT_DOUBLE_EQ(words->quality(all), 1 - 3.0 / 5);
  EXPECT_DOUBLE_EQ(lines->quality(all), 1.0 / 3);
  // A late line costs its whole reference: "hello" late adds 5 characters, 1 word, its match.
  EXPECT_DOUBLE_EQ(chars->quality(last_late), 1 - 14.0 / 22);
  EXPECT_DOUBLE_EQ(words->quality(last_late), 1 - 4.0 / 5);
  EXPECT_DOUBLE_EQ(lines->quality(last_late), 0.0);
  // "kitten" late: its 6 characters replace its distance of 3.
  EXPECT_DOUBLE_EQ(chars->quality(first_late), 1 - 12.0 / 22);
  EXPECT_DOUBLE_EQ(chars->quality(none), 0.0);
  EXPECT_DOUBLE_EQ(words->quality(none), 0.0);
  EXPECT_DOUBLE_EQ(lines->quality(none), 0.0);
}

TEST(TextMetrics, InsertionsTakeWordAccuracyBelowZero) {
  const auto o = text_outcomes({"a"}, {"b c d"});
  EXPECT_DOUBLE_EQ(make_metric("word-accuracy", o)->quality(std::vector<std::uint8_t>{1}), -2.0);
}

TEST(TextMetrics, NamesAndDefault) {
  const auto o = text_outcomes({"a"}, {"a"});
  EXPECT_EQ(default_metric(Outcomes::Kind::text), "char-accuracy");
  EXPECT_EQ(make_metric("char-accuracy", o)->name(), "char-accuracy");
  EXPECT_TRUE(
      ThrowsInputError([&] { make_metric("accuracy", o); }, {"accuracy", "text", "char-accuracy"}));
}

TEST(TextMetrics, TextOutcomesRoundTripThroughTheTrace) {
  TempDir dir;
  Experiment experiment;
  experiment.metric = "char-accuracy";
  std::vector<Instance> instances(3);
  for (std::uint32_t i = 0; i < 3; ++i) {
    instances[i].name = std::to_string(i);
    instances[i].batch = i;
    instances[i].input_size = 10.0 + i;
  }
  auto o = text_outcomes({"the cat sat", "naïve café", "x"}, {"", "", ""});
  const std::vector<std::string> answers = {"the bat sat down", "naive cafe", ""};
  {
    auto writer = TraceWriter::create(dir / "t.trace", experiment, instances, o);
    writer.append_round({0, false, 1.0}, std::vector<double>{1, 2, 3}, std::vector<double>{1, 2, 3},
                        {.predictions = answers});
    writer.close();
  }
  const TraceReader trace(dir / "t.trace");
  EXPECT_EQ(trace.outcomes().kind, Outcomes::Kind::text);
  EXPECT_EQ(trace.outcomes().labels, o.labels);
  EXPECT_EQ(trace.outcomes().predictions, answers);
  EXPECT_EQ(trace.experiment().metric, "char-accuracy");
  EXPECT_EQ(trace.instances()[2].input_size, 12.0);
  // 6 + 2 (ï, é) + 1 character errors over 11 + 10 + 1 characters.
  EXPECT_DOUBLE_EQ(
      make_metric("char-accuracy", trace.outcomes())->quality(std::vector<std::uint8_t>{1, 1, 1}),
      1 - 9.0 / 22);
}

LineSetOptions small_set(std::uint64_t seed, Degradation degradation) {
  LineSetOptions options;
  options.lines = 20;
  options.seed = seed;
  options.degradation = degradation;
  return options;
}

TEST(OcrLines, GenerationIsDeterministic) {
  const auto options = small_set(7, Degradation::light);
  const auto first = generate_lines(options);
  const std::string bytes = serialize_lines(options, first);
  EXPECT_EQ(serialize_lines(options, generate_lines(options)), bytes);
  const auto other_seed = small_set(8, Degradation::light);
  EXPECT_NE(serialize_lines(other_seed, generate_lines(other_seed)), bytes);

  ASSERT_EQ(first.size(), 20u);
  std::size_t shortest = 1000, longest = 0;
  for (const LineImage& line : first) {
    shortest = std::min(shortest, line.text.size());
    longest = std::max(longest, line.text.size());
    EXPECT_EQ(line.pixels.size(), std::size_t{line.width} * line.height);
    EXPECT_GT(line.width, line.height) << line.text;
  }
  EXPECT_GE(shortest, 1u);
  EXPECT_LE(longest, 90u);
  EXPECT_GT(longest, shortest + 20) << "lengths should spread from short to long lines";

  // The clean set of a seed says the same in the same fonts; only the pixels differ.
  const auto clean = generate_lines(small_set(7, Degradation::none));
  for (std::size_t i = 0; i < clean.size(); ++i) {
    EXPECT_EQ(clean[i].text, first[i].text);
    EXPECT_EQ(clean[i].font, first[i].font);
  }
  EXPECT_NE(clean[0].pixels, first[0].pixels);
}

TEST(OcrLines, CacheRoundTripsAndRejectsDamage) {
  TempDir dir;
  const auto options = small_set(3, Degradation::heavy);
  bool generated = false;
  const auto made = load_or_generate_lines(dir.path(), options, &generated);
  EXPECT_TRUE(generated);
  const auto path = line_cache_path(dir.path(), options);
  ASSERT_TRUE(std::filesystem::exists(path));
  const auto read = load_or_generate_lines(dir.path(), options, &generated);
  EXPECT_FALSE(generated);
  EXPECT_EQ(serialize_lines(options, read), serialize_lines(options, made));

  std::string bytes = serialize_lines(options, made);
  EXPECT_TRUE(parse_lines(options, bytes).has_value());
  bytes[bytes.size() / 2] ^= 1;
  EXPECT_FALSE(parse_lines(options, bytes).has_value());
  EXPECT_FALSE(parse_lines(small_set(4, Degradation::heavy), serialize_lines(options, made)));
  EXPECT_FALSE(parse_lines(options, std::string_view(serialize_lines(options, made)).substr(9)));
}

TEST(OcrLines, BadOptions) {
  EXPECT_TRUE(ThrowsInputError([] { parse_degradation("medium"); }, {"--degrade", "medium"}));
  auto options = small_set(1, Degradation::none);
  options.word_list = "/nonexistent/words";
  EXPECT_TRUE(ThrowsInputError([&] { generate_lines(options); }, {"/nonexistent/words"}));
  RunSettings settings;
  settings.workload = "ocr";
  settings.ocr_lines = 0;
  // The library names the setting; the command line and Python add their own names for it.
  try {
    make_workload(settings);
    ADD_FAILURE() << "no error";
  } catch (const OptionError& e) {
    EXPECT_EQ(e.key(), "ocr_lines");
  }
  EXPECT_TRUE(ThrowsInputError([] { TesseractBackend("/nonexistent/eng.traineddata", 1); },
                               {"/nonexistent/eng.traineddata", "tesseract-ocr-eng"}));
}

// Character accuracy of Tesseract on a generated set, read through the harness's round loop.
double read_lines(const LineSetOptions& options, std::vector<std::string>* answers = nullptr) {
  OcrDataset dataset(generate_lines(options), "test");
  TesseractBackend backend(TAILQ_DEFAULT_TESSERACT_MODEL, 1);
  detail::RoundBuffers buffers(dataset, 1, 0);
  std::vector<std::uint32_t> order(dataset.size());
  std::iota(order.begin(), order.end(), 0u);
  const std::atomic<bool> stop{false};
  EXPECT_TRUE(detail::measure_round(dataset, backend, order, 1, buffers, stop));
  Outcomes o;
  o.kind = Outcomes::Kind::text;
  for (std::size_t i = 0; i < dataset.size(); ++i) o.labels.push_back(dataset.label(i));
  o.predictions = buffers.texts;
  if (answers) *answers = buffers.texts;
  for (double t : buffers.inference_s) EXPECT_GT(t, 0.0);
  return make_metric("char-accuracy", o)->quality(std::vector<std::uint8_t>(o.labels.size(), 1));
}

TEST(OcrRecognition, CleanLinesReadAlmostPerfectlyDegradedOnesWorse) {
  std::vector<std::string> answers;
  const double clean = read_lines(small_set(11, Degradation::none), &answers);
  EXPECT_GT(clean, 0.98) << "CER on clean renderings is " << 1 - clean;
  for (const std::string& answer : answers) {
    EXPECT_EQ(answer, split_words(answer).empty() ? "" : answer);  // no stray white space
    EXPECT_EQ(answer.find("  "), std::string::npos);
  }
  const double heavy = read_lines(small_set(11, Degradation::heavy));
  EXPECT_LT(heavy, clean) << "heavy degradation should cost characters";
}

TEST(OcrRecognition, BatchesLoopOverLines) {
  const auto options = small_set(11, Degradation::none);
  OcrDataset dataset(generate_lines(options), "test");
  TesseractBackend backend(TAILQ_DEFAULT_TESSERACT_MODEL, 1);
  EXPECT_NE(backend.description().find("LSTM"), std::string::npos);
  std::vector<std::string> one_by_one, batched;
  for (std::size_t batch_size : {1u, 3u}) {
    detail::RoundBuffers buffers(dataset, batch_size, 0);
    const std::vector<std::uint32_t> order = {9, 2, 5, 0, 7, 4, 1};
    const std::atomic<bool> stop{false};
    ASSERT_TRUE(detail::measure_round(dataset, backend, order, batch_size, buffers, stop));
    (batch_size == 1 ? one_by_one : batched) = buffers.texts;
  }
  EXPECT_EQ(one_by_one, batched);
}

}  // namespace
}  // namespace tailq
