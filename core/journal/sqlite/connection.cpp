#include "core/journal/sqlite/connection.h"

#include <utility>

namespace portier::journal::sqlite {

bool is_fatal(int rc) {
  switch (rc & 0xff) {
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_PERM:
    case SQLITE_MISUSE:
      return true;
    default:
      return false;
  }
}

namespace {

// A cached statement lent to one caller; reset when the caller is done with it.
class CachedStatement final : public sql::StatementBackend {
 public:
  CachedStatement(Connection& connection, sqlite3_stmt* stmt)
      : connection_(connection), stmt_(stmt) {}
  ~CachedStatement() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  void bind(int index, int64_t value) override { note(sqlite3_bind_int64(stmt_, index, value)); }
  void bind(int index, std::string_view text) override {
    note(
        sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  void bind_blob(int index, std::string_view bytes) override {
    // A zero-length blob bound from a null pointer would be stored as NULL.
    static const char kEmpty = 0;
    note(sqlite3_bind_blob64(stmt_, index, bytes.empty() ? &kEmpty : bytes.data(), bytes.size(),
                             SQLITE_TRANSIENT));
  }
  void bind_null(int index) override { note(sqlite3_bind_null(stmt_, index)); }

  Result<bool> next() override {
    if (bind_rc_ != SQLITE_OK) return connection_.error(bind_rc_, "bind");
    int rc = sqlite3_step(stmt_);
    if (!stepped_) {
      stepped_ = true;
      changes_ = sqlite3_changes64(connection_.handle());
    }
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return connection_.error(rc, sqlite3_sql(stmt_));
  }
  int64_t changes() const override { return changes_; }

  bool is_null(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  int64_t int64(int column) const override { return sqlite3_column_int64(stmt_, column); }
  std::string text(int column) const override {
    const unsigned char* p = sqlite3_column_text(stmt_, column);
    if (p == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(p),
                       static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  std::string blob(int column) const override {
    const void* p = sqlite3_column_blob(stmt_, column);
    if (p == nullptr) return {};
    return std::string(static_cast<const char*>(p),
                       static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
  }

 private:
  void note(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  Connection& connection_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
  bool stepped_ = false;
  int64_t changes_ = 0;
};

}  // namespace

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, int flags,
                                                     const char* vfs) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, vfs);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return unavailable("cannot open journal database: " + message);
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Result<sql::Statement> Connection::prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()) + 1,
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return error(rc, "prepare " + sql);
    it = statements_.emplace(sql, stmt).first;
  }
  return sql::Statement(std::make_unique<CachedStatement>(*this, it->second));
}

Status Connection::exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error(rc, sql);
  return Status::ok();
}

Result<std::string> Connection::query_text(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return error(rc, sql);
  std::string value;
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    const unsigned char* p = sqlite3_column_text(stmt, 0);
    if (p != nullptr) value = reinterpret_cast<const char*>(p);
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_OK;
  }
  Status status = rc == SQLITE_OK ? Status::ok() : error(rc, sql);
  sqlite3_finalize(stmt);
  if (!status.is_ok()) return status;
  return value;
}

Status Connection::error(int rc, std::string_view what) {
  std::string message = std::string(what) + ": " + sqlite3_errmsg(db_) + " (" + sqlite3_errstr(rc) +
                        ", code " + std::to_string(rc) + ")";
  Status status;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      status = unavailable(std::move(message));
      break;
    case SQLITE_CONSTRAINT:
      status = (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
                   ? Status(StatusCode::kAlreadyExists, std::move(message))
                   : invalid_argument(std::move(message));
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      status = data_loss(std::move(message));
      break;
    default:
      status = internal_error(std::move(message));
  }
  if (is_fatal(rc) && fatal_.is_ok()) fatal_ = status;
  return status;
}

}  // namespace portier::journal::sqlite
