#include "core/journal/sql/migrations.h"

#include <string>

#include "core/base/log.h"

namespace portier::journal::sql {
namespace {

Result<int> current_version(Connection& db) {
  Result<Statement> st = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!st.is_ok()) return st.status();
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  return static_cast<int>(st->int64(0));
}

Status apply(Connection& db, const Migration& m, const char* begin, const Clock& clock) {
  Status status = db.run(begin);
  if (status.is_ok()) status = db.run_script(m.sql);
  if (status.is_ok()) {
    Result<Statement> st =
        db.prepare("INSERT INTO schema_migrations (version, applied_ms) VALUES (?1, ?2)");
    status =
        st.is_ok() ? st->bind(1, int64_t{m.version}).bind(2, clock.now_ms()).run() : st.status();
  }
  if (status.is_ok()) status = db.run("COMMIT");
  if (!status.is_ok()) {
    if (db.in_transaction()) db.run("ROLLBACK").ignore();  // the failure above is reported
    return Status(status.code(), "schema migration " + std::to_string(m.version) + " (" +
                                     m.description + ") failed: " + status.message());
  }
  log::info("journal schema migrated",
            {{"version", std::to_string(m.version)}, {"migration", m.description}});
  return Status::ok();
}

}  // namespace

Status migrate(Connection& db, const std::vector<Migration>& migrations, const char* begin,
               const Clock& clock) {
  Status status = db.run_script(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY NOT NULL, applied_ms BIGINT NOT NULL)");
  if (!status.is_ok()) return status;
  Result<int> version = current_version(db);
  if (!version.is_ok()) return version.status();
  const int latest = migrations.back().version;
  if (*version > latest) {
    return failed_precondition("journal schema version " + std::to_string(*version) +
                               " is newer than this build knows (" + std::to_string(latest) +
                               "); run a newer portierd or restore a matching backup");
  }
  for (const Migration& m : migrations) {
    if (m.version <= *version) continue;
    if (Status s = apply(db, m, begin, clock); !s.is_ok()) return s;
  }
  return Status::ok();
}

}  // namespace portier::journal::sql
