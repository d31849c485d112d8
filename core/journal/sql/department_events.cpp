// Department events: what a department that pulls should learn, kept until acknowledged; some
// hold a work item until then.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <utility>

#include "core/journal/sql/item_rows.h"
#include "core/journal/sql/sql_journal.h"

namespace portier::journal::sql {
namespace {

constexpr size_t kMaxAck = 10'000;
constexpr const char* kHeldColumns =
    "seq, department, kind, business_process_id, at_ms, detail, acked_ms, releases_item";

// The held item of the first event row `st` finds (columns: kHeldColumns), if any.
Result<std::optional<HeldItem>> read_held(Connection& db, Statement& st) {
  Result<bool> row = st.next();
  if (!row.is_ok()) return row.status();
  if (!*row) return std::optional<HeldItem>();
  HeldItem held;
  held.event = {st.int64(0), st.text(1), st.text(2), st.text(3), st.int64(4), st.text(5)};
  held.acknowledged = !st.is_null(6);
  Result<ItemRow> item = load_item(db, st.int64(7));
  if (!item.is_ok()) return item.status();
  held.item = to_stored(*item);
  return std::optional<HeldItem>(std::move(held));
}

}  // namespace

Status SqlJournal::add_event(const DepartmentEvent& event) {
  return write([=, this](Connection& db) { return insert_event(db, event); });
}

Status SqlJournal::insert_event(Connection& db, DepartmentEvent event, const std::string& subject,
                                int64_t releases_item) {
  if (event.department.empty() || event.kind.empty()) {
    return invalid_argument("event: department and kind are required");
  }
  Result<Statement> st = db.prepare(
      "INSERT INTO department_events (department, kind, business_process_id, at_ms, detail, "
      "acked_ms, subject, releases_item) VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7)");
  if (!st.is_ok()) return st.status();
  st->bind(1, event.department)
      .bind(2, event.kind)
      .bind(3, event.business_process_id)
      .bind(4, event.at_ms != 0 ? event.at_ms : clock_.now_ms())
      .bind(5, event.detail.empty() ? std::string("{}") : event.detail);
  if (subject.empty()) {
    st->bind_null(6);
  } else {
    st->bind(6, subject);
  }
  if (releases_item == 0) {
    st->bind_null(7);
  } else {
    st->bind(7, releases_item);
  }
  return st->run();
}

Status SqlJournal::add_delivery_failed(Connection& db, const ItemRow& row,
                                       const std::string& error) {
  if (row.department.empty()) return Status::ok();  // nobody to tell
  boost::json::object detail;
  detail["workItemId"] = row.id;
  detail["destination"] = row.destination;
  detail["kind"] = row.kind;
  detail["error"] = error;
  DepartmentEvent event;
  event.department = row.department;
  event.kind = "deliveryFailed";
  event.business_process_id = row.business_process_id;
  event.detail = boost::json::serialize(detail);
  return insert_event(db, std::move(event));
}

Result<int> SqlJournal::ack_events(const std::string& department,
                                   const std::vector<int64_t>& seqs) {
  if (seqs.empty()) return 0;
  if (seqs.size() > kMaxAck) {
    return invalid_argument("ack_events: at most " + std::to_string(kMaxAck) + " events at once");
  }
  return writer_->write_and_wait<int>(
      [=, this](Connection& db) { return apply_ack_events(db, department, seqs); });
}

Result<int> SqlJournal::apply_ack_events(Connection& db, const std::string& department,
                                         const std::vector<int64_t>& seqs) {
  const int64_t now = clock_.now_ms();
  int acked = 0;
  for (int64_t seq : seqs) {
    // Another department's seq matches no row, so it is ignored rather than refused. The event
    // may hold a work item (pull mode): the acknowledgement releases it.
    Result<Statement> st = db.prepare(
        "UPDATE department_events SET acked_ms = ?3 "
        "WHERE seq = ?1 AND department = ?2 AND acked_ms IS NULL RETURNING releases_item");
    if (!st.is_ok()) return st.status();
    st->bind(1, seq).bind(2, department).bind(3, now);
    Result<bool> row = st->next();
    if (!row.is_ok()) return row.status();
    if (!*row) continue;
    ++acked;
    if (st->is_null(0)) continue;
    Result<ItemRow> item = load_item(db, st->int64(0));
    if (!item.is_ok()) return item.status();
    if (item->state != ItemState::kParked) continue;  // an operator released it already
    Change c(ItemState::kPending);
    c.next_attempt_ms = now;
    c.reset_attempts = true;
    if (Status s = apply_change(db, item->id, c, now); !s.is_ok()) return s;
    if (Status s = append_evidence(
            db, item_evidence(*item, "released",
                              "event " + std::to_string(seq) + " acknowledged by " + department));
        !s.is_ok()) {
      return s;
    }
  }
  return acked;
}

Result<std::vector<DepartmentEvent>> SqlJournal::events(const std::string& department,
                                                        int64_t after_seq, int limit) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  // Spelled so that department_events_open (department, acked_ms, seq) answers it.
  Result<Statement> st = (*db)->prepare(
      "SELECT seq, department, kind, business_process_id, at_ms, detail FROM department_events "
      "WHERE department = ?1 AND acked_ms IS NULL AND seq > ?2 ORDER BY seq LIMIT ?3");
  if (!st.is_ok()) return st.status();
  st->bind(1, department).bind(2, after_seq).bind(3, page_size(limit));
  return st->collect([](Statement& row) {
    return DepartmentEvent{row.int64(0), row.text(1),  row.text(2),
                           row.text(3),  row.int64(4), row.text(5)};
  });
}

Result<std::optional<HeldItem>> SqlJournal::held_item(const std::string& kind,
                                                      const std::string& subject) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(std::string("SELECT ") + kHeldColumns +
                                        " FROM department_events WHERE kind = ?1 AND "
                                        "subject = ?2 AND releases_item IS NOT NULL");
  if (!st.is_ok()) return st.status();
  st->bind(1, kind).bind(2, subject);
  return read_held(**db, *st);
}

Result<std::optional<HeldItem>> SqlJournal::held_item(int64_t item_id) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(std::string("SELECT ") + kHeldColumns +
                                        " FROM department_events WHERE releases_item = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, item_id);
  return read_held(**db, *st);
}

}  // namespace portier::journal::sql
