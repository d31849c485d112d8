// Intake: an adapter's or poller's accepted work, its idempotency key, its nonce and its
// evidence record in one savepoint of a group commit.
#include <algorithm>
#include <utility>

#include "core/base/digest.h"
#include "core/journal/sql/item_rows.h"
#include "core/journal/sql/sql_journal.h"

namespace portier::journal::sql {
namespace {

constexpr const char* kReplayedNonce = "WS-Security nonce was used before (replay)";

Result<std::optional<BusinessCaseRecord>> find_case_in(Connection& db, const std::string& bpid) {
  Result<Statement> st = db.prepare(
      "SELECT business_process_id, business_case_id, department, service_id, owner_id, "
      "opened_ms FROM business_cases WHERE business_process_id = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, bpid);
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  if (!*row) return std::optional<BusinessCaseRecord>();
  BusinessCaseRecord c;
  c.business_process_id = st->text(0);
  c.business_case_id = st->text(1);
  c.department = st->text(2);
  c.service_id = static_cast<int32_t>(st->int64(3));
  c.owner_id = st->text(4);
  c.opened_ms = st->int64(5);
  return std::optional<BusinessCaseRecord>(std::move(c));
}

}  // namespace

// What build() may do, on the write connection inside the intake's savepoint.
class SqlJournal::IntakeScope final : public IntakeTransaction {
 public:
  IntakeScope(SqlJournal& journal, Connection& db, const Intake& intake)
      : journal_(journal), db_(db), intake_(intake) {}

  std::optional<BusinessCaseRecord> find_case(const std::string& bpid) override {
    Result<std::optional<BusinessCaseRecord>> found = find_case_in(db_, bpid);
    if (!found.is_ok()) {
      note(found.status());
      return std::nullopt;
    }
    return *found;
  }

