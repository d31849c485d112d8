#pragma once
// A thin RAII layer over one sqlite3 connection: cached prepared statements, errors turned into
// Status values, and a record of the first error that leaves the file in an unknown state
// (I/O error, disk full, corruption), which the journal treats as fatal.
//
// Threads: a Connection is opened in multi-thread mode (SQLITE_OPEN_NOMUTEX), so it must be
// used by one thread at a time; the journal gives each connection one owner or one mutex.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>
#include <unordered_map>

#include "core/base/status.h"

namespace portier::journal::sqlite {

class Connection;

// A prepared statement borrowed from its connection's cache. Destruction resets it, which
// also ends the implicit read transaction a half-read SELECT would otherwise keep open.
class Statement {
 public:
  Statement(Connection& connection, sqlite3_stmt* stmt) : connection_(&connection), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);

  // true: a row is ready; false: done.
  Result<bool> next();
  // Runs a statement that returns no rows.
  Status run();
  // Every remaining row, each made into a value by `read(*this)`.
  template <typename Read>
  Result<std::vector<std::invoke_result_t<Read, Statement&>>> collect(Read read) {
    std::vector<std::invoke_result_t<Read, Statement&>> out;
    for (;;) {
      Result<bool> row = next();
      if (!row.is_ok()) return row.status();
      if (!*row) return out;
      out.push_back(read(*this));
    }
  }

  bool is_null(int column) const;
  int64_t int64(int column) const;
  std::string text(int column) const;
  std::string blob(int column) const;

 private:
  Connection* connection_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

class Connection {
 public:
  // `vfs` may be nullptr for the default VFS.
  static Result<std::unique_ptr<Connection>> open(const std::string& path, int flags,
                                                  const char* vfs);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  Result<Statement> prepare(const std::string& sql);
  // Runs one statement that returns no rows, prepared once and cached (hot paths).
  Status run(const std::string& sql);
  // For transaction control and pragmas without parameters.
  Status exec(const char* sql);
  // The first column of the first row as text ("" when there is no row).
  Result<std::string> query_text(const char* sql);

  // Builds the Status for `rc` and remembers it if it is fatal.
  Status error(int rc, std::string_view what);
  // The first fatal error seen on this connection, OK if none.
  const Status& fatal() const { return fatal_; }

  sqlite3* handle() { return db_; }
  int64_t last_insert_rowid() { return sqlite3_last_insert_rowid(db_); }
  int changes() { return sqlite3_changes(db_); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
  Status fatal_;
};

// Errors after which the state of the file is unknown: never carry on writing after one.
bool is_fatal(int rc);

}  // namespace portier::journal::sqlite
