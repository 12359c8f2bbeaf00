// read_outcomes_csv: what the model answered for every instance, for the quality metric.
#include <algorithm>
#include <array>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "import/csv_reader.hpp"
#include "metrics/ranking.hpp"
#include "tailq/import.hpp"

namespace tailq {
namespace {

using import_detail::CsvReader;
using import_detail::CsvRow;
using import_detail::fail_at;
using import_detail::fail_file;
using import_detail::single_quoted;

enum Column { kInstance, kLabel, kPrediction, kScore, kRelevant, kRanking, kColumnCount };
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "instance", "label", "prediction", "score", "relevant", "ranking"};
constexpr std::string_view kExpectedColumns =
    "expected the columns instance,label,prediction or instance,score or "
    "instance,relevant,ranking (in any order)";

// The header's columns, and from them the kind of outcomes (classification, score, ranking).
std::array<int, kColumnCount> read_header(CsvReader& reader, CsvRow& row, Outcomes::Kind& kind) {
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
  // Exactly these columns: an extra one of another form would be silently ignored.
  auto exactly = [&](std::initializer_list<Column> wanted) {
    for (std::size_t c = 0; c < kColumnCount; ++c) {
      const bool want =
          std::find(wanted.begin(), wanted.end(), static_cast<Column>(c)) != wanted.end();
      if (want != (column_of[c] >= 0)) return false;
    }
    return true;
  };
  if (exactly({kInstance, kLabel, kPrediction})) {
    kind = Outcomes::Kind::classification;
  } else if (exactly({kInstance, kScore})) {
    kind = Outcomes::Kind::score;
  } else if (exactly({kInstance, kRelevant, kRanking})) {
    kind = Outcomes::Kind::ranking;
  } else {
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

// A ranking field (docs/ranking.md) in its stored form, single spaces between items. Refused
// here as the metrics would refuse it, with the file's line: a user without relevant items and
// an item listed twice.
std::string read_items(std::string_view text, std::string_view file, std::size_t line,
                       std::string_view column, std::string_view user) {
  const auto items = ranking::split_items(text);
  const bool relevant = column == "relevant";
  if (relevant && items.empty()) {
    fail_at(file, line, column,
            "user " + single_quoted(user) +
                " has no relevant items, so its recall and NDCG are undefined; leave users "
                "without relevant items out of the outcomes and the times");
  }
  if (const auto item = ranking::repeated_item(items)) {
    fail_at(file, line, column,
            "item " + single_quoted(*item) +
                (relevant ? " is listed twice; list each relevant item once"
                          : " is ranked twice; a ranked list lists each item once"));
  }
  return normalise_prediction(text);
}

}  // namespace

ImportedOutcomes read_outcomes_csv(const std::filesystem::path& path,
                                   std::span<const std::string> instance_names) {
  CsvReader reader(path);
  const std::string& file = reader.name();
  CsvRow row;
  Outcomes::Kind kind = Outcomes::Kind::none;
  const auto column_of = read_header(reader, row, kind);
  const std::size_t width = row.fields.size();
  auto field = [&](Column c) { return row.fields[static_cast<std::size_t>(column_of[c])]; };

  const std::size_t count = instance_names.size();
  std::unordered_map<std::string_view, std::size_t> index_of;
  index_of.reserve(count);
  for (std::size_t i = 0; i < count; ++i) index_of.try_emplace(instance_names[i], i);

  ImportedOutcomes result;
  Outcomes& outcomes = result.outcomes;
  outcomes.kind = kind;
  if (kind == Outcomes::Kind::score) {
    outcomes.scores.resize(count);
  } else {
    outcomes.predictions.resize(count);
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

    if (kind == Outcomes::Kind::ranking) {
      result.labels[i] = read_items(field(kRelevant), file, row.line, "relevant", name);
      outcomes.predictions[i] = read_items(field(kRanking), file, row.line, "ranking", name);
      continue;
    }
    if (kind == Outcomes::Kind::score) {
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
