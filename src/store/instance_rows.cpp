#include "store/instance_rows.hpp"

#include <array>
#include <cmath>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tailq::store {
namespace {

constexpr std::int64_t kLowest = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kHighest = std::numeric_limits<std::int64_t>::max();

// One column of the current row, read once: its type and its value as that type has it.
struct Cell {
  int type = SQLITE_NULL;
  std::int64_t integer = 0;
  double real = 0;
  std::string_view bytes;  // TEXT or BLOB, valid until the next step
};

Cell read_cell(const sqlite::Statement& q, int column) {
  Cell cell;
  cell.type = q.type(column);
  if (cell.type == SQLITE_INTEGER) {
    cell.integer = q.int64(column);
  } else if (cell.type == SQLITE_FLOAT) {
    cell.real = q.real(column);
  } else if (cell.type == SQLITE_TEXT) {
    cell.bytes = q.text_view(column);  // as UTF-8, what add_column hashes
  } else if (cell.type == SQLITE_BLOB) {
    cell.bytes = q.blob(column);
  }
  return cell;
}

// A number column as a double, as sqlite3_column_double gives it; NaN for anything else.
double number_of(const Cell& cell) {
  if (cell.type == SQLITE_FLOAT) return cell.real;
  if (cell.type == SQLITE_INTEGER) return static_cast<double>(cell.integer);
  return std::numeric_limits<double>::quiet_NaN();
}

// What consecutive rows of the join hold.
struct Rows {
  std::vector<Instance> instances;
  std::vector<std::uint32_t> batch_of_instance;
  std::vector<std::string> labels, predictions;  // kinds with labels
  std::vector<double> scores;                    // Outcomes::Kind::score
  std::vector<bool> batch_used;
  std::size_t with_output = 0;  // rows that have an outputs row

  void append(Rows&& more) {
    auto move_all = [](auto& into, auto& from) {
      into.insert(into.end(), std::make_move_iterator(from.begin()),
                  std::make_move_iterator(from.end()));
    };
    move_all(instances, more.instances);
    move_all(batch_of_instance, more.batch_of_instance);
    move_all(labels, more.labels);
    move_all(predictions, more.predictions);
    move_all(scores, more.scores);
    for (std::size_t b = 0; b < batch_used.size(); ++b) {
      if (more.batch_used[b]) batch_used[b] = true;
    }
    with_output += more.with_output;
  }

  void move_into(LoadedTrace& t) && {
    t.instances = std::move(instances);
    t.batch_of_instance = std::move(batch_of_instance);
    t.outcomes.labels = std::move(labels);
    t.outcomes.predictions = std::move(predictions);
    t.outcomes.scores = std::move(scores);
  }
};

// Reads the rows whose idx lies in [low, high], which must be max(low, 0), then one more each
// row; returns false at the first that is not (the rows after it are not read). Each column is
// read from SQLite once and serves both the check and `hash(type, integer, real, bytes)` (a
// column read costs more than the rest of the row); a column of an unexpected type is read
// again as text or number, as the statement converts it.
template <class Hash>
bool read_rows(const sqlite::Database& db, std::int64_t low, std::int64_t high,
               const LoadedTrace& t, Rows& rows, Problems& problems, Hash&& hash) {
  const Outcomes::Kind kind = t.outcomes.kind;
  const bool labelled = has_labels(kind);
  const std::int64_t first = std::max<std::int64_t>(low, 0);
  sqlite::Statement q(db,
                      "SELECT i.idx, i.name, i.batch, i.input_size, i.label, o.instance, "
                      "o.prediction, o.score FROM instances i LEFT JOIN outputs o ON "
                      "o.instance = i.idx WHERE i.idx BETWEEN ? AND ? ORDER BY i.idx");
  q.bind(1, low).bind(2, high);
  rows.batch_used.assign(t.batch_count, false);
  auto text_of = [&](const Cell& cell, int column) {
    if (cell.type == SQLITE_TEXT) return std::string(cell.bytes);
    return cell.type == SQLITE_NULL ? std::string() : q.text(column);
  };
  auto real_of = [&](const Cell& cell, int column) {
    return cell.type == SQLITE_FLOAT || cell.type == SQLITE_INTEGER ? number_of(cell)
                                                                    : q.real(column);
  };
  std::array<Cell, 8> row;
  while (q.step()) {
    for (int column = 0; column < 8; ++column) row[column] = read_cell(q, column);
    for (int column : {0, 1, 2, 3, 4, 6, 7}) {
      const Cell& c = row[column];
      hash(c.type, c.integer, c.real, c.bytes);
    }
    const std::int64_t idx = row[0].type == SQLITE_INTEGER ? row[0].integer : q.int64(0);
    // Named only when something is wrong: a string per row costs more than the row.
    auto where = [idx] { return "instance " + std::to_string(idx); };
    const auto before = static_cast<std::int64_t>(rows.instances.size()) + first;
    if (idx != before) {
      problems.add("instances: indices are not 0..N-1 (" + where() + " follows " +
                   std::to_string(before) + " instances)");
      return false;  // everything below is indexed by position
    }
    Instance instance;
    if (row[1].type != SQLITE_TEXT) problems.add(where() + ": the name is not text");
    instance.name = text_of(row[1], 1);
    const std::int64_t batch = row[2].type == SQLITE_INTEGER ? row[2].integer : -1;
    if (batch < 0 || static_cast<std::uint64_t>(batch) >= t.batch_count) {
      problems.add(where() + " ('" + instance.name + "'): batch " + text_of(row[2], 2) +
                   " outside 0.." + std::to_string(t.batch_count) + "-1");
    } else {
      instance.batch = static_cast<std::uint32_t>(batch);
      rows.batch_used[instance.batch] = true;
    }
    if (row[3].type != SQLITE_NULL) {
      if (!std::isfinite(number_of(row[3]))) {
        problems.add(where() + ": input size is not a finite number");
      }
      instance.input_size = real_of(row[3], 3);
    }
    if (row[5].type == SQLITE_NULL) {
      problems.add(where() + ": no row in outputs");
    } else {
      ++rows.with_output;
    }
    if (labelled) {
      if (row[4].type != SQLITE_TEXT) problems.add(where() + ": the label is not text");
      if (row[6].type != SQLITE_TEXT && row[6].type != SQLITE_NULL) {
        problems.add(where() + ": the prediction is not text");
      }
      rows.labels.push_back(text_of(row[4], 4));
      rows.predictions.push_back(text_of(row[6], 6));
    } else if (kind == Outcomes::Kind::score) {
      const double score = real_of(row[7], 7);
      if (!std::isfinite(number_of(row[7])) || score < 0 || score > 1) {
        problems.add(where() + ": the score is not a number in [0, 1]");
      }
      rows.scores.push_back(score);
    }
    rows.batch_of_instance.push_back(instance.batch);
    rows.instances.push_back(std::move(instance));
  }
  return true;
}

// The checks that need every row: each batch has an instance, each outputs row an instance
// (outputs.instance is its primary key, so the rows beyond those matched are orphans).
void check_all_rows(const sqlite::Database& db, const Rows& rows, Problems& problems) {
  for (std::size_t b = 0; b < rows.batch_used.size(); ++b) {
    if (!rows.batch_used[b]) {
      problems.add("instances: batch " + std::to_string(b) + " of " +
                   std::to_string(rows.batch_used.size()) + " has no instance");
      break;
    }
  }
  sqlite::Statement outputs(db, "SELECT count(*) FROM outputs");
  outputs.step();
  const std::int64_t orphans = outputs.int64(0) - static_cast<std::int64_t>(rows.with_output);
  if (orphans > 0) problems.add("outputs: " + std::to_string(orphans) + " rows for no instance");
}

}  // namespace

