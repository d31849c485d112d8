// The work queue: claims under leases with fencing tokens, settles, operator actions, reads.
#include <utility>

#include "core/base/log.h"
#include "core/journal/sql/item_rows.h"
#include "core/journal/sql/sql_journal.h"

namespace portier::journal::sql {
namespace {

// Claims and settles need not reach the disk before they return (GroupCommitWriter::Op).
constexpr bool kLazy = false;

// Open items that may go now; spelled out so that the partial index work_items_ready is used.
constexpr const char* kReadyAndOpen = "w.ready = 1 AND w.state IN ('pending', 'inflight')";

}  // namespace

Result<std::vector<model::WorkItem>> SqlJournal::claim(const std::string& destination, int max,
                                                       int64_t now_ms, int64_t lease_ms) {
  if (max < 1 || lease_ms < 1) return invalid_argument("claim: max and lease_ms must be positive");
  return writer_->write_and_wait<std::vector<model::WorkItem>>(
      [=, this](Connection& db) { return apply_claim(db, destination, max, now_ms, lease_ms); },
      kLazy);
}

Result<std::vector<model::WorkItem>> SqlJournal::apply_claim(Connection& db,
                                                             const std::string& destination,
                                                             int max, int64_t now_ms,
                                                             int64_t lease_ms) {
  const std::string sql = std::string("SELECT ") + kItemColumns +
                          " FROM work_items AS w WHERE w.destination = ?1"
                          " AND ((w.state = 'pending' AND w.next_attempt_ms <= ?2)"
                          "   OR (w.state = 'inflight' AND w.lease_until_ms <= ?2))"
                          " AND " +
                          kReadyAndOpen + " ORDER BY w.id LIMIT ?3" + store_->claim_lock_clause();
  std::vector<model::WorkItem> claimed;
  // Parking a damaged item may free later items of its case, hence another round.
  bool parked_any = true;
  while (parked_any && static_cast<int>(claimed.size()) < max) {
    parked_any = false;
    std::vector<ItemRow> candidates;
    {
      Result<Statement> st = db.prepare(sql);
      if (!st.is_ok()) return st.status();
      st->bind(1, destination).bind(2, now_ms).bind(3, int64_t{max} - int64_t(claimed.size()));
      Result<std::vector<ItemRow>> rows = st->collect(read_item);
      if (!rows.is_ok()) return rows.status();
      candidates = std::move(*rows);
    }
    const int64_t now = clock_.now_ms();
    for (ItemRow& row : candidates) {
      Result<model::Message> message = intact_message(row);
      if (!message.is_ok()) {
        log::warn("journal: damaged payload parked",
                  {{"workItemId", std::to_string(row.id)}, {"destination", row.destination}});
        if (Status s = set_parked(db, row, message.status().message()); !s.is_ok()) return s;
        parked_any = true;
        continue;
      }
      Change c(ItemState::kInFlight);
      c.lease_until_ms = now_ms + lease_ms;
      c.lease_owner = options_.instance;
      c.count_attempt = true;
      if (Status s = apply_change(db, row.id, c, now); !s.is_ok()) return s;
      row.attempts += 1;
      row.lease_token += 1;
      model::WorkItem item = to_work_item(row);
      item.__set_message(std::move(*message));
      claimed.push_back(std::move(item));
    }
  }
  return claimed;
}

Status SqlJournal::settle(int64_t item_id, int64_t lease_token, const AttemptRecord& attempt) {
  return write(
      [=, this](Connection& db) { return apply_settle(db, item_id, lease_token, attempt); }, kLazy);
}

Result<std::vector<model::WorkItem>> SqlJournal::settle_and_claim(int64_t item_id,
                                                                  int64_t lease_token,
                                                                  const AttemptRecord& attempt,
                                                                  int max, int64_t now_ms,
                                                                  int64_t lease_ms) {
  if (max < 0 || lease_ms < 1) return invalid_argument("settle_and_claim: bad max or lease_ms");
  return writer_->write_and_wait<std::vector<model::WorkItem>>(
      [=, this](Connection& db) -> Result<std::vector<model::WorkItem>> {
        if (Status s = apply_settle(db, item_id, lease_token, attempt); !s.is_ok()) return s;
        if (max == 0) return std::vector<model::WorkItem>();
        Result<ItemRow> settled = load_item(db, item_id);
        if (!settled.is_ok()) return settled.status();
        return apply_claim(db, settled->destination, max, now_ms, lease_ms);
      },
      kLazy);
}

Status SqlJournal::apply_settle(Connection& db, int64_t item_id, int64_t lease_token,
                                const AttemptRecord& attempt) {
  Result<ItemRow> row = load_item(db, item_id);
  if (!row.is_ok()) return row.status();
  if (row->state != ItemState::kInFlight) {
    return failed_precondition("work item " + std::to_string(item_id) + " is " +
                               to_string(row->state) + ", only an inflight item can be settled");
  }
  if (row->lease_token != lease_token) {
    // Fencing: this attempt's lease ran out and the item was claimed again since.
    return failed_precondition("work item " + std::to_string(item_id) + ": lease " +
                               std::to_string(lease_token) + " was taken over (now lease " +
                               std::to_string(row->lease_token) + "), the attempt is not recorded");
  }
  Change c(ItemState::kDone);
  std::string hop = "delivered";
  switch (attempt.verdict) {
    case AttemptRecord::Verdict::kDelivered:
      break;
    case AttemptRecord::Verdict::kRetry:
      c.state = ItemState::kPending;
      c.next_attempt_ms = attempt.next_attempt_ms;
      c.last_error = attempt.error;
      hop = "retry";
      break;
    case AttemptRecord::Verdict::kPark:
      c.state = ItemState::kParked;
      c.last_error = attempt.error;
      hop = "parked";
      break;
  }
  if (Status s = apply_change(db, item_id, c, clock_.now_ms()); !s.is_ok()) return s;
  if (c.state == ItemState::kDone && !attempt.counterpart_ref.empty()) {
    Result<Statement> ref = db.prepare("UPDATE work_items SET counterpart_ref = ?1 WHERE id = ?2");
    if (!ref.is_ok()) return ref.status();
    if (Status s = ref->bind(1, attempt.counterpart_ref).bind(2, item_id).run(); !s.is_ok()) {
      return s;
    }
  }
  if (c.state == ItemState::kParked) {
    if (Status s = add_delivery_failed(db, *row, attempt.error); !s.is_ok()) return s;
  }
  evidence::Record r = item_evidence(*row, hop, join(attempt.detail, attempt.error));
  r.request_sha256 = attempt.request_sha256;
  r.response_sha256 = attempt.response_sha256;
  return append_evidence(db, std::move(r));
}

Status SqlJournal::replay(int64_t item_id, const std::string& by) {
  return write([=, this](Connection& db) { return apply_replay(db, item_id, by); });
}

Status SqlJournal::apply_replay(Connection& db, int64_t item_id, const std::string& by) {
  Result<ItemRow> row = load_item(db, item_id);
  if (!row.is_ok()) return row.status();
  if (row->state != ItemState::kParked && row->state != ItemState::kPending) {
    return failed_precondition("work item " + std::to_string(item_id) + " is " +
                               to_string(row->state) +
                               ", only a parked or pending item can be replayed");
  }
  const int64_t now = clock_.now_ms();
  Change c(ItemState::kPending);
  c.next_attempt_ms = now;
  c.reset_attempts = true;
  if (Status s = apply_change(db, item_id, c, now); !s.is_ok()) return s;
  // The case's evidence says who sent the item out again, not only the audit log.
  std::string detail = "was " + std::string(to_string(row->state));
  if (!by.empty()) detail += "; replayed by " + by;
  return append_evidence(db, item_evidence(*row, "replayed", detail));
}

Status SqlJournal::park(int64_t item_id, const std::string& reason) {
  return write([=, this](Connection& db) { return apply_park(db, item_id, reason); });
}

Status SqlJournal::apply_park(Connection& db, int64_t item_id, const std::string& reason) {
  Result<ItemRow> row = load_item(db, item_id);
  if (!row.is_ok()) return row.status();
  if (row->state != ItemState::kPending && row->state != ItemState::kInFlight) {
    return failed_precondition("work item " + std::to_string(item_id) + " is " +
                               to_string(row->state) +
                               ", only a pending or inflight item can be parked");
  }
  return set_parked(db, *row, reason.empty() ? "parked by an operator" : reason);
}

Status SqlJournal::set_parked(Connection& db, const ItemRow& row, const std::string& reason) {
  Change c(ItemState::kParked);
  c.last_error = reason;
  if (Status s = apply_change(db, row.id, c, clock_.now_ms()); !s.is_ok()) return s;
  if (Status s = add_delivery_failed(db, row, reason); !s.is_ok()) return s;
  return append_evidence(db, item_evidence(row, "parked", reason));
}

Result<std::vector<StoredItem>> SqlJournal::list(const ItemFilter& filter) {
  // NULL parameters match everything, so one statement serves every filter.
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st =
      (*db)->prepare(std::string("SELECT ") + kItemColumns +
                     " FROM work_items WHERE (state = ?1 OR CAST(?1 AS TEXT) IS NULL)"
                     " AND (business_process_id = ?2 OR CAST(?2 AS TEXT) IS NULL) AND (destination "
                     "= ?3 OR CAST(?3 AS TEXT) IS NULL)"
                     " ORDER BY id DESC LIMIT ?4");
  if (!st.is_ok()) return st.status();
  st->bind_optional(
      1, filter.state ? std::optional<std::string>(to_string(*filter.state)) : std::nullopt);
  st->bind_optional(2, filter.business_process_id);
  st->bind_optional(3, filter.destination);
  st->bind(4, page_size(filter.limit));
  return st->collect([](Statement& row) { return to_stored(read_item(row)); });
}

Result<StoredItem> SqlJournal::get(int64_t item_id) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<ItemRow> row = load_item(**db, item_id);
  if (!row.is_ok()) return row.status();
  return to_stored(*row);
}

