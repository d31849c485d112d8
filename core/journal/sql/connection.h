#pragma once
// The seam between the journal's relational logic (sql_journal.h) and a store's database
// client. Both stores speak the same SQL through it, with parameters written `?1`, `?2`, ...
// (SQLite takes them as they are; PostgreSQL's connection numbers them `$1`, `$2`, ...).
//
// A Statement is prepared from its connection and borrowed from it: it must be destroyed
// before its connection is, and used by the connection's thread only.
//
// Threads: a Connection is used by one thread at a time; the journal gives each connection one
// owner (the writer thread) or lends it from a pool (readers).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/base/status.h"

namespace portier::journal::sql {

// What a store's client does with one statement.
class StatementBackend {
 public:
  virtual ~StatementBackend() = default;
  virtual void bind(int index, int64_t value) = 0;
  virtual void bind(int index, std::string_view text) = 0;
  virtual void bind_blob(int index, std::string_view bytes) = 0;
  virtual void bind_null(int index) = 0;
  // Runs the statement on the first call; then true while a row is ready.
  virtual Result<bool> next() = 0;
  // Rows changed by the statement once it has run.
  virtual int64_t changes() const = 0;
  virtual bool is_null(int column) const = 0;
  virtual int64_t int64(int column) const = 0;
  virtual std::string text(int column) const = 0;
  virtual std::string blob(int column) const = 0;
};

// A prepared statement: bind parameters (1-based), then run it or read its rows.
class Statement {
 public:
  explicit Statement(std::unique_ptr<StatementBackend> backend) : backend_(std::move(backend)) {}

  Statement& bind(int index, int64_t value) {
    backend_->bind(index, value);
    return *this;
  }
  Statement& bind(int index, std::string_view text) {
    backend_->bind(index, text);
    return *this;
  }
  Statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind_blob(int index, std::string_view bytes) {
    backend_->bind_blob(index, bytes);
    return *this;
  }
  Statement& bind_null(int index) {
    backend_->bind_null(index);
    return *this;
  }
  // NULL for nothing: a filter that matches everything ("col = ?1 OR CAST(?1 AS TEXT) IS NULL").
  Statement& bind_optional(int index, const std::optional<std::string>& text) {
    return text ? bind(index, *text) : bind_null(index);
  }

  // true: a row is ready; false: done.
  Result<bool> next() { return backend_->next(); }
  // Runs a statement that returns no rows.
  Status run() {
    Result<bool> r = next();
    return r.is_ok() ? Status::ok() : r.status();
  }
  // Rows changed by an INSERT, UPDATE or DELETE that has run.
  int64_t changes() const { return backend_->changes(); }
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

  bool is_null(int column) const { return backend_->is_null(column); }
  int64_t int64(int column) const { return backend_->int64(column); }
  std::string text(int column) const { return backend_->text(column); }
  std::string blob(int column) const { return backend_->blob(column); }

 private:
  std::unique_ptr<StatementBackend> backend_;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Result<Statement> prepare(const std::string& sql) = 0;
  // Runs one statement without parameters or rows (transaction control, savepoints).
  Status run(const std::string& sql) {
    Result<Statement> st = prepare(sql);
    return st.is_ok() ? st->run() : st.status();
  }
  // Runs a script of one or more statements without parameters (migrations).
  virtual Status run_script(const std::string& sql) = 0;
  // Whether a transaction is open (after a failed COMMIT it may or may not be).
  virtual bool in_transaction() = 0;
  // The first error after which this connection must not be used for writes any more: on
  // SQLite an I/O, disk-full or corruption error (the file is in an unknown state), on
  // PostgreSQL a lost connection. OK if none.
  virtual const Status& fatal() const = 0;
};

}  // namespace portier::journal::sql
