// After dispatch: receipts of registered deliveries and inbox progress at the RC adapter.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <utility>

#include "core/journal/sql/item_rows.h"
#include "core/journal/sql/sql_journal.h"

namespace portier::journal::sql {
namespace {

constexpr const char* kReceiptColumns =
    "receipt_id, delivery_id, kind, event_ms, platform, receipt_message_id, pdf_sha256, "
    "signature_sha256, signature_valid, signature_detail, recorded_ms, purged_ms";

ReceiptRecord read_receipt(const Statement& st) {
  return {st.text(0),       st.text(1), st.text(2),   st.int64(3),
          st.text(4),       st.text(5), st.text(6),   st.text(7),
          st.int64(8) != 0, st.text(9), st.int64(10), st.is_null(11) ? 0 : st.int64(11)};
}

bool is_final_inbox_status(const std::string& status) {
  return status == "STORED_IN_INBOX" || status == "READ" || status == "REJECTED";
}

}  // namespace

Result<std::optional<StoredItem>> SqlJournal::find_delivery(const std::string& delivery_id) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(std::string("SELECT ") + kItemColumns +
                                        " FROM work_items WHERE delivery_id = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, delivery_id);
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  if (!*row) return std::optional<StoredItem>();
  return std::optional<StoredItem>(to_stored(read_item(*st)));
}

Result<std::vector<ReceiptRecord>> SqlJournal::receipts(const std::string& delivery_id) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(std::string("SELECT ") + kReceiptColumns +
                                        " FROM receipts WHERE delivery_id = ?1"
                                        " ORDER BY event_ms, recorded_ms");
  if (!st.is_ok()) return st.status();
  st->bind(1, delivery_id);
  return st->collect(read_receipt);
}

Result<std::optional<ReceiptRecord>> SqlJournal::find_receipt(const std::string& receipt_id) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(std::string("SELECT ") + kReceiptColumns +
                                        " FROM receipts WHERE receipt_id = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, receipt_id);
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  if (!*row) return std::optional<ReceiptRecord>();
  return std::optional<ReceiptRecord>(read_receipt(*st));
}

Result<std::vector<std::string>> SqlJournal::deliveries_awaiting_outcome(
    const std::string& key_prefix) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(
      "SELECT DISTINCT s.delivery_id FROM receipts AS s WHERE s.kind = 'SUBMISSION'"
      " AND NOT EXISTS (SELECT 1 FROM receipts AS f WHERE f.delivery_id = s.delivery_id"
      "                 AND f.kind <> 'SUBMISSION')"
      " AND NOT EXISTS (SELECT 1 FROM intake WHERE idempotency_key = ?1 || s.delivery_id)");
  if (!st.is_ok()) return st.status();
  st->bind(1, key_prefix);
  return st->collect([](Statement& row) { return row.text(0); });
}

Result<std::vector<InboxFollowUp>> SqlJournal::inbox_awaiting_storage(
    const std::string& destination, int limit) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(
      "SELECT w.delivery_id, w.counterpart_ref, w.department, w.business_process_id"
      " FROM work_items AS w LEFT JOIN inbox_progress AS p ON p.delivery_id = w.delivery_id"
      " WHERE w.destination = ?1 AND w.state = 'done' AND w.delivery_id IS NOT NULL"
      " AND w.counterpart_ref IS NOT NULL"
      " AND (p.status IS NULL OR p.status NOT IN ('STORED_IN_INBOX', 'READ', 'REJECTED'))"
      " ORDER BY w.id LIMIT ?2");
  if (!st.is_ok()) return st.status();
  st->bind(1, destination).bind(2, int64_t{limit});
  return st->collect([](Statement& row) {
    return InboxFollowUp{row.text(0), row.text(1), row.text(2), row.text(3)};
  });
}

Status SqlJournal::record_inbox_status(const InboxFollowUp& d, const std::string& status,
                                       int64_t at_ms, const std::string& detail) {
  return write([=, this](Connection& db) -> Status {
    Result<Statement> st = db.prepare(
        "INSERT INTO inbox_progress (delivery_id, status, at_ms, detail)"
        " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (delivery_id) DO UPDATE SET"
        " status = excluded.status, at_ms = excluded.at_ms, detail = excluded.detail");
    if (!st.is_ok()) return st.status();
    if (Status s = st->bind(1, d.delivery_id).bind(2, status).bind(3, at_ms).bind(4, detail).run();
        !s.is_ok()) {
      return s;
    }
    if (!is_final_inbox_status(status) || d.department.empty()) return Status::ok();
    boost::json::object o{{"deliveryId", d.delivery_id}, {"status", status}};
    if (!detail.empty()) o["reason"] = detail;
    DepartmentEvent event{0,
                          d.department,
                          status == "REJECTED" ? "deliveryFailed" : "documentInInbox",
                          d.business_process_id,
                          at_ms,
                          boost::json::serialize(o)};
    return insert_event(db, std::move(event));
  });
}

Result<std::optional<std::pair<std::string, std::string>>> SqlJournal::inbox_status(
    const std::string& delivery_id) {
  using Found = std::optional<std::pair<std::string, std::string>>;
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st =
      (*db)->prepare("SELECT status, detail FROM inbox_progress WHERE delivery_id = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, delivery_id);
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  if (!*row) return Found();
  return Found(std::pair{st->text(0), st->text(1)});
}

}  // namespace portier::journal::sql