Result<Backlog> SqlJournal::backlog(const std::string& destination) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(
      // Each part on the (destination, state, ...) index, so done history costs nothing.
      "SELECT (SELECT COUNT(*) FROM work_items WHERE destination = ?1"
      "         AND state IN ('pending', 'inflight')),"
      " (SELECT COALESCE(MIN(created_ms), 0) FROM work_items WHERE destination = ?1"
      "         AND state IN ('pending', 'inflight')),"
      " (SELECT COALESCE(MIN(id), 0) FROM work_items WHERE destination = ?1"
      "         AND state IN ('pending', 'inflight')),"
      " (SELECT COUNT(*) FROM work_items WHERE destination = ?1 AND state = 'parked')");
  if (!st.is_ok()) return st.status();
  st->bind(1, destination);
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  return Backlog{st->int64(0), st->int64(1), st->int64(2), st->int64(3)};
}

Result<std::vector<DepthRow>> SqlJournal::depth() {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(
      "SELECT destination, state, COUNT(*) FROM work_items GROUP BY destination, state "
      "ORDER BY destination");
  if (!st.is_ok()) return st.status();
  // Every destination reports all four states, zeros included, so gauges drop back to 0.
  std::vector<DepthRow> rows;
  for (;;) {
    Result<bool> row = st->next();
    if (!row.is_ok()) return row.status();
    if (!*row) break;
    std::string destination = st->text(0);
    if (rows.empty() || rows.back().destination != destination) {
      for (ItemState s :
           {ItemState::kPending, ItemState::kInFlight, ItemState::kDone, ItemState::kParked}) {
        rows.push_back({destination, s, 0});
      }
    }
    std::optional<ItemState> state = parse_item_state(st->text(1));
    if (!state) continue;
    rows[rows.size() - 4 + static_cast<size_t>(*state)].count = st->int64(2);
  }
  return rows;
}

Result<std::optional<int64_t>> SqlJournal::next_due_ms(const std::string& destination) {
  // Pending items held up by their case do not count: they wait for the earlier item, and
  // reporting them as due would make dispatch poll in a loop.
  static const std::string sql = std::string("SELECT MIN(t) FROM (") +
                                 " SELECT MIN(w.next_attempt_ms) AS t FROM work_items AS w"
                                 "  WHERE w.destination = ?1 AND w.state = 'pending' AND " +
                                 kReadyAndOpen +
                                 " UNION ALL"
                                 " SELECT MIN(lease_until_ms) AS t FROM work_items"
                                 "  WHERE destination = ?1 AND state = 'inflight') AS due";
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(sql);
  if (!st.is_ok()) return st.status();
  st->bind(1, destination);
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  if (!*row || st->is_null(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(st->int64(0));
}

}  // namespace portier::journal::sql
