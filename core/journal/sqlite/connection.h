#pragma once
// One sqlite3 connection behind the journal's SQL seam (sql/connection.h): cached prepared
// statements, errors turned into Status values, and a record of the first error that leaves the
// file in an unknown state (I/O error, disk full, corruption), which the journal treats as fatal.
//
// Threads: a connection is opened in multi-thread mode (SQLITE_OPEN_NOMUTEX), so it must be
// used by one thread at a time; the journal gives each connection one owner or lends it.
#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/base/status.h"
#include "core/journal/sql/connection.h"

namespace portier::journal::sqlite {

class Connection final : public sql::Connection {
 public:
  // `vfs` may be nullptr for the default VFS.
  static Result<std::unique_ptr<Connection>> open(const std::string& path, int flags,
                                                  const char* vfs);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() override;

  // Prepared once and cached; the statement is reset when the returned one is destroyed.
  Result<sql::Statement> prepare(const std::string& sql) override;
  Status run_script(const std::string& sql) override { return exec(sql.c_str()); }
  bool in_transaction() override { return sqlite3_get_autocommit(db_) == 0; }
  const Status& fatal() const override { return fatal_; }

  // For pragmas and statements without parameters, not cached.
  Status exec(const char* sql);
  // The first column of the first row as text ("" when there is no row).
  Result<std::string> query_text(const char* sql);

  // Builds the Status for `rc` and remembers it if it is fatal.
  Status error(int rc, std::string_view what);
  sqlite3* handle() { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
  Status fatal_;
};

// Errors after which the state of the file is unknown: never carry on writing after one.
bool is_fatal(int rc);

}  // namespace portier::journal::sqlite
