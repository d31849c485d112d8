// Retention: the content of finished work, listed for the purge and deleted with a "purged"
// evidence record in the same savepoint. Rows stay (ids, states, digests); content goes.
#include <algorithm>
#include <charconv>
#include <utility>

#include "core/base/digest.h"
#include "core/journal/sql/item_rows.h"
#include "core/journal/sql/sql_journal.h"
#include "core/model/stored_files.h"

namespace portier::journal::sql {
namespace {

constexpr const char* kFinalInboxStatuses = "('STORED_IN_INBOX', 'READ', 'REJECTED')";

// A work item is finished once delivered; a document delivery also once followed to its end.
const std::string& finished_items_sql() {
  static const std::string sql =
      std::string(
          "SELECT w.id, w.department, w.business_process_id, w.payload, w.payload_sha256, "
          "w.updated_ms, p.at_ms, (SELECT MAX(r.recorded_ms) FROM receipts AS r "
          " WHERE r.delivery_id = w.delivery_id AND r.kind <> 'SUBMISSION'), w.delivery_id"
          " FROM work_items AS w LEFT JOIN inbox_progress AS p ON p.delivery_id = w.delivery_id"
          " WHERE w.state = 'done' AND w.purged_ms IS NULL AND w.updated_ms <= ?1 AND w.id > ?2"
          " AND (w.delivery_id IS NULL"
          "  OR (w.destination = 'securemail' AND EXISTS (SELECT 1 FROM receipts AS f"
          "      WHERE f.delivery_id = w.delivery_id AND f.kind <> 'SUBMISSION'))"
          "  OR (w.destination <> 'securemail' AND (w.counterpart_ref IS NULL"
          "      OR p.status IN ") +
      kFinalInboxStatuses + ")))  ORDER BY w.id LIMIT ?3";
  return sql;
}

// A registered delivery's receipts are finished once its final receipt is recorded.
constexpr const char* kFinishedReceipts =
    "SELECT r.receipt_id, r.delivery_id, r.pdf_sha256, r.signature_sha256,"
    " (SELECT MAX(f.recorded_ms) FROM receipts AS f"
    "  WHERE f.delivery_id = r.delivery_id AND f.kind <> 'SUBMISSION'),"
    " (SELECT w.department FROM work_items AS w WHERE w.delivery_id = r.delivery_id"
    "  ORDER BY w.id LIMIT 1),"
    " (SELECT w.business_process_id FROM work_items AS w WHERE w.delivery_id = r.delivery_id"
    "  ORDER BY w.id LIMIT 1)"
    " FROM receipts AS r WHERE r.purged_ms IS NULL AND r.receipt_id > ?2"
    " AND EXISTS (SELECT 1 FROM receipts AS f WHERE f.delivery_id = r.delivery_id"
    "  AND f.kind <> 'SUBMISSION' AND f.recorded_ms <= ?1)"
    " ORDER BY r.receipt_id LIMIT ?3";

// A link is finished once rejected or revoked; pending and active links are in use.
constexpr const char* kFinishedLinks =
    "SELECT link_id, department, account_id, profile_id, person_ref_category, person_ref_id,"
    " matched_on, updated_ms FROM identity_links"
    " WHERE state IN ('rejected', 'revoked') AND purged_ms IS NULL AND updated_ms <= ?1"
    " AND link_id > ?2 ORDER BY link_id LIMIT ?3";

// An event is finished once acknowledged; one without detail has nothing to delete.
constexpr const char* kFinishedEvents =
    "SELECT seq, department, business_process_id, detail, acked_ms FROM department_events"
    " WHERE acked_ms IS NOT NULL AND purged_ms IS NULL AND detail <> '{}' AND acked_ms <= ?1"
    " AND seq > ?2 ORDER BY seq LIMIT ?3";

// Work items and events are ordered by number; "" is before the first.
int64_t numeric_after(const std::string& after) {
  int64_t value = 0;
  std::from_chars(after.data(), after.data() + after.size(), value);
  return value;
}

int64_t latest(const Statement& st, int64_t base, std::initializer_list<int> columns) {
  for (int c : columns) {
    if (!st.is_null(c)) base = std::max(base, st.int64(c));
  }
  return base;
}

// The digest of a link's person data: its fields, each length-prefixed (as the chain does).
std::string person_data_sha256(const Statement& st) {
  std::string text;
  for (int c = 2; c <= 6; ++c) {
    const std::string field = st.text(c);
    text += std::to_string(field.size()) + ":" + field;
  }
  return sha256_hex(text);
}

FinishedContent read_item_content(const Statement& st) {
  FinishedContent c;
  c.source = ContentSource::kWorkItem;
  c.work_item_id = st.int64(0);
  c.id = std::to_string(c.work_item_id);
  c.department = st.text(1);
  c.business_process_id = st.text(2);
  if (c.business_process_id.empty()) c.business_process_id = "work-item:" + c.id;
  c.content_sha256 = st.text(4);
  c.finished_ms = latest(st, st.int64(5), {6, 7});
  if (!st.is_null(8)) c.delivery_id = st.text(8);
  const std::string payload = st.blob(3);
  // A damaged payload is listed without its message: there is nothing left to redact.
  if (sha256_hex(payload) == c.content_sha256) {
    if (Result<model::Message> m = model::decode(payload); m.is_ok()) {
      c.files = model::stored_files(*m);
      c.message = std::move(*m);
    }
  }
  return c;
}

FinishedContent read_receipt_content(const Statement& st) {
  FinishedContent c;
  c.source = ContentSource::kReceipt;
  c.id = st.text(0);
  c.delivery_id = st.text(1);
  c.content_sha256 = c.id;
  c.finished_ms = st.is_null(4) ? 0 : st.int64(4);
  c.department = st.is_null(5) ? "" : st.text(5);
  c.business_process_id = st.is_null(6) ? "" : st.text(6);
  if (c.business_process_id.empty()) c.business_process_id = "delivery:" + c.delivery_id;
  for (const std::string& file : {c.id, st.text(2), st.text(3)}) {
    if (!file.empty()) c.files.push_back(file);
  }
  return c;
}

FinishedContent read_link_content(const Statement& st) {
  FinishedContent c;
  c.source = ContentSource::kIdentityLink;
  c.id = st.text(0);
  c.department = st.text(1);
  c.business_process_id = "identity:" + c.id;
  c.content_sha256 = person_data_sha256(st);
  c.finished_ms = st.int64(7);
  return c;
}

FinishedContent read_event_content(const Statement& st) {
  FinishedContent c;
  c.source = ContentSource::kEvent;
  c.id = std::to_string(st.int64(0));
  c.department = st.text(1);
  c.business_process_id = st.text(2);
  if (c.business_process_id.empty()) c.business_process_id = "events:" + c.department;
  c.content_sha256 = sha256_hex(st.text(3));
  c.finished_ms = st.int64(4);
  return c;
}

const char* operation_of(const PurgeOrder& order) {
  switch (order.content.source) {
    case ContentSource::kWorkItem:
      return "purgeWorkItem";
    case ContentSource::kReceipt:
      return "purgeReceipt";
    case ContentSource::kIdentityLink:
      return "purgeIdentityLink";
    case ContentSource::kEvent:
      return "purgeEvent";
  }
  return "purge";
}

}  // namespace

Result<std::vector<FinishedContent>> SqlJournal::finished_content(ContentSource source,
                                                                  int64_t finished_before_ms,
                                                                  const std::string& after,
                                                                  int limit) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  const char* sql = nullptr;
  FinishedContent (*read)(const Statement&) = nullptr;
  switch (source) {
    case ContentSource::kWorkItem:
      sql = finished_items_sql().c_str();
      read = read_item_content;
      break;
    case ContentSource::kReceipt:
      sql = kFinishedReceipts;
      read = read_receipt_content;
      break;
    case ContentSource::kIdentityLink:
      sql = kFinishedLinks;
      read = read_link_content;
      break;
    case ContentSource::kEvent:
      sql = kFinishedEvents;
      read = read_event_content;
      break;
  }
  Result<Statement> st = (*db)->prepare(sql);
  if (!st.is_ok()) return st.status();
  st->bind(1, finished_before_ms);
  if (source == ContentSource::kWorkItem || source == ContentSource::kEvent) {
    st->bind(2, numeric_after(after));
  } else {
    st->bind(2, after);
  }
  st->bind(3, page_size(limit));
  return st->collect([read](Statement& row) { return read(row); });
}