bool load_instances(const sqlite::Database& db, LoadedTrace& t, Problems& problems,
                    ValueHasher& header) {
  Rows rows;
  const bool whole =
      read_rows(db, kLowest, kHighest, t, rows, problems,
                [&header](int type, std::int64_t integer, double real, std::string_view bytes) {
                  header.add_value(type, integer, real, bytes);
                });
  if (whole) check_all_rows(db, rows, problems);
  std::move(rows).move_into(t);
  return whole;
}

bool load_instances_split(const sqlite::Database& db, LoadedTrace& t, ValueHasher& header,
                          std::uint64_t stored_header, std::size_t split_from) {
  try {
    sqlite::Statement mode(db, "PRAGMA journal_mode");
    if (!mode.step() || mode.text(0) == "wal") return false;
    // Every read here is on a connection of its own, never on `db`: SQLite finds a corrupt
    // b-tree as it loads its pages, so what a connection reports depends on which pages it has
    // already loaded. Leaving `db` untouched lets the caller's read on one connection report
    // exactly what it reports without this attempt.
    std::optional<sqlite::Database> own;
    open_for_reading(db.path(), own);
    own->exec("BEGIN");
    std::int64_t split = 0;  // the first row of the second half
    {
      sqlite::Statement last(*own, "SELECT max(idx) FROM instances");
      if (!last.step() || last.type(0) != SQLITE_INTEGER ||
          last.int64(0) < static_cast<std::int64_t>(split_from) - 1) {
        return false;
      }
      split = last.int64(0) / 2 + 1;
    }

    Rows second;
    std::string second_encoded;  // its hashed values, hashed here after the first half's
    bool second_clean = false;
    std::exception_ptr second_error;
    {
      // Declared after what it writes, so that it is joined before they go, even when the
      // first half throws.
      std::jthread helper([&] {
        try {
          std::optional<sqlite::Database> other;
          open_for_reading(db.path(), other);
          other->exec("BEGIN");
          Problems problems(db.path(), false);
          second_clean =
              read_rows(*other, split, kHighest, t, second, problems,
                        [&](int type, std::int64_t integer, double real, std::string_view bytes) {
                          ValueHasher::encode(second_encoded, type, integer, real, bytes);
                        }) &&
              problems.count() == 0;
          other->exec("COMMIT");
        } catch (...) {
          second_error = std::current_exception();
        }
      });
      Rows first;
      Problems problems(db.path(), false);
      const bool first_clean =
          read_rows(*own, kLowest, split - 1, t, first, problems,
                    [&header](int type, std::int64_t integer, double real, std::string_view bytes) {
                      header.add_value(type, integer, real, bytes);
                    }) &&
          problems.count() == 0 && static_cast<std::int64_t>(first.instances.size()) == split;
      helper.join();
      if (!first_clean || !second_clean || second_error) return false;
      header.add_encoded(second_encoded);
      if (header.digest() != stored_header) return false;
      first.append(std::move(second));
      Problems all_rows(db.path(), false);
      check_all_rows(*own, first, all_rows);
      if (all_rows.count() != 0) return false;
      std::move(first).move_into(t);
    }
    own->exec("COMMIT");
    return true;
  } catch (const std::exception&) {
    return false;  // the caller's read on one connection names the problem
  }
}

}  // namespace tailq::store
