// Thin RAII helpers over the SQLite C API, private to the store.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "tailq/error.hpp"

namespace tailq::sqlite {

class Database {
 public:
  Database(const std::string& path, int flags);
  Database(Database&& other) noexcept : db_(other.db_), path_(std::move(other.path_)) {
    other.db_ = nullptr;
  }
  Database& operator=(Database&&) = delete;
  ~Database();
  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }
  void exec(const char* sql) const;
  [[noreturn]] void fail(std::string_view what) const;
  // SQLite's message for the last error, with the OS's reason for an I/O error (e.g. "disk I/O
  // error (File too large)").
  std::string error_message() const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement(const Database& db, const char* sql);
  Statement(const Statement&) = delete;
  ~Statement();
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_null(int index);
  Statement& bind_blob(int index, const void* data, std::size_t bytes);
  bool step();  // true while a row is available
  void run();   // step to completion, then reset for reuse
  void reset();
  std::int64_t int64(int column) const;
  double real(int column) const;
  bool is_null(int column) const;
  std::string text(int column) const;
  // The same as text(), valid until the next step() or reset().
  std::string_view text_view(int column) const;
  // Valid until the next step() or reset().
  std::string_view blob(int column) const;
  int type(int column) const { return sqlite3_column_type(stmt_, column); }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  const Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A transaction that rolls back unless committed.
class Transaction {
 public:
  // `joined`: part of a transaction the caller holds open, which commits or rolls back as a
  // whole; nothing is begun here. (A savepoint per part would copy every page it touches to a
  // statement journal first, the cost a joined transaction exists to avoid.)
  explicit Transaction(const Database& db, bool joined = false) : db_(db), joined_(joined) {
    if (!joined_) db_.exec("BEGIN IMMEDIATE");
  }
  ~Transaction() {
    if (!done_ && !joined_) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    if (!joined_) db_.exec("COMMIT");
    done_ = true;
  }

 private:
  const Database& db_;
  bool joined_ = false;
  bool done_ = false;
};

}  // namespace tailq::sqlite
