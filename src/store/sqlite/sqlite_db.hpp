// Thin owners of a SQLite connection and its prepared statements, so every handle is finalized or closed
// exactly once and every error carries the file path and what SQLite said.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace lunora::store {

class SqliteStatement {
 public:
  SqliteStatement() = default;
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement() { sqlite3_finalize(stmt_); }

  // Parameters are numbered from 1 as in "?1". A failed bind is remembered and returned by the next step(),
  // so callers bind a whole row and check once.
  void bind_text(int index, std::string_view text);
  void bind_int64(int index, int64_t value);

  // SQLITE_ROW, SQLITE_DONE or an error code (the connection's errmsg says more).
  int step();
  // Clears bindings and rewinds; a statement left mid-SELECT would keep its read snapshot open.
  void reset();

  int64_t column_int64(int index) const { return sqlite3_column_int64(stmt_, index); }
  // Exactly the stored bytes (column_bytes, not strlen): sealed secrets may hold any byte.
  std::string column_text(int index) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int bind_error_ = SQLITE_OK;
};

// Resets a statement when the scope using it ends, on every return path.
class StatementScope {
 public:
  explicit StatementScope(SqliteStatement& stmt) : stmt_(stmt) {}
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;
  ~StatementScope() { stmt_.reset(); }

  SqliteStatement* operator->() { return &stmt_; }

 private:
  SqliteStatement& stmt_;
};

class SqliteDb {
 public:
  // Opens, creating the file when missing. Nothing else: pragmas and schema are the caller's.
  static Result<SqliteDb> open(const std::string& path);

  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  // close_v2 waits for statements still alive, so owners may destroy the two in any order.
  ~SqliteDb() { sqlite3_close_v2(db_); }

  // Prepared once and kept (SQLITE_PREPARE_PERSISTENT). SQL text holds no values: those are bound.
  Result<SqliteStatement> prepare(std::string_view sql);
  // Runs constant SQL (pragmas, migrations), possibly several statements; `doing` names it in errors
  // (the SQL itself when empty).
  Status exec(const char* sql, std::string_view doing = {});

  // kIo naming the file, what we were doing and SQLite's own message ("database or disk is full").
  Error error(std::string_view doing) const;
  int extended_errcode() const { return sqlite3_extended_errcode(db_); }
  int64_t changes() const { return sqlite3_changes64(db_); }
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  const std::string& path() const { return path_; }

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace lunora::store
