// Import warnings: data that is valid as written but most likely not what the user meant. The
// rules and their thresholds are in docs/import-formats.md ("Warnings").
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "tailq/import.hpp"

namespace tailq {
namespace {

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while ((pos = text.find_first_not_of(' ', pos)) != std::string_view::npos) {
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    fields.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return fields;
}

bool parse_number(std::string_view text, double& value) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return !text.empty() && ec == std::errc() && ptr == end && std::isfinite(value);
}

bool is_whole(double v) { return v == std::floor(v) && std::abs(v) < 9.0e15; }

// "7.0", "07", "7e0" -> "7"; anything else as it is.
std::string integer_form(std::string_view text) {
  double value = 0;
  if (!parse_number(text, value) || !is_whole(value)) return std::string(text);
  return fmt::format("{}", static_cast<long long>(value) + 0LL);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string in_quotes(std::string_view text) {
  constexpr std::size_t kMax = 40;
  return "'" + std::string(text.substr(0, kMax)) + (text.size() > kMax ? "...'" : "'");
}

// A median of a (sample of the) pooled total times, each batch once per round: more than a
// million values say nothing more about the unit.
double median_total(const ImportedTimes& times) {
  const std::size_t step = std::max<std::size_t>(1, times.total_s.size() / 1'000'000);
  std::vector<double> sample;
  for (std::size_t k = 0; k < times.total_s.size(); k += step) sample.push_back(times.total_s[k]);
  if (sample.empty()) return 0;
  const auto middle = sample.begin() + static_cast<std::ptrdiff_t>(sample.size() / 2);
  std::nth_element(sample.begin(), middle, sample.end());
  return *middle;
}

std::string unit_warning(const ImportedTimes& times) {
  const double median = median_total(times);
  if (median <= 1) return {};
  const bool micro = median > 1000;
  return fmt::format(
      "the median total time is {:.4g} s per batch, which looks like {}: tailq reads seconds; "
      "divide the times by {} and import again (if they really are seconds, ignore this)",
      median, micro ? "microseconds" : "milliseconds", micro ? "1,000,000" : "1,000");
}

// A row of numbers in [0, 1], at least one a fraction, summing to about 1: a softmax output.
bool probability_row(const std::vector<std::string_view>& fields) {
  if (fields.size() < 2) return false;
  double sum = 0;
  bool fraction = false;
  for (std::string_view f : fields) {
    double v = 0;
    if (!parse_number(f, v) || v < 0 || v > 1) return false;
    sum += v;
    fraction = fraction || !is_whole(v);
  }
  return fraction && std::abs(sum - 1) <= 0.05;
}

std::string probability_warning(const Outcomes& o, const std::vector<std::string>& names) {
  const std::size_t n = o.labels.size();
  std::size_t rows = 0, scalars = 0, integer_labels = 0, example = n;
  for (std::size_t i = 0; i < n; ++i) {
    const auto fields = split_spaces(o.predictions[i]);
    double v = 0, label = 0;
    if (parse_number(o.labels[i], label) && is_whole(label)) ++integer_labels;
    if (probability_row(fields)) {
      ++rows;
      if (example == n) example = i;
    } else if (fields.size() == 1 && parse_number(fields[0], v) && v >= 0 && v <= 1 &&
               !is_whole(v)) {
      ++scalars;
    }
  }
  if (n > 0 && 2 * rows >= n) {
    return fmt::format(
        "{} of {} predictions look like probability rows ({} numbers summing to 1 for instance "
        "{}): a prediction lists predicted labels, best first; write the label of the highest "
        "probability (the argmax), or the k best for top-k",
        rows, n, split_spaces(o.predictions[example]).size(),
        example < names.size() ? in_quotes(names[example]) : std::to_string(example));
  }
  if (n > 0 && 2 * scalars >= n && 2 * integer_labels >= n) {
    return fmt::format(
        "{} of {} predictions are numbers in (0, 1) while the labels are integers: they look "
        "like probabilities or scores; write the predicted label (e.g. 1 when p >= 0.5)",
        scalars, n);
  }
  return {};
}

// The share of instances whose first prediction is one of the labels, after `form`.
double overlap(const Outcomes& o, const std::function<std::string(std::string_view)>& form,
               std::size_t& example) {
  std::unordered_set<std::string> labels;
  for (const std::string& l : o.labels) labels.insert(form(l));
  std::size_t answered = 0, known = 0;
  for (std::size_t i = 0; i < o.predictions.size(); ++i) {
    const auto fields = split_spaces(o.predictions[i]);
    if (fields.empty()) continue;
    ++answered;
    if (labels.contains(form(fields[0]))) {
      ++known;
    } else if (example == o.predictions.size()) {
      example = i;
    }
  }
  return answered == 0 ? 1.0 : static_cast<double>(known) / static_cast<double>(answered);
}

std::string vocabulary_warning(const Outcomes& o) {
  const std::size_t n = o.predictions.size();
  std::size_t i = n;
  const double raw = overlap(
      o, [](std::string_view s) { return std::string(s); }, i);
  if (raw >= 0.5) return {};
  const std::string example = fmt::format("label {}, prediction {}", in_quotes(o.labels[i]),
                                          in_quotes(split_spaces(o.predictions[i]).front()));
  std::size_t unused = n;
  const std::string intro =
      fmt::format("only {:.0f}% of the predictions name a class that occurs among the labels ({})",
                  100 * raw, example);
  if (overlap(o, integer_form, unused) >= 0.5) {
    return intro +
           ": they match as numbers; write labels and predictions the same way (whole numbers "
           "as integers), or import with numeric_labels (tailq import --numeric-labels)";
  }
  if (overlap(o, lower, unused) >= 0.5) {
    return intro + ": they match when case is ignored; write both in the same case";
  }
  return intro +
         ": every such answer counts as wrong; check that both columns name classes "
         "the same way";
}

}  // namespace

void normalise_numeric_labels(Outcomes& outcomes) {
  if (outcomes.kind != Outcomes::Kind::classification) return;
  for (std::string& label : outcomes.labels) label = integer_form(label);
  for (std::string& prediction : outcomes.predictions) {
    std::string out;
    for (std::string_view field : split_spaces(prediction)) {
      out += (out.empty() ? "" : " ") + integer_form(field);
    }
    prediction = std::move(out);
  }
}

std::vector<std::string> import_warnings(const ImportedTimes& times, const Outcomes& outcomes) {
  std::vector<std::string> warnings;
  if (std::string w = unit_warning(times); !w.empty()) warnings.push_back(std::move(w));
  if (outcomes.kind == Outcomes::Kind::classification &&
      outcomes.labels.size() == outcomes.predictions.size()) {
    std::string w = probability_warning(outcomes, times.instance_names);
    // Probability rows never match a label: the overlap warning would only repeat it.
    if (w.empty()) w = vocabulary_warning(outcomes);
    if (!w.empty()) warnings.push_back(std::move(w));
  }
  return warnings;
}

}  // namespace tailq
