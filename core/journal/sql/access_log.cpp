// Nonces (WS-Security, HMAC) shared by every instance, and the audit log of refused requests.
#include "core/base/log.h"
#include "core/journal/sql/item_rows.h"
#include "core/journal/sql/sql_journal.h"

namespace portier::journal::sql {
namespace {

// Expired nonces are deleted after this many new ones, or this long after the last purge.
constexpr int64_t kNoncePurgeEvery = 1000;
constexpr int64_t kNoncePurgeIntervalMs = 60'000;

}  // namespace

Result<bool> SqlJournal::remember_nonce(const std::string& department, const Nonce& nonce) {
  return writer_->write_and_wait<bool>(
      [=, this](Connection& db) { return insert_nonce(db, department, nonce); });
}

Result<bool> SqlJournal::insert_nonce(Connection& db, const std::string& department,
                                      const Nonce& nonce) {
  if (nonce.value.empty()) return invalid_argument("nonce: value is empty");
  // An expired row is taken over by the new use; a live one is left alone (0 rows changed).
  Result<Statement> st = db.prepare(
      "INSERT INTO nonces (department, value, expires_ms) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (department, value) DO UPDATE SET expires_ms = excluded.expires_ms "
      "WHERE nonces.expires_ms < ?4");
  if (!st.is_ok()) return st.status();
  st->bind(1, department).bind(2, nonce.value).bind(3, nonce.expires_ms).bind(4, clock_.now_ms());
  if (Status s = st->run(); !s.is_ok()) return s;
  if (st->changes() == 0) return false;
  ++nonces_since_purge_;
  return true;
}

Status SqlJournal::purge_nonces_if_due(Connection& db) {
  const int64_t now = clock_.now_ms();
  if (nonces_since_purge_ < kNoncePurgeEvery &&
      (nonces_since_purge_ == 0 || now < next_nonce_purge_ms_)) {
    return Status::ok();
  }
  nonces_since_purge_ = 0;
  next_nonce_purge_ms_ = now + kNoncePurgeIntervalMs;
  // In its own savepoint: a failed purge must not take the batch's operations with it.
  if (Status s = db.run("SAVEPOINT purge"); !s.is_ok()) return s;
  Result<Statement> st = db.prepare("DELETE FROM nonces WHERE expires_ms < ?1");
  Status deleted = st.is_ok() ? st->bind(1, now).run() : st.status();
  if (!db.fatal().is_ok()) return db.fatal();
  if (deleted.is_ok()) return db.run("RELEASE purge");
  log::warn("journal: expired nonces were not purged", {{"error", deleted.to_string()}});
  Status s = db.run("ROLLBACK TO purge");
  return s.is_ok() ? db.run("RELEASE purge") : s;
}

Status SqlJournal::audit(const AuditEntry& entry) {
  return write([=, this](Connection& db) -> Status {
    Result<Statement> st = db.prepare(
        "INSERT INTO audit (at_ms, department, remote_address, operation, "
        "business_process_id, reason, correlation_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!st.is_ok()) return st.status();
    return st->bind(1, entry.at_ms != 0 ? entry.at_ms : clock_.now_ms())
        .bind(2, entry.department)
        .bind(3, entry.remote_address)
        .bind(4, entry.operation)
        .bind(5, entry.business_process_id)
        .bind(6, entry.reason)
        .bind(7, entry.correlation_id)
        .run();
  });
}

Result<std::vector<AuditEntry>> SqlJournal::audit_log(int limit) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(
      "SELECT seq, at_ms, department, remote_address, operation, business_process_id, reason, "
      "correlation_id FROM audit ORDER BY seq DESC LIMIT ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, page_size(limit));
  return st->collect([](Statement& row) {
    return AuditEntry{row.int64(0), row.int64(1), row.text(2), row.text(3),
                      row.text(4),  row.text(5),  row.text(6), row.text(7)};
  });
}

}  // namespace portier::journal::sql
