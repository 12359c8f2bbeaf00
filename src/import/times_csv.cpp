// read_times_csv: per-instance times of every round from one long-format CSV file.
#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
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

enum Column { kRound, kInstance, kInference, kTotal, kBatch, kColumnCount };
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {"round", "instance",
                                                                     "inference", "total", "batch"};

struct TimesRow {
  std::uint32_t round;     // slot in first-appearance order, then rank in ascending order
  std::uint32_t instance;  // index in first-appearance order, then position in trace order
  std::size_t line;
  double inference;
  double total;
};

struct SeenInstance {
  std::string_view name;   // points into the reader's buffer
  std::string_view batch;  // empty without a batch column
  std::size_t first_line;
};

bool is_digits(std::string_view name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Compares digit strings by value without converting them, so names of any length work.
bool numerically_less(std::string_view a, std::string_view b) {
  a.remove_prefix(std::min(a.find_first_not_of('0'), a.size()));
  b.remove_prefix(std::min(b.find_first_not_of('0'), b.size()));
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

// Numeric names print bare ("instance 17"), the others quoted so that spaces stay visible.
std::string describe_instance(std::string_view name) {
  return "instance " + (is_digits(name) ? std::string(name) : single_quoted(name));
}

std::array<int, kColumnCount> read_header(CsvReader& reader, CsvRow& row) {
  if (!reader.next(row)) fail_file(reader.name(), "empty file, expected a header line");
  std::array<int, kColumnCount> column_of;
  column_of.fill(-1);
  for (std::size_t c = 0; c < row.fields.size(); ++c) {
    const auto* it = std::find(kColumnNames.begin(), kColumnNames.end(), row.fields[c]);
    if (it == kColumnNames.end()) {
      fail_at(reader.name(), row.line, "",
              "unknown column " + single_quoted(row.fields[c]) +
                  " (expected round, instance, inference, total and optionally batch)");
    }
    const auto k = static_cast<std::size_t>(it - kColumnNames.begin());
    if (column_of[k] >= 0) {
      fail_at(reader.name(), row.line, "", "duplicate column " + single_quoted(*it));
    }
    column_of[k] = static_cast<int>(c);
  }
  for (std::size_t k = 0; k < kBatch; ++k) {
    if (column_of[k] < 0) {
      fail_at(reader.name(), row.line, "", "missing column " + single_quoted(kColumnNames[k]));
    }
  }
  return column_of;
}

double parse_time(std::string_view text, const CsvReader& reader, std::size_t line,
                  std::string_view field) {
  const double value = import_detail::parse_double(text, reader.name(), line, field);
  if (value < 0) fail_at(reader.name(), line, field, "negative time " + std::string(text));
  return value;
}

}  // namespace

ImportedTimes read_times_csv(const std::filesystem::path& path) {
  CsvReader reader(path);
  const std::string& file = reader.name();
  CsvRow row;
  const auto column_of = read_header(reader, row);
  const std::size_t width = row.fields.size();
  const bool has_batch = column_of[kBatch] >= 0;
  auto field = [&](Column c) { return row.fields[static_cast<std::size_t>(column_of[c])]; };

  std::vector<TimesRow> rows;
  rows.reserve(reader.records_left_bound());
  std::vector<SeenInstance> instances;
  std::unordered_map<std::string_view, std::uint32_t> instance_index;
  std::vector<std::int64_t> round_values;
  std::unordered_map<std::int64_t, std::uint32_t> round_slot;
  // Rows usually come round by round, so remembering the last round skips most lookups.
  std::int64_t last_round = -1;
  std::uint32_t last_slot = 0;
  // Rounds usually list the instances in the same order, so the instance that followed the
  // previous one last time is checked before hashing the name.
  constexpr std::uint32_t kNone = UINT32_MAX;
  std::vector<std::uint32_t> successor;
  std::uint32_t previous = kNone;

  while (reader.next(row)) {
    if (row.fields.size() != width) {
      fail_at(file, row.line, "",
              "expected " + std::to_string(width) + " fields, found " +
                  std::to_string(row.fields.size()));
    }
    const std::int64_t round = import_detail::parse_int64(field(kRound), file, row.line, "round");
    if (round < 0) {
      fail_at(file, row.line, "round", "negative round index " + std::to_string(round));
    }
    const std::string_view name = field(kInstance);
    if (name.empty()) fail_at(file, row.line, "instance", "empty instance name");
    const std::string_view batch = has_batch ? field(kBatch) : std::string_view();
    if (has_batch && batch.empty()) fail_at(file, row.line, "batch", "empty batch id");
    const double inference = parse_time(field(kInference), reader, row.line, "inference");
    const double total = parse_time(field(kTotal), reader, row.line, "total");
    if (total < inference) {
      fail_at(file, row.line, "total",
              "round " + std::to_string(round) + ", " + describe_instance(name) + ": total time " +
                  std::string(field(kTotal)) + " is less than inference time " +
                  std::string(field(kInference)) +
                  " (total includes inference: are the columns swapped?)");
    }

    if (round != last_round) {
      const auto [it, inserted] =
          round_slot.try_emplace(round, static_cast<std::uint32_t>(round_values.size()));
      if (inserted) round_values.push_back(round);
      last_round = round;
      last_slot = it->second;
    }
    std::uint32_t index = previous == kNone ? kNone : successor[previous];
    if (index == kNone || instances[index].name != name) {
      const auto [it, inserted] =
          instance_index.try_emplace(name, static_cast<std::uint32_t>(instances.size()));
      index = it->second;
      if (inserted) {
        instances.push_back({name, batch, row.line});
        successor.push_back(kNone);
      }
    }
    if (const SeenInstance& seen = instances[index]; seen.batch != batch) {
      fail_at(file, row.line, "batch",
              describe_instance(name) + " is in batch " + single_quoted(batch) +
                  " here but in batch " + single_quoted(seen.batch) + " at line " +
                  std::to_string(seen.first_line));
    }
    if (previous != kNone) successor[previous] = index;
    previous = index;
    rows.push_back({last_slot, index, row.line, inference, total});
  }
  if (rows.empty()) fail_file(file, "no data rows after the header");

  // Trace order of the instances and ascending order of the rounds.
  const std::size_t instance_count = instances.size();
  std::vector<std::uint32_t> order(instance_count);  // trace position -> first-appearance index
  std::iota(order.begin(), order.end(), 0u);
  const bool numeric = std::all_of(instances.begin(), instances.end(),
                                   [](const SeenInstance& s) { return is_digits(s.name); });
  if (numeric) {
    // Stable, so "7" and "007" keep their order of appearance.
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return numerically_less(instances[a].name, instances[b].name);
    });
  }
  std::vector<std::uint32_t> position(instance_count);
  for (std::uint32_t p = 0; p < instance_count; ++p) position[order[p]] = p;

  const std::size_t round_count = round_values.size();
  std::vector<std::uint32_t> round_order(round_count);
  std::iota(round_order.begin(), round_order.end(), 0u);
  std::sort(round_order.begin(), round_order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return round_values[a] < round_values[b]; });
  std::vector<std::uint32_t> round_rank(round_count);
  for (std::uint32_t r = 0; r < round_count; ++r) round_rank[round_order[r]] = r;

  for (TimesRow& r : rows) {
    r.round = round_rank[r.round];
    r.instance = position[r.instance];
  }
  // The line breaks ties, so duplicates end up in file order. Files written round by round
  // in trace order are already sorted, and checking that is much cheaper than sorting.
  const auto by_round_instance_line = [](const TimesRow& a, const TimesRow& b) {
    if (a.round != b.round) return a.round < b.round;
    if (a.instance != b.instance) return a.instance < b.instance;
    return a.line < b.line;
  };
  if (!std::is_sorted(rows.begin(), rows.end(), by_round_instance_line)) {
    std::sort(rows.begin(), rows.end(), by_round_instance_line);
  }

  ImportedTimes out;
  out.round_indices.resize(round_count);
  for (std::uint32_t r = 0; r < round_count; ++r) {
    out.round_indices[r] = round_values[round_order[r]];
  }
  out.instance_names.reserve(instance_count);
  for (std::uint32_t index : order) out.instance_names.emplace_back(instances[index].name);

  // Of all duplicates report the one a reader of the file meets first.
  const TimesRow* duplicate = nullptr;
  const TimesRow* duplicate_first = nullptr;
  for (std::size_t k = 1, run_start = 0; k < rows.size(); ++k) {
    if (rows[k].round != rows[k - 1].round || rows[k].instance != rows[k - 1].instance) {
      run_start = k;
    } else if (duplicate == nullptr || rows[k].line < duplicate->line) {
      duplicate = &rows[k];
      duplicate_first = &rows[run_start];
    }
  }
  if (duplicate != nullptr) {
    fail_at(file, duplicate->line, "",
            "duplicate (round " + std::to_string(out.round_indices[duplicate->round]) + ", " +
                describe_instance(out.instance_names[duplicate->instance]) + "), first at line " +
                std::to_string(duplicate_first->line));
  }
  // Without duplicates the sorted rows are complete exactly when row k is (k / N, k % N).
  for (std::size_t k = 0; k < round_count * instance_count; ++k) {
    const std::size_t r = k / instance_count;
    const std::size_t i = k % instance_count;
    if (k >= rows.size() || rows[k].round != r || rows[k].instance != i) {
      fail_file(file, "round " + std::to_string(out.round_indices[r]) + " has no row for " +
                          describe_instance(out.instance_names[i]));
    }
  }

  // Dense batches, numbered in order of their first instance in trace order.
  out.batch_of_instance.resize(instance_count);
  std::vector<std::string_view> batch_names;
  std::unordered_map<std::string_view, std::uint32_t> batch_index;
  for (std::uint32_t p = 0; p < instance_count; ++p) {
    const std::string_view batch = has_batch ? instances[order[p]].batch : out.instance_names[p];
    const auto [it, inserted] =
        batch_index.try_emplace(batch, static_cast<std::uint32_t>(batch_names.size()));
    if (inserted) batch_names.push_back(batch);
    out.batch_of_instance[p] = it->second;
  }
  const std::size_t batch_count = batch_names.size();
  out.batch_count = batch_count;
  out.inference_s.resize(round_count * batch_count);
  out.total_s.resize(round_count * batch_count);

  // A batch is timed as a whole, so every one of its rows must carry the same times; the line
  // of the row that first set a batch's times in the current round explains a mismatch.
  std::vector<const TimesRow*> batch_source(batch_count);
  for (std::size_t r = 0; r < round_count; ++r) {
    std::fill(batch_source.begin(), batch_source.end(), nullptr);
    for (std::size_t i = 0; i < instance_count; ++i) {
      const TimesRow& current = rows[r * instance_count + i];
      const std::uint32_t b = out.batch_of_instance[i];
      const TimesRow* source = batch_source[b];
      if (source == nullptr) {
        batch_source[b] = &current;
        out.inference_s[r * batch_count + b] = current.inference;
        out.total_s[r * batch_count + b] = current.total;
        continue;
      }
      const bool inference_differs = current.inference != source->inference;
      if (inference_differs || current.total != source->total) {
        const double mine = inference_differs ? current.inference : current.total;
        const double theirs = inference_differs ? source->inference : source->total;
        fail_at(file, current.line, inference_differs ? "inference" : "total",
                "round " + std::to_string(out.round_indices[r]) + ", batch " +
                    single_quoted(batch_names[b]) + ": " + import_detail::format_double(mine) +
                    " differs from " + import_detail::format_double(theirs) + " at line " +
                    std::to_string(source->line) + " (a batch has one time per round)");
      }
    }
  }
  return out;
}

}  // namespace tailq
