// read_outcomes_csv: what the model answered for every instance, for the quality metric.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "import/csv_reader.hpp"
#include "tailq/import.hpp"

namespace tailq {
namespace {

using import_detail::CsvReader;
using import_detail::CsvRow;
using import_detail::fail_at;
using import_detail::fail_file;
using import_detail::single_quoted;

enum Column { kInstance, kLabel, kPrediction, kScore, kColumnCount };
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {"instance", "label",
                                                                     "prediction", "score"};
constexpr std::string_view kExpectedColumns =
    "expected the columns instance,label,prediction or instance,score (in any order)";

std::array<int, kColumnCount> read_header(CsvReader& reader, CsvRow& row) {
  if (!reader.next(row)) fail_file(reader.name(), "empty file, expected a header line");
  std::array<int, kColumnCount> column_of;
  column_of.fill(-1);
  std::string found;
  for (std::size_t c = 0; c < row.fields.size(); ++c) {
    const auto* it = std::find(kColumnNames.begin(), kColumnNames.end(), row.fields[c]);
    if (it == kColumnNames.end()) {
      fail_at(
          reader.name(), row.line, "",
          "unknown column " + single_quoted(row.fields[c]) + "; " + std::string(kExpectedColumns));
    }
    const auto k = static_cast<std::size_t>(it - kColumnNames.begin());
    if (column_of[k] >= 0) {
      fail_at(reader.name(), row.line, "", "duplicate column " + single_quoted(*it));
    }
    column_of[k] = static_cast<int>(c);
    found += (c > 0 ? "," : "") + std::string(*it);
  }
  auto has = [&](Column c) { return column_of[c] >= 0; };
  const bool classification = has(kInstance) && has(kLabel) && has(kPrediction) && !has(kScore);
  const bool score = has(kInstance) && has(kScore) && !has(kLabel) && !has(kPrediction);
  if (!classification && !score) {
    fail_at(reader.name(), row.line, "", std::string(kExpectedColumns) + ", found " + found);
  }
  return column_of;
}

// Labels separated by single spaces without leading or trailing space: the form the metrics
// split on, whatever spacing the file used.
std::string normalise_prediction(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while ((pos = text.find_first_not_of(' ', pos)) != std::string_view::npos) {
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    if (!out.empty()) out += ' ';
    out += text.substr(pos, end - pos);
    pos = end;
  }
  return out;
}

}  // namespace

ImportedOutcomes read_outcomes_csv(const std::filesystem::path& path,
                                   std::span<const std::string> instance_names) {
  CsvReader reader(path);
  const std::string& file = reader.name();
  CsvRow row;
  const auto column_of = read_header(reader, row);
  const std::size_t width = row.fields.size();
  const bool classification = column_of[kScore] < 0;
  auto field = [&](Column c) { return row.fields[static_cast<std::size_t>(column_of[c])]; };

  const std::size_t count = instance_names.size();
  std::unordered_map<std::string_view, std::size_t> index_of;
  index_of.reserve(count);
  for (std::size_t i = 0; i < count; ++i) index_of.try_emplace(instance_names[i], i);

  ImportedOutcomes result;
  Outcomes& outcomes = result.outcomes;
  outcomes.kind = classification ? Outcomes::Kind::classification : Outcomes::Kind::score;
  if (classification) {
    outcomes.predictions.resize(count);
  } else {
    outcomes.scores.resize(count);
  }
  result.labels.resize(count);
  std::vector<std::size_t> line_of(count, 0);  // 0: no row yet

  while (reader.next(row)) {
    if (row.fields.size() != width) {
      fail_at(file, row.line, "",
              "expected " + std::to_string(width) + " fields, found " +
                  std::to_string(row.fields.size()));
    }
    const std::string_view name = field(kInstance);
    const auto it = index_of.find(name);
    if (it == index_of.end()) {
      fail_at(file, row.line, "instance", "unknown instance " + single_quoted(name));
    }
    const std::size_t i = it->second;
    if (line_of[i] != 0) {
      fail_at(file, row.line, "instance",
              "duplicate instance " + single_quoted(name) + ", first at line " +
                  std::to_string(line_of[i]));
    }
    line_of[i] = row.line;

    if (!classification) {
      const double score = import_detail::parse_double(field(kScore), file, row.line, "score");
      if (score < 0 || score > 1) {
        fail_at(file, row.line, "score", "out of range [0, 1]: " + std::string(field(kScore)));
      }
      outcomes.scores[i] = score;
      continue;
    }
    const std::string_view label = field(kLabel);
    if (label.empty()) fail_at(file, row.line, "label", "empty label");
    // A label with a space could never match a prediction, which separates labels by spaces.
    if (label.find(' ') != std::string_view::npos) {
      fail_at(file, row.line, "label", "label " + single_quoted(label) + " contains a space");
    }
    result.labels[i] = std::string(label);
    outcomes.predictions[i] = normalise_prediction(field(kPrediction));
  }

  for (std::size_t i = 0; i < count; ++i) {
    if (line_of[i] == 0) {
      fail_file(file, "no outcome for instance " + single_quoted(instance_names[i]));
    }
  }
  return result;
}

}  // namespace tailq
