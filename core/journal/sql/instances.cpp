// Instances sharing the journal: each reports itself alive now and then, so operators can list
// the live ones and what each holds.
#include "core/journal/sql/sql_journal.h"

namespace portier::journal::sql {

Status SqlJournal::report_alive(int64_t now_ms) {
  return write(
      [=, this](Connection& db) -> Status {
        Result<Statement> st = db.prepare(
            "INSERT INTO instances (instance, started_ms, seen_ms) VALUES (?1, ?2, ?2) "
            "ON CONFLICT (instance) DO UPDATE SET seen_ms = excluded.seen_ms");
        if (!st.is_ok()) return st.status();
        return st->bind(1, options_.instance).bind(2, now_ms).run();
      },
      /*durable=*/false);  // a lost heartbeat is sent again in a few seconds
}

Result<std::vector<InstanceRecord>> SqlJournal::instances(int64_t since_ms) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(
      "SELECT i.instance, i.started_ms, i.seen_ms, (SELECT COUNT(*) FROM work_items AS w"
      " WHERE w.state = 'inflight' AND w.lease_owner = i.instance)"
      " FROM instances AS i WHERE i.seen_ms >= ?1 ORDER BY i.instance");
  if (!st.is_ok()) return st.status();
  st->bind(1, since_ms);
  return st->collect([](Statement& row) {
    return InstanceRecord{row.text(0), row.int64(1), row.int64(2), row.int64(3)};
  });
}

}  // namespace portier::journal::sql
