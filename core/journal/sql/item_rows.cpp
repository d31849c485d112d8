#include "core/journal/sql/item_rows.h"

#include <algorithm>
#include <utility>

#include "core/base/digest.h"

namespace portier::journal::sql {
namespace {

constexpr const char* kPayloadDamaged = "payload damaged: SHA-256 mismatch";
// Upper bound of a page of audit entries or events.
constexpr int kMaxPage = 10'000;

// 1 for a work item that no earlier open item of its case holds up; kept in the `ready` column.
// An empty Business Process ID means "no case", so such items are not ordered among themselves.
constexpr const char* kIsHeadOfCase =
    "CASE WHEN business_process_id = '' OR NOT EXISTS ("
    " SELECT 1 FROM work_items AS e"
    " WHERE e.business_process_id = work_items.business_process_id"
    " AND e.id < work_items.id AND e.state IN ('pending', 'inflight')) THEN 1 ELSE 0 END";

// Gives the next open item of `id`'s case the turn, after `id` has left the queue.
Status promote_next_of_case(Connection& db, int64_t id) {
  Result<Statement> st = db.prepare(
      "UPDATE work_items SET ready = 1 WHERE id = ("
      " SELECT MIN(n.id) FROM work_items AS n, work_items AS left_item"
      " WHERE left_item.id = ?1 AND left_item.business_process_id <> ''"
      " AND n.business_process_id = left_item.business_process_id"
      " AND n.state IN ('pending', 'inflight'))");
  if (!st.is_ok()) return st.status();
  return st->bind(1, id).run();
}

}  // namespace

const char* const kItemColumns =
    "id, idempotency_key, department, business_process_id, destination, kind, correlation_id, "
    "payload, payload_sha256, state, attempts, next_attempt_ms, last_error, created_ms, "
    "updated_ms, lease_token, purged_ms";

ItemRow read_item(const Statement& st) {
  ItemRow r;
  r.id = st.int64(0);
  r.idempotency_key = st.text(1);
  r.department = st.text(2);
  r.business_process_id = st.text(3);
  r.destination = st.text(4);
  r.kind = st.text(5);
  if (!st.is_null(6)) r.correlation_id = st.text(6);
  r.payload = st.blob(7);
  r.payload_sha256 = st.text(8);
  r.state = parse_item_state(st.text(9)).value_or(ItemState::kPending);
  r.attempts = static_cast<int32_t>(st.int64(10));
  r.next_attempt_ms = st.int64(11);
  r.last_error = st.text(12);
  r.created_ms = st.int64(13);
  r.updated_ms = st.int64(14);
  r.lease_token = st.int64(15);
  r.purged_ms = st.is_null(16) ? 0 : st.int64(16);
  return r;
}

model::WorkItem to_work_item(const ItemRow& r) {
  model::WorkItem item;
  item.__set_id(r.id);
  item.__set_idempotencyKey(r.idempotency_key);
  item.__set_department(r.department);
  item.__set_businessProcessId(r.business_process_id);
  item.__set_destination(r.destination);
  item.__set_attempts(r.attempts);
  item.__set_leaseToken(r.lease_token);
  if (r.correlation_id) item.__set_correlationId(*r.correlation_id);
  return item;
}

Result<model::Message> intact_message(const ItemRow& r) {
  if (r.purged_ms == 0 && sha256_hex(r.payload) != r.payload_sha256) {
    return data_loss(kPayloadDamaged);
  }
  Result<model::Message> message = model::decode(r.payload);
  if (!message.is_ok()) return data_loss("payload damaged: " + message.status().message());
  return message;
}

StoredItem to_stored(const ItemRow& r) {
  StoredItem s;
  s.item = to_work_item(r);
  s.state = r.state;
  s.kind = r.kind;
  s.next_attempt_ms = r.next_attempt_ms;
  s.created_ms = r.created_ms;
  s.updated_ms = r.updated_ms;
  s.last_error = r.last_error;
  s.payload_sha256 = r.payload_sha256;
  s.purged_ms = r.purged_ms;
  Result<model::Message> message = intact_message(r);
  if (message.is_ok()) {
    s.item.__set_message(std::move(*message));
  } else {
    s.last_error = message.status().message();
  }
  return s;
}

Result<ItemRow> load_item(Connection& db, int64_t item_id) {
  Result<Statement> st =
      db.prepare(std::string("SELECT ") + kItemColumns + " FROM work_items WHERE id = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, item_id);
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  if (!*row) return not_found("work item " + std::to_string(item_id) + " not found");
  return read_item(*st);
}

Status apply_change(Connection& db, int64_t id, const Change& c, int64_t now_ms) {
  static const std::string sql =
      std::string(
          "UPDATE work_items SET state = ?2, next_attempt_ms = COALESCE(?3, next_attempt_ms), "
          "lease_until_ms = ?4, last_error = COALESCE(?5, last_error), "
          "attempts = CASE WHEN ?6 = 1 THEN 0 WHEN ?7 = 1 THEN attempts + 1 ELSE attempts END, "
          "lease_owner = ?9, "
          "lease_token = CASE WHEN CAST(?9 AS TEXT) IS NULL THEN lease_token ELSE lease_token + 1 "
          "END, "
          "updated_ms = ?8, ready = ") +
      kIsHeadOfCase + " WHERE id = ?1";
  Result<Statement> st = db.prepare(sql);
  if (!st.is_ok()) return st.status();
  st->bind(1, id).bind(2, to_string(c.state));
  if (c.next_attempt_ms) {
    st->bind(3, *c.next_attempt_ms);
  } else {
    st->bind_null(3);
  }
  if (c.lease_until_ms) {
    st->bind(4, *c.lease_until_ms);
  } else {
    st->bind_null(4);
  }
  if (c.last_error) {
    st->bind(5, *c.last_error);
  } else {
    st->bind_null(5);
  }
  st->bind(6, int64_t{c.reset_attempts}).bind(7, int64_t{c.count_attempt}).bind(8, now_ms);
  if (c.lease_owner) {
    st->bind(9, *c.lease_owner);
  } else {
    st->bind_null(9);
  }
  if (Status s = st->run(); !s.is_ok()) return s;
  if (c.state == ItemState::kDone || c.state == ItemState::kParked) {
    return promote_next_of_case(db, id);
  }
  return Status::ok();
}

evidence::Record item_evidence(const ItemRow& row, std::string hop, std::string detail) {
  evidence::Record r;
  r.business_process_id = row.business_process_id;
  r.hop = std::move(hop);
  r.operation = row.kind;
  r.department = row.department;
  r.destination = row.destination;
  r.work_item_id = row.id;
  r.detail = std::move(detail);
  return r;
}

int64_t page_size(int limit) { return limit < 1 ? 100 : std::min(limit, kMaxPage); }

std::string join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "; " + b;
}

Status with_context(const Status& s, const std::string& context) {
  return Status(s.code(), context + ": " + s.message());
}

}  // namespace portier::journal::sql
