// Poll state: cursors of counterpart feeds and mailboxes, and the leases that let one instance
// at a time poll each of them.
#include <utility>

#include "core/journal/sql/sql_journal.h"

namespace portier::journal::sql {

Result<int64_t> SqlJournal::feed_cursor(const std::string& feed) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare("SELECT cursor FROM feed_cursors WHERE feed = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, feed);
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  return *row ? st->int64(0) : int64_t{0};
}

Status SqlJournal::advance_feed(const std::string& feed, int64_t cursor,
                                const std::vector<CaseEvent>& events) {
  return write([=, this](Connection& db) -> Status {
    for (const CaseEvent& e : events) {
      Result<Statement> st = db.prepare(
          "SELECT business_process_id, department FROM business_cases "
          "WHERE business_case_id = ?1");
      if (!st.is_ok()) return st.status();
      st->bind(1, e.business_case_id);
      Result<bool> row = st->next();
      if (!row.is_ok()) return row.status();
      if (!*row) continue;  // not a case Portier opened
      DepartmentEvent event{0, st->text(1), e.kind, st->text(0), e.at_ms, e.detail};
      if (Status s = insert_event(db, std::move(event)); !s.is_ok()) return s;
    }
    Result<Statement> up = db.prepare(
        "INSERT INTO feed_cursors (feed, cursor) VALUES (?1, ?2) "
        "ON CONFLICT (feed) DO UPDATE SET cursor = excluded.cursor");
    if (!up.is_ok()) return up.status();
    return up->bind(1, feed).bind(2, cursor).run();
  });
}

Result<bool> SqlJournal::hold_lease(const std::string& name, const std::string& holder,
                                    int64_t now_ms, int64_t ttl_ms) {
  return writer_->write_and_wait<bool>([=](Connection& db) -> Result<bool> {
    Result<Statement> st = db.prepare(
        "INSERT INTO poll_leases (name, holder, expires_ms) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
        "expires_ms = excluded.expires_ms WHERE poll_leases.holder = excluded.holder "
        "OR poll_leases.expires_ms <= ?4");
    if (!st.is_ok()) return st.status();
    st->bind(1, name).bind(2, holder).bind(3, now_ms + ttl_ms).bind(4, now_ms);
    if (Status s = st->run(); !s.is_ok()) return s;
    return st->changes() > 0;
  });
}

Status SqlJournal::release_lease(const std::string& name, const std::string& holder) {
  return write([=](Connection& db) -> Status {
    Result<Statement> st = db.prepare("DELETE FROM poll_leases WHERE name = ?1 AND holder = ?2");
    if (!st.is_ok()) return st.status();
    return st->bind(1, name).bind(2, holder).run();
  });
}

Result<std::vector<LeaseRecord>> SqlJournal::leases() {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st =
      (*db)->prepare("SELECT name, holder, expires_ms FROM poll_leases ORDER BY name");
  if (!st.is_ok()) return st.status();
  return st->collect([](Statement& row) {
    return LeaseRecord{row.text(0), row.text(1), row.int64(2)};
  });
}

}  // namespace portier::journal::sql
