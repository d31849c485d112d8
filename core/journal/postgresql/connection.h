#pragma once
// One libpq connection behind the journal's SQL seam (sql/connection.h). Statements are written
// with `?1`, `?2`, ... and sent as `$1`, `$2`, ...; those with parameters are prepared on the
// server once per connection. Parameters go as text (blobs as binary bytea), rows come back as
// text. A lost connection is fatal for this connection (fatal()): the journal drops it and
// connects again.
//
// Threads: one thread at a time (libpq connections are not shared).
#include <libpq-fe.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "core/base/status.h"
#include "core/journal/sql/connection.h"

namespace portier::journal::postgresql {

class Connection final : public sql::Connection {
 public:
  // `conninfo`: a libpq connection string or URI (the secret already resolved).
  static Result<std::unique_ptr<Connection>> open(const std::string& conninfo);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() override;

  Result<sql::Statement> prepare(const std::string& sql) override;
  // The simple protocol runs a whole script (statements without parameters are sent so).
  Status run_script(const std::string& sql) override { return run(sql); }
  bool in_transaction() override;
  const Status& fatal() const override { return fatal_; }

  // Runs `result`'s checks: OK, or the Status for its error (remembered if the connection broke).
  Status check(PGresult* result, const std::string& what);
  PGconn* handle() { return conn_; }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> server statement name
  Status fatal_;
};

// `?N` placeholders as PostgreSQL's `$N` (outside quoted literals and identifiers).
std::string numbered_parameters(const std::string& sql);

}  // namespace portier::journal::postgresql