  void open_case(const BusinessCaseRecord& c) override {
    if (!status_.is_ok()) return;
    if (c.business_process_id.empty() || c.business_case_id.empty()) {
      note(invalid_argument("open_case: Business Process ID and business case id are required"));
      return;
    }
    Result<Statement> st = db_.prepare(
        "INSERT INTO business_cases (business_process_id, business_case_id, department, "
        "service_id, owner_id, opened_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st.is_ok()) return note(st.status());
    st->bind(1, c.business_process_id)
        .bind(2, c.business_case_id)
        .bind(3, c.department)
        .bind(4, int64_t{c.service_id})
        .bind(5, c.owner_id)
        .bind(6, c.opened_ms != 0 ? c.opened_ms : journal_.clock_.now_ms());
    if (Status s = st->run(); !s.is_ok()) {
      note(with_context(s, "open_case " + c.business_process_id));
    }
  }

  void enqueue(const std::string& destination, const model::Message& message) override {
    insert_item(destination, message, nullptr);
  }

  void enqueue_parked(const std::string& destination, const model::Message& message,
                      const std::string& reason) override {
    insert_item(destination, message, &reason);
  }

  void add_event(const DepartmentEvent& event) override {
    if (!status_.is_ok()) return;
    if (Status s = journal_.insert_event(db_, event); !s.is_ok()) {
      note(with_context(s, "add_event"));
    }
  }

  void hold_until_acknowledged(const std::string& destination, const model::Message& message,
                               const std::string& reason, const DepartmentEvent& event,
                               const std::string& subject) override {
    if (subject.empty()) return note(invalid_argument("hold_until_acknowledged: no subject"));
    const int64_t item = insert_item(destination, message, &reason);
    if (!status_.is_ok()) return;
    if (Status s = journal_.insert_event(db_, event, subject, item); !s.is_ok()) {
      note(with_context(s, "hold_until_acknowledged"));
    }
  }

  void record_receipt(const ReceiptRecord& r) override {
    if (!status_.is_ok()) return;
    if (r.receipt_id.empty() || r.delivery_id.empty() || r.kind.empty()) {
      return note(
          invalid_argument("record_receipt: receipt id, delivery id and kind are required"));
    }
    Result<Statement> st = db_.prepare(
        "INSERT INTO receipts (receipt_id, delivery_id, kind, event_ms, platform, "
        "receipt_message_id, pdf_sha256, signature_sha256, signature_valid, signature_detail, "
        "recorded_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!st.is_ok()) return note(st.status());
    st->bind(1, r.receipt_id)
        .bind(2, r.delivery_id)
        .bind(3, r.kind)
        .bind(4, r.event_ms)
        .bind(5, r.platform)
        .bind(6, r.receipt_message_id)
        .bind(7, r.pdf_sha256)
        .bind(8, r.signature_sha256)
        .bind(9, int64_t{r.signature_valid ? 1 : 0})
        .bind(10, r.signature_detail)
        .bind(11, r.recorded_ms != 0 ? r.recorded_ms : journal_.clock_.now_ms());
    if (Status s = st->run(); !s.is_ok()) note(with_context(s, "record_receipt " + r.receipt_id));
  }

  const Status& status() const { return status_; }
  int items() const { return items_; }

 private:
  void note(const Status& s) {
    if (status_.is_ok()) status_ = s;
  }

  // Adds one work item, pending or (with a reason) parked; returns its id (0 on error). Its
  // key is derived from the intake's, so a replayed intake can never produce a second item.
  int64_t insert_item(const std::string& destination, const model::Message& message,
                      const std::string* parked_reason) {
    if (!status_.is_ok()) return 0;
    if (destination.empty()) {
      note(invalid_argument("enqueue: destination is empty"));
      return 0;
    }
    std::string kind = model::kind_of(message);
    if (kind.empty()) {
      note(invalid_argument("enqueue: message for " + destination + " has no content"));
      return 0;
    }
    // Back-pressure: a parked item adds nothing to deliver, so only pending ones are bounded.
    if (parked_reason == nullptr && journal_.backlog_bounds_ != nullptr) {
      if (Status admitted = journal_.backlog_bounds_->admit(destination); !admitted.is_ok()) {
        note(admitted);
        return 0;
      }
    }
    std::string payload = model::encode(message);
    ++items_;
    const int64_t now = journal_.clock_.now_ms();
    // A parked item is no case's head: it never holds its case up.
    Result<Statement> st = db_.prepare(
        "INSERT INTO work_items (idempotency_key, department, business_process_id, destination, "
        "kind, correlation_id, payload, payload_sha256, state, attempts, next_attempt_ms, "
        "lease_until_ms, last_error, created_ms, updated_ms, ready, delivery_id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, COALESCE(?11, 'pending'), 0, ?9, NULL, ?12, ?9, "
        "?9, CASE WHEN CAST(?11 AS TEXT) IS NOT NULL THEN 0 WHEN ?3 = '' OR NOT EXISTS (SELECT 1 "
        "FROM "
        "work_items AS e WHERE e.business_process_id = ?3 AND e.state IN ('pending', "
        "'inflight')) THEN 1 ELSE 0 END, ?10) RETURNING id");
    if (!st.is_ok()) {
      note(st.status());
      return 0;
    }
    st->bind(1, intake_.idempotency_key + "/" + destination + "/" + std::to_string(items_))
        .bind(2, intake_.department)
        .bind(3, intake_.business_process_id)
        .bind(4, destination)
        .bind(5, kind);
    if (intake_.correlation_id.empty()) {
      st->bind_null(6);
    } else {
      st->bind(6, intake_.correlation_id);
    }
    st->bind_blob(7, payload).bind(8, sha256_hex(payload)).bind(9, now);
    if (message.__isset.documentDelivery) {
      st->bind(10, message.documentDelivery.deliveryId);
    } else {
      st->bind_null(10);
    }
    if (parked_reason != nullptr) {
      st->bind(11, "parked").bind(12, *parked_reason);
    } else {
      st->bind_null(11).bind_null(12);
    }
    Result<bool> row = st->next();
    if (!row.is_ok() || !*row) {
      note(with_context(row.is_ok() ? internal_error("no id returned") : row.status(),
                        "enqueue for " + destination));
      return 0;
    }
    return st->int64(0);
  }

  SqlJournal& journal_;
  Connection& db_;
  const Intake& intake_;
  Status status_;
  int items_ = 0;
};

void SqlJournal::accept(Intake intake, IntakeCallback done) {
  struct State {
    Intake intake;
    std::optional<Result<IntakeOutcome>> outcome;
  };
  auto state = std::make_shared<State>(State{std::move(intake), std::nullopt});
  GroupCommitWriter::Op op{[this, state](Connection& db) -> Status {
                             state->outcome = apply_accept(db, state->intake);
                             return state->outcome->status();
                           },
                           [state, done](const Status& final_status) {
                             if (!done) return;
                             if (final_status.is_ok()) {
                               done(std::move(*state->outcome));
                             } else {
                               done(final_status);
                             }
                           }};
  if (!writer_->try_submit(std::move(op), write_queue_max_)) {
    intakes_refused_.fetch_add(1);
    if (done) {
      done(resource_exhausted("the journal's write queue is full (" +
                              std::to_string(write_queue_max_) + " writes waiting)")
               .with_retry_after(std::chrono::seconds(1)));
    }
  }
}

SqlJournal::WriteQueue SqlJournal::write_queue() const {
  return {writer_->queued(), write_queue_max_, intakes_refused_.load()};
}

Result<IntakeOutcome> SqlJournal::apply_accept(Connection& db, Intake& intake) {
  if (intake.idempotency_key.empty()) return invalid_argument("intake: idempotency key is empty");
  if (!intake.build) return invalid_argument("intake: no build function");
  // Before the key: a replayed request is refused even if its key is known. A failure rolls
  // back the savepoint, so a refused or failed intake leaves no nonce behind.
  if (intake.nonce) {
    Result<bool> fresh = insert_nonce(db, intake.department, *intake.nonce);
    if (!fresh.is_ok()) return fresh.status();
    if (!*fresh) return Status(StatusCode::kAlreadyExists, kReplayedNonce);
  }
  {
    Result<Statement> st =
        db.prepare("SELECT department, answer FROM intake WHERE idempotency_key = ?1");
    if (!st.is_ok()) return st.status();
    st->bind(1, intake.idempotency_key);
    Result<bool> row = st->next();
    if (!row.is_ok()) return row.status();
    if (*row) {
      // Keys carry the department by convention; this makes sure one department can never
      // read another's stored answer by reusing its key.
      if (st->text(0) != intake.department) {
        return permission_denied("idempotency key " + intake.idempotency_key +
                                 " belongs to another department");
      }
      return IntakeOutcome{true, st->blob(1)};
    }
  }

  IntakeScope scope(*this, db, intake);
  Result<std::string> answer = internal_error("intake: build did not run");
  try {
    answer = intake.build(scope);
  } catch (const std::exception& e) {
    return internal_error(std::string("intake build threw: ") + e.what());
  }
  if (!answer.is_ok()) return answer.status();
  if (!scope.status().is_ok()) return scope.status();

  Result<Statement> st = db.prepare(
      "INSERT INTO intake (idempotency_key, department, business_process_id, answer, created_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st.is_ok()) return st.status();
  st->bind(1, intake.idempotency_key)
      .bind(2, intake.department)
      .bind(3, intake.business_process_id)
      .bind_blob(4, *answer)
      .bind(5, clock_.now_ms());
  if (Status s = st->run(); !s.is_ok()) return s;

  evidence::Record r;
  r.business_process_id = intake.business_process_id;
  r.hop = "accepted";
  r.operation = intake.operation;
  r.department = intake.department;
  r.request_sha256 = intake.request_sha256;
  r.detail = std::to_string(scope.items());
  if (Status s = append_evidence(db, std::move(r)); !s.is_ok()) return s;
  return IntakeOutcome{false, std::move(*answer)};
}

Result<bool> SqlJournal::knows_intake(const std::string& idempotency_key) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare("SELECT 1 FROM intake WHERE idempotency_key = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, idempotency_key);
  return st->next();
}

Result<std::vector<StoredItem>> SqlJournal::items_of_intake(const std::string& idempotency_key) {
  // Item keys are "<intake key>/<destination>/<n>"; a range scan on the unique key index
  // (byte order: the key columns collate as "C" on PostgreSQL).
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(
      std::string("SELECT ") + kItemColumns +
      " FROM work_items WHERE idempotency_key >= ?1 AND idempotency_key < ?2 ORDER BY id");
  if (!st.is_ok()) return st.status();
  st->bind(1, idempotency_key + "/").bind(2, idempotency_key + "0");  // '0' follows '/'
  std::vector<StoredItem> items;
  for (;;) {
    Result<bool> row = st->next();
    if (!row.is_ok()) return row.status();
    if (!*row) break;
    StoredItem item = to_stored(read_item(*st));
    // Only "<destination>/<n>" after the prefix: a longer key is another intake's.
    const std::string rest = item.item.idempotencyKey.substr(idempotency_key.size() + 1);
    if (std::count(rest.begin(), rest.end(), '/') == 1) items.push_back(std::move(item));
  }
  return items;
}

Result<std::optional<BusinessCaseRecord>> SqlJournal::find_case(const std::string& bpid) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  return find_case_in(**db, bpid);
}

}  // namespace portier::journal::sql
