#include "core/journal/sqlite_journal.h"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <exception>
#include <future>
#include <utility>
#include <variant>

#include "core/base/digest.h"
#include "core/base/log.h"
#include "core/evidence/chain.h"
#include "core/journal/sqlite_schema.h"

namespace portier::journal {

namespace sqlite {

// One work_items row as stored.
struct ItemRow {
  int64_t id = 0;
  std::string idempotency_key;
  std::string department;
  std::string business_process_id;
  std::string destination;
  std::string kind;
  std::optional<std::string> correlation_id;
  std::string payload;
  std::string payload_sha256;
  ItemState state = ItemState::kPending;
  int32_t attempts = 0;
  int64_t next_attempt_ms = 0;
  std::string last_error;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

}  // namespace sqlite

namespace {

using sqlite::Connection;
using sqlite::ItemRow;
using sqlite::Statement;

constexpr const char* kPayloadDamaged = "payload damaged: SHA-256 mismatch";
// WAL size (in pages) after which the writer checkpoints. SQLite's own automatic checkpoint
// would swallow an fsync error of the database file; doing it ourselves makes it sticky too.
constexpr int64_t kCheckpointFrames = 1000;
// Expired nonces are deleted after this many new ones, or this long after the last purge.
constexpr int64_t kNoncePurgeEvery = 1000;
constexpr int64_t kNoncePurgeIntervalMs = 60'000;
// Upper bound of a page of audit entries or events, and of the seqs acknowledged at once.
constexpr int kMaxPage = 10'000;

constexpr const char* kItemColumns =
    "id, idempotency_key, department, business_process_id, destination, kind, correlation_id, "
    "payload, payload_sha256, state, attempts, next_attempt_ms, last_error, created_ms, "
    "updated_ms";

// True for a work item that no earlier open item of its case holds up; kept in the `ready`
// column (schema version 2). An empty Business Process ID means "no case", so such items are
// not ordered among themselves.
constexpr const char* kIsHeadOfCase =
    "(business_process_id = '' OR NOT EXISTS ("
    " SELECT 1 FROM work_items AS e"
    " WHERE e.business_process_id = work_items.business_process_id"
    " AND e.id < work_items.id AND e.state IN ('pending', 'inflight')))";

// Open items that may go now; the condition is spelled out so that SQLite uses the partial
// index work_items_ready.
constexpr const char* kReadyAndOpen = "w.ready = 1 AND w.state IN ('pending', 'inflight')";

constexpr const char* kReplayedNonce = "WS-Security nonce was used before (replay)";

constexpr const char* kEvidenceColumns =
    "seq, business_process_id, at_ms, hop, operation, department, destination, work_item_id, "
    "request_sha256, response_sha256, detail, prev_hash, hash";

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
  if (r.correlation_id) item.__set_correlationId(*r.correlation_id);
  return item;
}

// The stored message, if its bytes are still the ones that were hashed at intake.
Result<model::Message> intact_message(const ItemRow& r) {
  if (sha256_hex(r.payload) != r.payload_sha256) return data_loss(kPayloadDamaged);
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
  Result<model::Message> message = intact_message(r);
  if (message.is_ok()) {
    s.item.__set_message(std::move(*message));
  } else {
    s.last_error = message.status().message();
  }
  return s;
}

int64_t page_size(int limit) { return limit < 1 ? 100 : std::min(limit, kMaxPage); }

evidence::Record read_evidence(const Statement& st) {
  evidence::Record r;
  r.seq = st.int64(0);
  r.business_process_id = st.text(1);
  r.at_ms = st.int64(2);
  r.hop = st.text(3);
  r.operation = st.text(4);
  r.department = st.text(5);
  r.destination = st.text(6);
  r.work_item_id = st.int64(7);
  r.request_sha256 = st.text(8);
  r.response_sha256 = st.text(9);
  r.detail = st.text(10);
  r.prev_hash = st.text(11);
  r.hash = st.text(12);
  return r;
}

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

std::string join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "; " + b;
}

Status with_context(const Status& s, const std::string& context) {
  return Status(s.code(), context + ": " + s.message());
}

// Connection settings that SQLite keeps per connection, so every connection sets them.
Status configure(Connection& db, const SqliteJournalOptions& options, bool writer) {
  sqlite3_busy_timeout(db.handle(), options.busy_timeout_ms);
  if (writer) {
    Result<std::string> mode = db.query_text("PRAGMA journal_mode=WAL");
    if (!mode.is_ok()) return mode.status();
    if (*mode != "wal") {
      return failed_precondition("journal needs WAL mode, but SQLite answered journal_mode=\"" +
                                 *mode + "\"");
    }
  }
  for (const char* pragma : {"PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    if (Status s = db.exec(pragma); !s.is_ok()) return s;
  }
  return Status::ok();
}

Status quick_check(Connection& db) {
  Result<Statement> st = db.prepare("PRAGMA quick_check(5)");
  if (!st.is_ok()) return st.status();
  std::string problems;
  for (;;) {
    Result<bool> row = st->next();
    if (!row.is_ok()) return row.status();
    if (!*row) break;
    std::string line = st->text(0);
    if (line != "ok") problems = join(problems, line);
  }
  if (!problems.empty()) return data_loss("journal file is damaged (quick_check): " + problems);
  return Status::ok();
}

template <class Fn>
Status guarded(const char* what, Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return internal_error(std::string(what) + " threw: " + e.what());
  } catch (...) {
    return internal_error(std::string(what) + " threw");
  }
}

// A change of a work item's state; unset fields keep their value.
struct Change {
  explicit Change(ItemState s) : state(s) {}
  ItemState state;
  std::optional<int64_t> next_attempt_ms;
  std::optional<int64_t> lease_until_ms;
  std::optional<std::string> last_error;
  bool count_attempt = false;
  bool reset_attempts = false;
};

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

Status apply_change(Connection& db, int64_t id, const Change& c, int64_t now_ms) {
  Result<Statement> st = db.prepare(
      std::string(
          "UPDATE work_items SET state = ?2, next_attempt_ms = COALESCE(?3, next_attempt_ms), "
          "lease_until_ms = ?4, last_error = COALESCE(?5, last_error), "
          "attempts = CASE WHEN ?6 THEN 0 WHEN ?7 THEN attempts + 1 ELSE attempts END, "
          "updated_ms = ?8, ready = ") +
      kIsHeadOfCase + " WHERE id = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, id).bind(2, to_string(c.state));
  if (c.next_attempt_ms)
    st->bind(3, *c.next_attempt_ms);
  else
    st->bind_null(3);
  if (c.lease_until_ms)
    st->bind(4, *c.lease_until_ms);
  else
    st->bind_null(4);
  if (c.last_error)
    st->bind(5, *c.last_error);
  else
    st->bind_null(5);
  st->bind(6, int64_t{c.reset_attempts}).bind(7, int64_t{c.count_attempt}).bind(8, now_ms);
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

}  // namespace

// ---------------------------------------------------------------------------------------------
// Intake: what build() may do, on the write connection inside the intake's savepoint.

class SqliteJournal::IntakeScope final : public IntakeTransaction {
 public:
  IntakeScope(SqliteJournal& journal, const Intake& intake) : journal_(journal), intake_(intake) {}

  std::optional<BusinessCaseRecord> find_case(const std::string& bpid) override {
    Result<std::optional<BusinessCaseRecord>> found = find_case_in(*journal_.writer_, bpid);
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
    Result<Statement> st = journal_.writer_->prepare(
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
    if (!status_.is_ok()) return;
    if (destination.empty()) return note(invalid_argument("enqueue: destination is empty"));
    std::string kind = model::kind_of(message);
    if (kind.empty()) {
      return note(invalid_argument("enqueue: message for " + destination + " has no content"));
    }
    std::string payload = model::encode(message);
    ++items_;
    const int64_t now = journal_.clock_.now_ms();
    Result<Statement> st = journal_.writer_->prepare(
        "INSERT INTO work_items (idempotency_key, department, business_process_id, destination, "
        "kind, correlation_id, payload, payload_sha256, state, attempts, next_attempt_ms, "
        "lease_until_ms, last_error, created_ms, updated_ms, ready, delivery_id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', 0, ?9, NULL, NULL, ?9, ?9, "
        " ?3 = '' OR NOT EXISTS (SELECT 1 FROM work_items AS e WHERE e.business_process_id = ?3"
        " AND e.state IN ('pending', 'inflight')), ?10)");
    if (!st.is_ok()) return note(st.status());
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
    if (Status s = st->run(); !s.is_ok()) note(with_context(s, "enqueue for " + destination));
  }

  void enqueue_parked(const std::string& destination, const model::Message& message,
                      const std::string& reason) override {
    enqueue(destination, message);
    if (!status_.is_ok()) return;
    Result<Statement> st = journal_.writer_->prepare(
        "UPDATE work_items SET state = 'parked', last_error = ?2, ready = 0 WHERE id = ?1");
    if (!st.is_ok()) return note(st.status());
    st->bind(1, sqlite3_last_insert_rowid(journal_.writer_->handle())).bind(2, reason);
    if (Status s = st->run(); !s.is_ok()) note(with_context(s, "enqueue_parked"));
  }

  void add_event(const DepartmentEvent& event) override {
    if (!status_.is_ok()) return;
    if (Status s = journal_.insert_event(event); !s.is_ok()) note(with_context(s, "add_event"));
  }

  void hold_until_acknowledged(const std::string& destination, const model::Message& message,
                               const std::string& reason, const DepartmentEvent& event,
                               const std::string& subject) override {
    if (subject.empty()) return note(invalid_argument("hold_until_acknowledged: no subject"));
    enqueue_parked(destination, message, reason);
    if (!status_.is_ok()) return;
    const int64_t item = sqlite3_last_insert_rowid(journal_.writer_->handle());
    if (Status s = journal_.insert_event(event, subject, item); !s.is_ok()) {
      note(with_context(s, "hold_until_acknowledged"));
    }
  }

  void record_receipt(const ReceiptRecord& r) override {
    if (!status_.is_ok()) return;
    if (r.receipt_id.empty() || r.delivery_id.empty() || r.kind.empty()) {
      return note(invalid_argument("record_receipt: receipt id, delivery id and kind are required"));
    }
    Result<Statement> st = journal_.writer_->prepare(
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

  SqliteJournal& journal_;
  const Intake& intake_;
  Status status_;
  int items_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Opening and closing.

Result<std::unique_ptr<SqliteJournal>> SqliteJournal::open(const std::string& path,
                                                           const Clock& clock, Options options) {
  if (options.group_commit_max < 1) options.group_commit_max = 1;
  auto fail = [](const Status& s) { return with_context(s, "cannot open journal"); };

  Result<std::unique_ptr<Connection>> writer = Connection::open(
      path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, options.vfs_name);
  if (!writer.is_ok()) return writer.status();
  Connection& db = **writer;
  if (Status s = configure(db, options, true); !s.is_ok()) return fail(s);
  if (Status s = quick_check(db); !s.is_ok()) return fail(s);
  if (Status s = sqlite::migrate(db, clock); !s.is_ok()) return fail(s);

  // One process owns the file, so whatever was in flight died with the last one: due now.
  // (Not for an operator tool opening the file beside a running daemon.)
  if (options.recover_in_flight) {
    const int64_t now = clock.now_ms();
    Result<Statement> reset = db.prepare(
        "UPDATE work_items SET state = 'pending', lease_until_ms = NULL, "
        "next_attempt_ms = MIN(next_attempt_ms, ?1), updated_ms = ?1 WHERE state = 'inflight'");
    if (!reset.is_ok()) return fail(reset.status());
    if (Status s = reset->bind(1, now).run(); !s.is_ok()) return fail(s);
    if (int n = db.changes(); n > 0) {
      log::info("journal: items in flight at the last stop are pending again",
                {{"items", std::to_string(n)}});
    }
  }

  Result<std::string> last_hash =
      db.query_text("SELECT hash FROM evidence ORDER BY seq DESC LIMIT 1");
  if (!last_hash.is_ok()) return fail(last_hash.status());

  Result<std::unique_ptr<Connection>> reader =
      Connection::open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, options.vfs_name);
  if (!reader.is_ok()) return reader.status();
  if (Status s = configure(**reader, options, false); !s.is_ok()) return fail(s);

  return std::unique_ptr<SqliteJournal>(new SqliteJournal(
      clock, options, std::move(*writer), std::move(*reader), std::move(*last_hash)));
}

SqliteJournal::SqliteJournal(const Clock& clock, Options options,
                             std::unique_ptr<Connection> writer, std::unique_ptr<Connection> reader,
                             std::string last_hash)
    : clock_(clock),
      options_(options),
      writer_(std::move(writer)),
      last_hash_(std::move(last_hash)),
      reader_(std::move(reader)) {
  // Replaces SQLite's automatic checkpoint (see kCheckpointFrames).
  sqlite3_wal_hook(
      writer_->handle(),
      [](void* self, sqlite3*, const char*, int frames) -> int {
        static_cast<SqliteJournal*>(self)->wal_frames_ = frames;
        return SQLITE_OK;
      },
      this);
  writer_thread_ = std::thread([this] { writer_loop(); });
}

SqliteJournal::~SqliteJournal() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  std::lock_guard lock(read_mutex_);
  reader_.reset();
  writer_.reset();
}

Status SqliteJournal::health() const {
  std::lock_guard lock(health_mutex_);
  return sticky_;
}

void SqliteJournal::stop_with(const Status& cause) {
  std::lock_guard lock(health_mutex_);
  if (!sticky_.is_ok()) return;
  sticky_ = unavailable("journal stopped: " + cause.message());
  log::error("journal stopped: refusing all further writes until restart",
             {{"cause", cause.to_string()}});
}

// ---------------------------------------------------------------------------------------------
// The writer thread and group commit.

void SqliteJournal::submit(WriteOp op) {
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back(std::move(op));
  }
  queue_cv_.notify_one();
}

template <class T>
Result<T> SqliteJournal::write_and_wait(std::function<Result<T>()> body) {
  if (std::this_thread::get_id() == writer_thread_.get_id()) {
    return internal_error("journal: blocking write called on the journal's own writer thread");
  }
  auto outcome = std::make_shared<std::optional<Result<T>>>();
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> ready = done->get_future();
  submit({[outcome, body = std::move(body)]() -> Status {
            *outcome = body();
            return (*outcome)->status();
          },
          [outcome, done](const Status& final_status) {
            if (!final_status.is_ok()) *outcome = Result<T>(final_status);
            done->set_value();
          }});
  ready.wait();
  return std::move(**outcome);
}

void SqliteJournal::writer_loop() {
  std::vector<WriteOp> batch;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has been answered
      while (!queue_.empty() && static_cast<int>(batch.size()) < options_.group_commit_max) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    run_batch(batch);
    batch.clear();
  }
}

void SqliteJournal::run_batch(std::vector<WriteOp>& batch) {
  std::vector<Status> outcomes(batch.size());
  bool committed = false;
  Status refusal = health();
  if (refusal.is_ok()) {
    const std::string hash_at_start = last_hash_;
    Status failure = writer_->run("BEGIN IMMEDIATE");
    const bool busy =
        !failure.is_ok() && (sqlite3_extended_errcode(writer_->handle()) & 0xff) == SQLITE_BUSY;
    if (failure.is_ok()) failure = purge_nonces_if_due();
    if (failure.is_ok()) {
      for (size_t i = 0; i < batch.size(); ++i) {
        const std::string hash_before = last_hash_;
        failure = writer_->run("SAVEPOINT op");
        if (!failure.is_ok()) break;
        Status outcome = guarded("journal write", batch[i].apply);
        if (!writer_->fatal().is_ok()) {
          failure = writer_->fatal();
          break;
        }
        if (outcome.is_ok()) {
          failure = writer_->run("RELEASE op");
        } else {
          last_hash_ = hash_before;
          failure = writer_->run("ROLLBACK TO op");
          if (failure.is_ok()) failure = writer_->run("RELEASE op");
        }
        if (!failure.is_ok()) break;
        outcomes[i] = std::move(outcome);
      }
      if (failure.is_ok()) failure = writer_->run("COMMIT");
      committed = failure.is_ok();
      if (!committed && sqlite3_get_autocommit(writer_->handle()) == 0) {
        writer_->exec("ROLLBACK");
      }
    }
    if (!committed) {
      last_hash_ = hash_at_start;
      if (busy) {
        // Someone else holds the write lock; nothing was written, so the state is known.
        refusal = unavailable("journal busy: " + failure.message());
      } else {
        stop_with(failure);
        refusal = health();
      }
    }
  }
  if (committed) {
    ++commits_;
    operations_ += static_cast<int64_t>(batch.size());
  } else {
    for (Status& o : outcomes) o = refusal;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    Status s = guarded("journal callback", [&] {
      batch[i].finish(outcomes[i]);
      return Status::ok();
    });
    if (!s.is_ok()) log::error("journal: a write callback failed", {{"error", s.to_string()}});
  }
  if (committed) checkpoint_if_due();
}

void SqliteJournal::checkpoint_if_due() {
  if (wal_frames_.load() < kCheckpointFrames) return;
  int rc = sqlite3_wal_checkpoint_v2(writer_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                     nullptr);
  if (rc == SQLITE_OK) {
    wal_frames_ = 0;
  } else if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) {
    stop_with(writer_->error(rc, "WAL checkpoint"));
  }
}

// ---------------------------------------------------------------------------------------------
// Writes.

void SqliteJournal::accept(Intake intake, IntakeCallback done) {
  struct State {
    Intake intake;
    std::optional<Result<IntakeOutcome>> outcome;
  };
  auto state = std::make_shared<State>(State{std::move(intake), std::nullopt});
  submit({[this, state]() -> Status {
            state->outcome = apply_accept(state->intake);
            return state->outcome->status();
          },
          [state, done = std::move(done)](const Status& final_status) {
            if (!done) return;
            if (final_status.is_ok()) {
              done(std::move(*state->outcome));
            } else {
              done(final_status);
            }
          }});
}

Result<IntakeOutcome> SqliteJournal::apply_accept(Intake& intake) {
  if (intake.idempotency_key.empty()) return invalid_argument("intake: idempotency key is empty");
  if (!intake.build) return invalid_argument("intake: no build function");
  // Before the key: a replayed request is refused even if its key is known. A failure rolls
  // back the savepoint, so a refused or failed intake leaves no nonce behind.
  if (intake.nonce) {
    Result<bool> fresh = insert_nonce(intake.department, *intake.nonce);
    if (!fresh.is_ok()) return fresh.status();
    if (!*fresh) return Status(StatusCode::kAlreadyExists, kReplayedNonce);
  }
  {
    Result<Statement> st =
        writer_->prepare("SELECT department, answer FROM intake WHERE idempotency_key = ?1");
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

  IntakeScope scope(*this, intake);
  Result<std::string> answer = internal_error("intake: build did not run");
  Status built = guarded("intake build", [&] {
    answer = intake.build(scope);
    return Status::ok();
  });
  if (!built.is_ok()) return built;
  if (!answer.is_ok()) return answer.status();
  if (!scope.status().is_ok()) return scope.status();

  const int64_t now = clock_.now_ms();
  Result<Statement> st = writer_->prepare(
      "INSERT INTO intake (idempotency_key, department, business_process_id, answer, created_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st.is_ok()) return st.status();
  st->bind(1, intake.idempotency_key)
      .bind(2, intake.department)
      .bind(3, intake.business_process_id)
      .bind_blob(4, *answer)
      .bind(5, now);
  if (Status s = st->run(); !s.is_ok()) return s;

  evidence::Record r;
  r.business_process_id = intake.business_process_id;
  r.hop = "accepted";
  r.operation = intake.operation;
  r.department = intake.department;
  r.request_sha256 = intake.request_sha256;
  r.detail = std::to_string(scope.items());
  if (Status s = append_evidence(std::move(r)); !s.is_ok()) return s;
  return IntakeOutcome{false, std::move(*answer)};
}

Status SqliteJournal::append_evidence(evidence::Record r) {
  r.at_ms = clock_.now_ms();
  r.prev_hash = last_hash_;
  // The hash covers seq, and seq is only known once AUTOINCREMENT has handed it out (a removed
  // tail must not let a number be handed out twice), so insert first and hash second.
  Result<Statement> insert = writer_->prepare(
      "INSERT INTO evidence (business_process_id, at_ms, hop, operation, department, "
      "destination, work_item_id, request_sha256, response_sha256, detail, prev_hash, hash) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, '')");
  if (!insert.is_ok()) return insert.status();
  insert->bind(1, r.business_process_id)
      .bind(2, r.at_ms)
      .bind(3, r.hop)
      .bind(4, r.operation)
      .bind(5, r.department)
      .bind(6, r.destination)
      .bind(7, r.work_item_id)
      .bind(8, r.request_sha256)
      .bind(9, r.response_sha256)
      .bind(10, r.detail)
      .bind(11, r.prev_hash);
  if (Status s = insert->run(); !s.is_ok()) return s;
  r.seq = writer_->last_insert_rowid();
  r.hash = evidence::chain_hash(r);
  Result<Statement> update = writer_->prepare("UPDATE evidence SET hash = ?2 WHERE seq = ?1");
  if (!update.is_ok()) return update.status();
  if (Status s = update->bind(1, r.seq).bind(2, r.hash).run(); !s.is_ok()) return s;
  last_hash_ = std::move(r.hash);
  return Status::ok();
}

Result<std::vector<model::WorkItem>> SqliteJournal::claim(const std::string& destination, int max,
                                                          int64_t now_ms, int64_t lease_ms) {
  if (max < 1 || lease_ms < 1) return invalid_argument("claim: max and lease_ms must be positive");
  return write_and_wait<std::vector<model::WorkItem>>(
      [=, this] { return apply_claim(destination, max, now_ms, lease_ms); });
}

Result<std::vector<model::WorkItem>> SqliteJournal::apply_claim(const std::string& destination,
                                                                int max, int64_t now_ms,
                                                                int64_t lease_ms) {
  static const std::string sql = std::string("SELECT ") + kItemColumns +
                                 " FROM work_items AS w WHERE w.destination = ?1"
                                 " AND ((w.state = 'pending' AND w.next_attempt_ms <= ?2)"
                                 "   OR (w.state = 'inflight' AND w.lease_until_ms <= ?2))"
                                 " AND " +
                                 kReadyAndOpen + " ORDER BY w.id LIMIT ?3";
  std::vector<model::WorkItem> claimed;
  // Parking a damaged item may free later items of its case, hence another round.
  bool parked_any = true;
  while (parked_any && static_cast<int>(claimed.size()) < max) {
    parked_any = false;
    std::vector<ItemRow> candidates;
    {
      Result<Statement> st = writer_->prepare(sql);
      if (!st.is_ok()) return st.status();
      st->bind(1, destination).bind(2, now_ms).bind(3, int64_t{max} - int64_t(claimed.size()));
      for (;;) {
        Result<bool> row = st->next();
        if (!row.is_ok()) return row.status();
        if (!*row) break;
        candidates.push_back(read_item(*st));
      }
    }
    const int64_t now = clock_.now_ms();
    for (ItemRow& row : candidates) {
      Result<model::Message> message = intact_message(row);
      if (!message.is_ok()) {
        log::warn("journal: damaged payload parked",
                  {{"workItemId", std::to_string(row.id)}, {"destination", row.destination}});
        if (Status s = set_parked(row, message.status().message()); !s.is_ok()) return s;
        parked_any = true;
        continue;
      }
      Change c(ItemState::kInFlight);
      c.lease_until_ms = now_ms + lease_ms;
      c.count_attempt = true;
      if (Status s = apply_change(*writer_, row.id, c, now); !s.is_ok()) return s;
      row.attempts += 1;
      model::WorkItem item = to_work_item(row);
      item.__set_message(std::move(*message));
      claimed.push_back(std::move(item));
    }
  }
  return claimed;
}

Status SqliteJournal::settle(int64_t item_id, const AttemptRecord& attempt) {
  return write_and_wait<std::monostate>([=, this]() -> Result<std::monostate> {
           if (Status s = apply_settle(item_id, attempt); !s.is_ok()) return s;
           return std::monostate{};
         })
      .status();
}

Status SqliteJournal::apply_settle(int64_t item_id, const AttemptRecord& attempt) {
  Result<ItemRow> row = load_item(item_id);
  if (!row.is_ok()) return row.status();
  if (row->state != ItemState::kInFlight) {
    return failed_precondition("work item " + std::to_string(item_id) + " is " +
                               to_string(row->state) + ", only an inflight item can be settled");
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
  if (Status s = apply_change(*writer_, item_id, c, clock_.now_ms()); !s.is_ok()) return s;
  if (c.state == ItemState::kDone && !attempt.counterpart_ref.empty()) {
    Result<Statement> ref =
        writer_->prepare("UPDATE work_items SET counterpart_ref = ?1 WHERE id = ?2");
    if (!ref.is_ok()) return ref.status();
    if (Status s = ref->bind(1, attempt.counterpart_ref).bind(2, item_id).run(); !s.is_ok()) {
      return s;
    }
  }
  if (c.state == ItemState::kParked) {
    if (Status s = add_delivery_failed(*row, attempt.error); !s.is_ok()) return s;
  }
  evidence::Record r = item_evidence(*row, hop, join(attempt.detail, attempt.error));
  r.request_sha256 = attempt.request_sha256;
  r.response_sha256 = attempt.response_sha256;
  return append_evidence(std::move(r));
}

Status SqliteJournal::replay(int64_t item_id) {
  return write_and_wait<std::monostate>([=, this]() -> Result<std::monostate> {
           if (Status s = apply_replay(item_id); !s.is_ok()) return s;
           return std::monostate{};
         })
      .status();
}

Status SqliteJournal::apply_replay(int64_t item_id) {
  Result<ItemRow> row = load_item(item_id);
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
  if (Status s = apply_change(*writer_, item_id, c, now); !s.is_ok()) return s;
  return append_evidence(
      item_evidence(*row, "replayed", "was " + std::string(to_string(row->state))));
}

Status SqliteJournal::park(int64_t item_id, const std::string& reason) {
  return write_and_wait<std::monostate>([=, this]() -> Result<std::monostate> {
           if (Status s = apply_park(item_id, reason); !s.is_ok()) return s;
           return std::monostate{};
         })
      .status();
}

Status SqliteJournal::apply_park(int64_t item_id, const std::string& reason) {
  Result<ItemRow> row = load_item(item_id);
  if (!row.is_ok()) return row.status();
  if (row->state != ItemState::kPending && row->state != ItemState::kInFlight) {
    return failed_precondition("work item " + std::to_string(item_id) + " is " +
                               to_string(row->state) +
                               ", only a pending or inflight item can be parked");
  }
  return set_parked(*row, reason.empty() ? "parked by an operator" : reason);
}

Status SqliteJournal::set_parked(const ItemRow& row, const std::string& reason) {
  Change c(ItemState::kParked);
  c.last_error = reason;
  if (Status s = apply_change(*writer_, row.id, c, clock_.now_ms()); !s.is_ok()) return s;
  if (Status s = add_delivery_failed(row, reason); !s.is_ok()) return s;
  return append_evidence(item_evidence(row, "parked", reason));
}

// ---------------------------------------------------------------------------------------------
// Nonces, audit entries and department events: writes.

Result<bool> SqliteJournal::remember_nonce(const std::string& department, const Nonce& nonce) {
  return write_and_wait<bool>([=, this] { return insert_nonce(department, nonce); });
}

Result<bool> SqliteJournal::insert_nonce(const std::string& department, const Nonce& nonce) {
  if (nonce.value.empty()) return invalid_argument("nonce: value is empty");
  const int64_t now = clock_.now_ms();
  // An expired row is taken over by the new use; a live one is left alone (0 rows changed).
  Result<Statement> st = writer_->prepare(
      "INSERT INTO nonces (department, value, expires_ms) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (department, value) DO UPDATE SET expires_ms = excluded.expires_ms "
      "WHERE nonces.expires_ms < ?4");
  if (!st.is_ok()) return st.status();
  st->bind(1, department).bind(2, nonce.value).bind(3, nonce.expires_ms).bind(4, now);
  if (Status s = st->run(); !s.is_ok()) return s;
  if (writer_->changes() == 0) return false;
  ++nonces_since_purge_;
  return true;
}

Status SqliteJournal::purge_nonces_if_due() {
  const int64_t now = clock_.now_ms();
  if (nonces_since_purge_ < kNoncePurgeEvery &&
      (nonces_since_purge_ == 0 || now < next_nonce_purge_ms_)) {
    return Status::ok();
  }
  nonces_since_purge_ = 0;
  next_nonce_purge_ms_ = now + kNoncePurgeIntervalMs;
  // In its own savepoint: a failed purge must not take the batch's operations with it.
  if (Status s = writer_->run("SAVEPOINT purge"); !s.is_ok()) return s;
  Result<Statement> st = writer_->prepare("DELETE FROM nonces WHERE expires_ms < ?1");
  Status deleted = st.is_ok() ? st->bind(1, now).run() : st.status();
  if (!writer_->fatal().is_ok()) return writer_->fatal();
  if (deleted.is_ok()) return writer_->run("RELEASE purge");
  log::warn("journal: expired nonces were not purged", {{"error", deleted.to_string()}});
  Status s = writer_->run("ROLLBACK TO purge");
  return s.is_ok() ? writer_->run("RELEASE purge") : s;
}

Status SqliteJournal::audit(const AuditEntry& entry) {
  return write_and_wait<std::monostate>([=, this]() -> Result<std::monostate> {
           Result<Statement> st = writer_->prepare(
               "INSERT INTO audit (at_ms, department, remote_address, operation, "
               "business_process_id, reason, correlation_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
           if (!st.is_ok()) return st.status();
           st->bind(1, entry.at_ms != 0 ? entry.at_ms : clock_.now_ms())
               .bind(2, entry.department)
               .bind(3, entry.remote_address)
               .bind(4, entry.operation)
               .bind(5, entry.business_process_id)
               .bind(6, entry.reason)
               .bind(7, entry.correlation_id);
           if (Status s = st->run(); !s.is_ok()) return s;
           return std::monostate{};
         })
      .status();
}

Status SqliteJournal::add_event(const DepartmentEvent& event) {
  return write_and_wait<std::monostate>([=, this]() -> Result<std::monostate> {
           if (Status s = insert_event(event); !s.is_ok()) return s;
           return std::monostate{};
         })
      .status();
}

Status SqliteJournal::insert_event(DepartmentEvent event, const std::string& subject,
                                   int64_t releases_item) {
  if (event.department.empty() || event.kind.empty()) {
    return invalid_argument("event: department and kind are required");
  }
  Result<Statement> st = writer_->prepare(
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

Status SqliteJournal::add_delivery_failed(const ItemRow& row, const std::string& error) {
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
  return insert_event(std::move(event));
}

Result<int64_t> SqliteJournal::feed_cursor(const std::string& feed) {
  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare("SELECT cursor FROM feed_cursors WHERE feed = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, feed);
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  return *row ? st->int64(0) : int64_t{0};
}

Status SqliteJournal::advance_feed(const std::string& feed, int64_t cursor,
                                   const std::vector<CaseEvent>& events) {
  return write_and_wait<std::monostate>([=, this]() -> Result<std::monostate> {
           for (const CaseEvent& e : events) {
             Result<Statement> st = writer_->prepare(
                 "SELECT business_process_id, department FROM business_cases "
                 "WHERE business_case_id = ?1");
             if (!st.is_ok()) return st.status();
             st->bind(1, e.business_case_id);
             Result<bool> row = st->next();
             if (!row.is_ok()) return row.status();
             if (!*row) continue;  // not a case Portier opened
             DepartmentEvent event{0, st->text(1), e.kind, st->text(0), e.at_ms, e.detail};
             if (Status s = insert_event(std::move(event)); !s.is_ok()) return s;
           }
           Result<Statement> up = writer_->prepare(
               "INSERT INTO feed_cursors (feed, cursor) VALUES (?1, ?2) "
               "ON CONFLICT (feed) DO UPDATE SET cursor = excluded.cursor");
           if (!up.is_ok()) return up.status();
           if (Status s = up->bind(1, feed).bind(2, cursor).run(); !s.is_ok()) return s;
           return std::monostate{};
         })
      .status();
}

Result<int> SqliteJournal::ack_events(const std::string& department,
                                      const std::vector<int64_t>& seqs) {
  if (seqs.empty()) return 0;
  if (seqs.size() > static_cast<size_t>(kMaxPage)) {
    return invalid_argument("ack_events: at most " + std::to_string(kMaxPage) + " events at once");
  }
  return write_and_wait<int>([=, this] { return apply_ack_events(department, seqs); });
}

Result<int> SqliteJournal::apply_ack_events(const std::string& department,
                                            const std::vector<int64_t>& seqs) {
  const int64_t now = clock_.now_ms();
  int acked = 0;
  for (int64_t seq : seqs) {
    // Another department's seq matches no row, so it is ignored rather than refused.
    Result<Statement> st = writer_->prepare(
        "UPDATE department_events SET acked_ms = ?3 "
        "WHERE seq = ?1 AND department = ?2 AND acked_ms IS NULL");
    if (!st.is_ok()) return st.status();
    if (Status s = st->bind(1, seq).bind(2, department).bind(3, now).run(); !s.is_ok()) return s;
    if (writer_->changes() == 0) continue;
    ++acked;
    // The event may hold a work item (pull mode): the acknowledgement releases it.
    Result<Statement> held =
        writer_->prepare("SELECT releases_item FROM department_events WHERE seq = ?1 "
                         "AND releases_item IS NOT NULL");
    if (!held.is_ok()) return held.status();
    held->bind(1, seq);
    Result<bool> row = held->next();
    if (!row.is_ok()) return row.status();
    if (!*row) continue;
    Result<ItemRow> item = load_item(held->int64(0));
    if (!item.is_ok()) return item.status();
    if (item->state != ItemState::kParked) continue;  // an operator released it already
    Change c(ItemState::kPending);
    c.next_attempt_ms = now;
    c.reset_attempts = true;
    if (Status s = apply_change(*writer_, item->id, c, now); !s.is_ok()) return s;
    if (Status s = append_evidence(item_evidence(*item, "released",
                                                 "event " + std::to_string(seq) +
                                                     " acknowledged by " + department));
        !s.is_ok()) {
      return s;
    }
  }
  return acked;
}

namespace {
constexpr const char* kHeldColumns =
    "seq, department, kind, business_process_id, at_ms, detail, acked_ms, releases_item";
}  // namespace

Result<std::optional<HeldItem>> SqliteJournal::read_held(Statement& st) {
  Result<bool> row = st.next();
  if (!row.is_ok()) return row.status();
  if (!*row) return std::optional<HeldItem>();
  HeldItem held;
  held.event = {st.int64(0), st.text(1), st.text(2), st.text(3), st.int64(4), st.text(5)};
  held.acknowledged = !st.is_null(6);
  const int64_t item_id = st.int64(7);
  Result<Statement> item =
      reader_->prepare(std::string("SELECT ") + kItemColumns + " FROM work_items WHERE id = ?1");
  if (!item.is_ok()) return item.status();
  item->bind(1, item_id);
  Result<bool> found = item->next();
  if (!found.is_ok()) return found.status();
  if (!*found) return not_found("work item " + std::to_string(item_id) + " not found");
  held.item = to_stored(read_item(*item));
  return std::optional<HeldItem>(std::move(held));
}

Result<std::optional<HeldItem>> SqliteJournal::held_item(const std::string& kind,
                                                         const std::string& subject) {
  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare(std::string("SELECT ") + kHeldColumns +
                                          " FROM department_events WHERE kind = ?1 AND "
                                          "subject = ?2 AND releases_item IS NOT NULL");
  if (!st.is_ok()) return st.status();
  st->bind(1, kind).bind(2, subject);
  return read_held(*st);
}

Result<std::optional<HeldItem>> SqliteJournal::held_item(int64_t item_id) {
  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare(std::string("SELECT ") + kHeldColumns +
                                          " FROM department_events WHERE releases_item = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, item_id);
  return read_held(*st);
}

Result<ItemRow> SqliteJournal::load_item(int64_t item_id) {
  Result<Statement> st =
      writer_->prepare(std::string("SELECT ") + kItemColumns + " FROM work_items WHERE id = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, item_id);
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  if (!*row) return not_found("work item " + std::to_string(item_id) + " not found");
  return read_item(*st);
}

// ---------------------------------------------------------------------------------------------
// Reads, on the read connection.

Result<std::vector<StoredItem>> SqliteJournal::list(const ItemFilter& filter) {
  std::string sql = std::string("SELECT ") + kItemColumns + " FROM work_items WHERE 1";
  if (filter.state) sql += " AND state = ?1";
  if (filter.business_process_id) sql += " AND business_process_id = ?2";
  if (filter.destination) sql += " AND destination = ?3";
  sql += " ORDER BY id DESC LIMIT ?4";
  const int64_t limit = filter.limit < 1 ? 100 : std::min(filter.limit, 10'000);

  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare(sql);
  if (!st.is_ok()) return st.status();
  if (filter.state) st->bind(1, to_string(*filter.state));
  if (filter.business_process_id) st->bind(2, *filter.business_process_id);
  if (filter.destination) st->bind(3, *filter.destination);
  st->bind(4, limit);
  return st->collect([](Statement& row) { return to_stored(read_item(row)); });
}

Result<StoredItem> SqliteJournal::get(int64_t item_id) {
  std::lock_guard lock(read_mutex_);
  Result<Statement> st =
      reader_->prepare(std::string("SELECT ") + kItemColumns + " FROM work_items WHERE id = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, item_id);
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  if (!*row) return not_found("work item " + std::to_string(item_id) + " not found");
  return to_stored(read_item(*st));
}

Result<Backlog> SqliteJournal::backlog(const std::string& destination) {
  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare(
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

Result<bool> SqliteJournal::knows_intake(const std::string& idempotency_key) {
  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare("SELECT 1 FROM intake WHERE idempotency_key = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, idempotency_key);
  return st->next();
}

Result<std::vector<StoredItem>> SqliteJournal::items_of_intake(const std::string& idempotency_key) {
  // Item keys are "<intake key>/<destination>/<n>"; a range scan on the unique key index.
  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare(
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

Result<bool> SqliteJournal::hold_lease(const std::string& name, const std::string& holder,
                                       int64_t now_ms, int64_t ttl_ms) {
  return write_and_wait<bool>([=, this]() -> Result<bool> {
    Result<Statement> st = writer_->prepare(
        "INSERT INTO poll_leases (name, holder, expires_ms) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
        "expires_ms = excluded.expires_ms WHERE poll_leases.holder = excluded.holder "
        "OR poll_leases.expires_ms <= ?4");
    if (!st.is_ok()) return st.status();
    st->bind(1, name).bind(2, holder).bind(3, now_ms + ttl_ms).bind(4, now_ms);
    if (Status s = st->run(); !s.is_ok()) return s;
    return sqlite3_changes(writer_->handle()) > 0;
  });
}

Status SqliteJournal::release_lease(const std::string& name, const std::string& holder) {
  return write_and_wait<std::monostate>([=, this]() -> Result<std::monostate> {
           Result<Statement> st =
               writer_->prepare("DELETE FROM poll_leases WHERE name = ?1 AND holder = ?2");
           if (!st.is_ok()) return st.status();
           if (Status s = st->bind(1, name).bind(2, holder).run(); !s.is_ok()) return s;
           return std::monostate{};
         })
      .status();
}

Result<std::optional<StoredItem>> SqliteJournal::find_delivery(const std::string& delivery_id) {
  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare(std::string("SELECT ") + kItemColumns +
                                          " FROM work_items WHERE delivery_id = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, delivery_id);
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  if (!*row) return std::optional<StoredItem>();
  return std::optional<StoredItem>(to_stored(read_item(*st)));
}

namespace {

constexpr const char* kReceiptColumns =
    "receipt_id, delivery_id, kind, event_ms, platform, receipt_message_id, pdf_sha256, "
    "signature_sha256, signature_valid, signature_detail, recorded_ms";

ReceiptRecord read_receipt(Statement& st) {
  return {st.text(0), st.text(1),  st.text(2),      st.int64(3),
          st.text(4), st.text(5),  st.text(6),      st.text(7),
          st.int64(8) != 0,        st.text(9),      st.int64(10)};
}

}  // namespace

Result<std::vector<ReceiptRecord>> SqliteJournal::receipts(const std::string& delivery_id) {
  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare(std::string("SELECT ") + kReceiptColumns +
                                          " FROM receipts WHERE delivery_id = ?1"
                                          " ORDER BY event_ms, recorded_ms");
  if (!st.is_ok()) return st.status();
  st->bind(1, delivery_id);
  return st->collect(read_receipt);
}

Result<std::optional<ReceiptRecord>> SqliteJournal::find_receipt(const std::string& receipt_id) {
  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare(std::string("SELECT ") + kReceiptColumns +
                                          " FROM receipts WHERE receipt_id = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, receipt_id);
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  if (!*row) return std::optional<ReceiptRecord>();
  return std::optional<ReceiptRecord>(read_receipt(*st));
}

Result<std::vector<std::string>> SqliteJournal::deliveries_awaiting_outcome(
    const std::string& key_prefix) {
  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare(
      "SELECT DISTINCT s.delivery_id FROM receipts AS s WHERE s.kind = 'SUBMISSION'"
      " AND NOT EXISTS (SELECT 1 FROM receipts AS f WHERE f.delivery_id = s.delivery_id"
      "                 AND f.kind <> 'SUBMISSION')"
      " AND NOT EXISTS (SELECT 1 FROM intake WHERE idempotency_key = ?1 || s.delivery_id)");
  if (!st.is_ok()) return st.status();
  st->bind(1, key_prefix);
  return st->collect([](Statement& row) { return row.text(0); });
}

namespace {

bool is_final_inbox_status(const std::string& status) {
  return status == "STORED_IN_INBOX" || status == "READ" || status == "REJECTED";
}

}  // namespace

Result<std::vector<InboxFollowUp>> SqliteJournal::inbox_awaiting_storage(
    const std::string& destination, int limit) {
  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare(
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

Status SqliteJournal::record_inbox_status(const InboxFollowUp& d, const std::string& status,
                                          int64_t at_ms, const std::string& detail) {
  return write_and_wait<std::monostate>([=, this]() -> Result<std::monostate> {
           Result<Statement> st = writer_->prepare(
               "INSERT INTO inbox_progress (delivery_id, status, at_ms, detail)"
               " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (delivery_id) DO UPDATE SET"
               " status = excluded.status, at_ms = excluded.at_ms, detail = excluded.detail");
           if (!st.is_ok()) return st.status();
           if (Status s = st->bind(1, d.delivery_id).bind(2, status).bind(3, at_ms).bind(4, detail)
                              .run();
               !s.is_ok()) {
             return s;
           }
           if (!is_final_inbox_status(status) || d.department.empty()) return std::monostate{};
           boost::json::object o{{"deliveryId", d.delivery_id}, {"status", status}};
           if (!detail.empty()) o["reason"] = detail;
           DepartmentEvent event{0, d.department,
                                 status == "REJECTED" ? "deliveryFailed" : "documentInInbox",
                                 d.business_process_id, at_ms, boost::json::serialize(o)};
           if (Status s = insert_event(std::move(event)); !s.is_ok()) return s;
           return std::monostate{};
         })
      .status();
}

Result<std::optional<std::pair<std::string, std::string>>> SqliteJournal::inbox_status(
    const std::string& delivery_id) {
  using Found = std::optional<std::pair<std::string, std::string>>;
  std::lock_guard lock(read_mutex_);
  Result<Statement> st =
      reader_->prepare("SELECT status, detail FROM inbox_progress WHERE delivery_id = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, delivery_id);
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  if (!*row) return Found();
  return Found(std::pair{st->text(0), st->text(1)});
}

Result<std::vector<DepthRow>> SqliteJournal::depth() {
  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare(
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

Result<std::optional<BusinessCaseRecord>> SqliteJournal::find_case(const std::string& bpid) {
  std::lock_guard lock(read_mutex_);
  return find_case_in(*reader_, bpid);
}

Result<std::optional<int64_t>> SqliteJournal::next_due_ms(const std::string& destination) {
  // Pending items held up by their case do not count: they wait for the earlier item, and
  // reporting them as due would make dispatch poll in a loop.
  static const std::string sql =
      std::string("SELECT MIN(t) FROM (") +
      " SELECT MIN(w.next_attempt_ms) AS t FROM work_items AS w"
      "  WHERE w.destination = ?1 AND w.state = 'pending' AND " +
      kReadyAndOpen +
      " UNION ALL"
      " SELECT MIN(lease_until_ms) FROM work_items WHERE destination = ?1 AND state = 'inflight')";
  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare(sql);
  if (!st.is_ok()) return st.status();
  st->bind(1, destination);
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  if (!*row || st->is_null(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(st->int64(0));
}

Result<std::vector<evidence::Record>> SqliteJournal::evidence(
    const std::optional<std::string>& business_process_id) {
  std::string sql = std::string("SELECT ") + kEvidenceColumns + " FROM evidence";
  if (business_process_id) sql += " WHERE business_process_id = ?1";
  sql += " ORDER BY seq";
  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare(sql);
  if (!st.is_ok()) return st.status();
  if (business_process_id) st->bind(1, *business_process_id);
  std::vector<evidence::Record> records;
  for (;;) {
    Result<bool> row = st->next();
    if (!row.is_ok()) return row.status();
    if (!*row) break;
    records.push_back(read_evidence(*st));
  }
  return records;
}

Result<int64_t> SqliteJournal::evidence_high_water() {
  std::lock_guard lock(read_mutex_);
  Result<Statement> st =
      reader_->prepare("SELECT seq FROM sqlite_sequence WHERE name = 'evidence'");
  if (!st.is_ok()) return st.status();
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  return *row ? st->int64(0) : int64_t{0};
}

Result<std::vector<AuditEntry>> SqliteJournal::audit_log(int limit) {
  std::lock_guard lock(read_mutex_);
  Result<Statement> st = reader_->prepare(
      "SELECT seq, at_ms, department, remote_address, operation, business_process_id, reason, "
      "correlation_id FROM audit ORDER BY seq DESC LIMIT ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, page_size(limit));
  std::vector<AuditEntry> entries;
  for (;;) {
    Result<bool> row = st->next();
    if (!row.is_ok()) return row.status();
    if (!*row) break;
    AuditEntry e;
    e.seq = st->int64(0);
    e.at_ms = st->int64(1);
    e.department = st->text(2);
    e.remote_address = st->text(3);
    e.operation = st->text(4);
    e.business_process_id = st->text(5);
    e.reason = st->text(6);
    e.correlation_id = st->text(7);
    entries.push_back(std::move(e));
  }
  return entries;
}

Result<std::vector<DepartmentEvent>> SqliteJournal::events(const std::string& department,
                                                           int64_t after_seq, int limit) {
  std::lock_guard lock(read_mutex_);
  // Spelled so that department_events_open (department, acked_ms, seq) answers it.
  Result<Statement> st = reader_->prepare(
      "SELECT seq, department, kind, business_process_id, at_ms, detail FROM department_events "
      "WHERE department = ?1 AND acked_ms IS NULL AND seq > ?2 ORDER BY seq LIMIT ?3");
  if (!st.is_ok()) return st.status();
  st->bind(1, department).bind(2, after_seq).bind(3, page_size(limit));
  std::vector<DepartmentEvent> events;
  for (;;) {
    Result<bool> row = st->next();
    if (!row.is_ok()) return row.status();
    if (!*row) break;
    DepartmentEvent e;
    e.seq = st->int64(0);
    e.department = st->text(1);
    e.kind = st->text(2);
    e.business_process_id = st->text(3);
    e.at_ms = st->int64(4);
    e.detail = st->text(5);
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace portier::journal

namespace portier::journal {
// The identity-link operations (sqlite_identity_links.cpp) queue their writes through these.
template Result<std::optional<IdentityLinkRecord>>
SqliteJournal::write_and_wait<std::optional<IdentityLinkRecord>>(
    std::function<Result<std::optional<IdentityLinkRecord>>()>);
template Result<IdentityLinkRecord> SqliteJournal::write_and_wait<IdentityLinkRecord>(
    std::function<Result<IdentityLinkRecord>()>);
}  // namespace portier::journal
