// Reading the rows of a trace's tables while checking them: shared by the loaders of every
// schema version (trace_schema.cpp, block_schema.cpp). Private to src/store.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "store/checksum.hpp"
#include "store/sqlite.hpp"

namespace tailq::store {

inline std::optional<std::uint64_t> stored_checksum(const sqlite::Statement& q, int column) {
  if (q.type(column) != SQLITE_INTEGER) return std::nullopt;
  return from_stored(q.int64(column));
}

inline  // Compares a typeof() column without making a std::string of it for every round.
    bool
    text_is(const sqlite::Statement& q, int column, const char* expected) {
  const unsigned char* text = sqlite3_column_text(q.get(), column);
  return text != nullptr && std::strcmp(reinterpret_cast<const char*>(text), expected) == 0;
}

// The rows of one times table in round order, stepped along with the rounds. A join looked up
// each round's row in every table with a B-tree descent, most of the cost of opening a trace of
// a million one-instance rounds; an ordered scan per table reads each page once.
class TimesRows {
 public:
  // `key`: the column that names the round (versions 1 and 2) or block (version 3).
  TimesRows(const sqlite::Database& db, const char* table, bool checksums,
            const char* key = "round")
      : sql_(std::string("SELECT ") + key + ", typeof(seconds), length(seconds), " +
             (checksums ? "checksum" : "NULL") + " FROM " + table + " ORDER BY " + key),
        q_(db, sql_.c_str()) {
    advance();
  }
  // Whether round `index` has a row, whose typeof, length and checksum are then row()'s
  // columns 1 to 3. Rounds must be asked for in ascending order.
  bool at(std::int64_t index) {
    while (more_ && round_ < index) advance();
    const bool found = more_ && round_ == index;
    matched_ = matched_ || found;
    return found;
  }
  const sqlite::Statement& row() const { return q_; }
  // After the last round: the rows that no round asked for belong to no round.
  std::int64_t orphans(std::int64_t& first) {
    while (more_) advance();
    first = first_orphan_;
    return orphans_;
  }

 private:
  void advance() {
    if (more_ && !matched_ && orphans_++ == 0) first_orphan_ = round_;
    more_ = q_.step();
    matched_ = false;
    if (more_) round_ = q_.int64(0);
  }
  std::string sql_;
  sqlite::Statement q_;
  bool more_ = false, matched_ = false;
  std::int64_t round_ = 0, orphans_ = 0, first_orphan_ = 0;
};

}  // namespace tailq::store