Result<std::vector<bool>> SqlJournal::purge_content(const std::vector<PurgeOrder>& orders) {
  for (const PurgeOrder& order : orders) {
    if (order.content.source == ContentSource::kWorkItem && !order.kept) {
      return invalid_argument("purge: work item " + order.content.id + " without what to keep");
    }
  }
  return writer_->write_and_wait<std::vector<bool>>(
      [this, &orders](Connection& db) -> Result<std::vector<bool>> {
        std::vector<bool> purged;
        for (const PurgeOrder& order : orders) {
          Result<bool> done = apply_purge(db, order);
          if (!done.is_ok()) return done.status();
          purged.push_back(*done);
        }
        return purged;
      });
}

Result<bool> SqlJournal::apply_purge(Connection& db, const PurgeOrder& order) {
  const FinishedContent& c = order.content;
  const int64_t now = clock_.now_ms();
  // Each statement: ?1 the content's id, ?2 now; a work item's ?3 is what it keeps.
  const char* sql = nullptr;
  switch (c.source) {
    case ContentSource::kWorkItem:
      sql =
          "UPDATE work_items SET payload = ?3, purged_ms = ?2"
          " WHERE id = ?1 AND state = 'done' AND purged_ms IS NULL";
      break;
    case ContentSource::kReceipt:
      sql = "UPDATE receipts SET purged_ms = ?2 WHERE receipt_id = ?1 AND purged_ms IS NULL";
      break;
    case ContentSource::kIdentityLink:
      sql =
          "UPDATE identity_links SET account_id = '', profile_id = '', person_ref_category = '',"
          " person_ref_id = '', matched_on = '', purged_ms = ?2 WHERE link_id = ?1"
          " AND state IN ('rejected', 'revoked') AND purged_ms IS NULL";
      break;
    case ContentSource::kEvent:
      sql =
          "UPDATE department_events SET detail = '{}', purged_ms = ?2 WHERE seq = ?1"
          " AND acked_ms IS NOT NULL AND purged_ms IS NULL";
      break;
  }
  Result<Statement> st = db.prepare(sql);
  if (!st.is_ok()) return st.status();
  if (c.source == ContentSource::kWorkItem || c.source == ContentSource::kEvent) {
    st->bind(1, numeric_after(c.id));
  } else {
    st->bind(1, c.id);
  }
  st->bind(2, now);
  if (c.source == ContentSource::kWorkItem) st->bind_blob(3, model::encode(*order.kept));
  if (Status s = st->run(); !s.is_ok()) return s;
  if (st->changes() == 0) return false;
  evidence::Record r;
  r.business_process_id = c.business_process_id;
  r.hop = "purged";
  r.operation = operation_of(order);
  r.department = c.department;
  r.work_item_id = c.work_item_id;
  r.request_sha256 = c.content_sha256;
  r.detail = order.evidence_detail;
  if (Status s = append_evidence(db, std::move(r)); !s.is_ok()) return s;
  return true;
}

Result<std::set<std::string>> SqlJournal::files_in_use() {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  std::set<std::string> files;
  {
    Result<Statement> st = (*db)->prepare(
        "SELECT payload FROM work_items WHERE purged_ms IS NULL"
        " AND kind IN ('documentDelivery', 'formSubmission')");
    if (!st.is_ok()) return st.status();
    for (;;) {
      Result<bool> row = st->next();
      if (!row.is_ok()) return row.status();
      if (!*row) break;
      if (Result<model::Message> m = model::decode(st->blob(0)); m.is_ok()) {
        for (std::string& f : model::stored_files(*m)) files.insert(std::move(f));
      }
    }
  }
  Result<Statement> st = (*db)->prepare(
      "SELECT receipt_id, pdf_sha256, signature_sha256 FROM receipts WHERE purged_ms IS NULL");
  if (!st.is_ok()) return st.status();
  for (;;) {
    Result<bool> row = st->next();
    if (!row.is_ok()) return row.status();
    if (!*row) break;
    for (int c = 0; c < 3; ++c) files.insert(st->text(c));
  }
  files.erase("");
  return files;
}

}  // namespace portier::journal::sql
