#pragma once
// The journal on one SQLite file (WAL, synchronous=FULL): the default for a single portierd.
//
// Writes (accept, claim, settle, replay, park, ...) go to one writer thread that owns the write
// connection. It takes up to `group_commit_max` queued operations, runs them in one transaction,
// each inside its own savepoint so that a failing operation rolls back only itself, commits once
// (one fsync for the whole group) and only then answers them. Reads use a second, read-only
// connection behind a mutex, so they never wait for a commit.
//
// Durability errors are sticky (see journal.h): after a failed BEGIN, COMMIT or fsync, or any
// I/O, disk-full or corruption error inside a transaction, the batch is rolled back, every
// operation in it and every later write fails with kUnavailable("journal stopped: ..."), and
// health() reports it. The fsync is never retried: the process is expected to restart.
//
// Nonces, audit entries and department events live in the same file, so an intake's nonce and
// a parked item's "deliveryFailed" event commit in the same transaction as the intake or the
// parking. A nonce is alive while now <= expires_ms; an expired one may be used again. Expired
// nonces are deleted at the start of a batch after every 1000 new nonces, or after a minute if
// any new nonce was stored, so the table holds about one timestamp window of them.
//
// Threads: every public method may be called from any thread, except that the blocking writes
// (claim, settle, replay, park, remember_nonce, audit, add_event, ack_events) must not be called
// from an accept callback or an intake's build function, which run on the writer thread (they
// fail with kInternal there). The destructor must not race with other calls; it answers
// everything still queued and then stops the writer.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/base/clock.h"
#include "core/journal/journal.h"
#include "core/journal/sqlite_connection.h"

namespace portier::journal {

namespace sqlite {
struct ItemRow;
}  // namespace sqlite

struct SqliteJournalOptions {
  // Operations per transaction; one fsync is shared by all of them.
  int group_commit_max = 64;
  // Name of a registered sqlite3_vfs, or nullptr for the default one (tests inject faults).
  const char* vfs_name = nullptr;
  // How long a connection waits for a lock held by someone else (e.g. the sqlite3 shell).
  int busy_timeout_ms = 5000;
  // Put items left in flight by a previous process back to pending. Off for portierctl, which
  // opens the file while portierd may be running and own them.
  bool recover_in_flight = true;
};

class SqliteJournal final : public Journal {
 public:
  using Options = SqliteJournalOptions;

  // Opens (creating it if needed) and migrates the file, refuses a damaged file or one with a
  // newer schema, and puts items that were in flight when the last process stopped back to
  // pending. `clock` must outlive the journal.
  static Result<std::unique_ptr<SqliteJournal>> open(const std::string& path, const Clock& clock,
                                                     Options options = {});
  ~SqliteJournal() override;

  void accept(Intake intake, IntakeCallback done) override;
  Result<std::vector<model::WorkItem>> claim(const std::string& destination, int max,
                                             int64_t now_ms, int64_t lease_ms) override;
  Status settle(int64_t item_id, const AttemptRecord& attempt) override;
  Status replay(int64_t item_id) override;
  Status park(int64_t item_id, const std::string& reason) override;

  Result<std::vector<StoredItem>> list(const ItemFilter& filter) override;
  Result<StoredItem> get(int64_t item_id) override;
  Result<std::vector<DepthRow>> depth() override;
  Result<std::optional<BusinessCaseRecord>> find_case(const std::string& bpid) override;
  Result<std::optional<StoredItem>> find_delivery(const std::string& delivery_id) override;
  Result<std::optional<int64_t>> next_due_ms(const std::string& destination) override;
  Result<std::vector<ReceiptRecord>> receipts(const std::string& delivery_id) override;
  Result<std::vector<InboxFollowUp>> inbox_awaiting_storage(const std::string& destination,
                                                            int limit) override;
  Status record_inbox_status(const InboxFollowUp& delivery, const std::string& status,
                             int64_t at_ms, const std::string& detail) override;
  Result<std::optional<std::pair<std::string, std::string>>> inbox_status(
      const std::string& delivery_id) override;
  Result<std::optional<ReceiptRecord>> find_receipt(const std::string& receipt_id) override;
  Result<std::vector<std::string>> deliveries_awaiting_outcome(
      const std::string& key_prefix) override;
  Result<std::vector<evidence::Record>> evidence(
      const std::optional<std::string>& business_process_id) override;
  Result<int64_t> evidence_high_water() override;

  Result<bool> remember_nonce(const std::string& department, const Nonce& nonce) override;
  // at_ms 0 means now.
  Status audit(const AuditEntry& entry) override;
  Result<std::vector<AuditEntry>> audit_log(int limit) override;
  // department and kind are required; at_ms 0 means now, an empty detail is stored as "{}".
  Status add_event(const DepartmentEvent& event) override;
  Result<std::vector<DepartmentEvent>> events(const std::string& department, int64_t after_seq,
                                              int limit) override;
  Result<int> ack_events(const std::string& department, const std::vector<int64_t>& seqs) override;
  Result<std::optional<HeldItem>> held_item(const std::string& kind,
                                            const std::string& subject) override;
  Result<std::optional<HeldItem>> held_item(int64_t item_id) override;

  Result<int64_t> feed_cursor(const std::string& feed) override;
  Status advance_feed(const std::string& feed, int64_t cursor,
                      const std::vector<CaseEvent>& events) override;
  Result<Backlog> backlog(const std::string& destination) override;
  Result<bool> knows_intake(const std::string& idempotency_key) override;
  Result<std::vector<StoredItem>> items_of_intake(const std::string& idempotency_key) override;
  Result<bool> hold_lease(const std::string& name, const std::string& holder, int64_t now_ms,
                          int64_t ttl_ms) override;
  Status release_lease(const std::string& name, const std::string& holder) override;
  Status health() const override;

  // Identity links: sqlite_identity_links.cpp.
  Result<std::optional<IdentityLinkRecord>> find_identity_link(const std::string& account_id,
                                                               const std::string& profile_id,
                                                               int32_t service_id) override;
  Result<std::optional<IdentityLinkRecord>> identity_link(const std::string& link_id) override;
  Result<std::vector<IdentityLinkRecord>> identity_links(const IdentityLinkFilter& filter) override;
  Result<std::optional<IdentityLinkRecord>> record_identity_check(
      const IdentityCheckEntry& entry) override;
  Result<IdentityLinkRecord> change_identity_link(const IdentityLinkChange& change) override;

  // Counters for metrics and tests: committed transactions and the operations they carried.
  struct Stats {
    int64_t commits = 0;
    int64_t operations = 0;
  };
  Stats stats() const { return {commits_.load(), operations_.load()}; }

 private:
  // One queued write. `apply` runs on the writer thread inside its own savepoint; an error
  // rolls the savepoint back. `finish` runs after the commit with the final outcome, which is
  // the batch's error if the commit failed.
  struct WriteOp {
    std::function<Status()> apply;
    std::function<void(const Status&)> finish;
  };
  class IntakeScope;

  SqliteJournal(const Clock& clock, Options options, std::unique_ptr<sqlite::Connection> writer,
                std::unique_ptr<sqlite::Connection> reader, std::string last_hash);

  void submit(WriteOp op);
  template <class T>
  Result<T> write_and_wait(std::function<Result<T>()> body);
  void writer_loop();
  void run_batch(std::vector<WriteOp>& batch);
  void checkpoint_if_due();
  void stop_with(const Status& cause);

  // Writer thread only: the bodies of the write operations.
  Result<IntakeOutcome> apply_accept(Intake& intake);
  Result<std::vector<model::WorkItem>> apply_claim(const std::string& destination, int max,
                                                   int64_t now_ms, int64_t lease_ms);
  Status apply_settle(int64_t item_id, const AttemptRecord& attempt);
  Status apply_replay(int64_t item_id);
  Status apply_park(int64_t item_id, const std::string& reason);
  Result<sqlite::ItemRow> load_item(int64_t item_id);
  Status set_parked(const sqlite::ItemRow& row, const std::string& reason);
  Status append_evidence(evidence::Record record);
  // true if the nonce is new (or the stored one had expired), false for a replay.
  Result<bool> insert_nonce(const std::string& department, const Nonce& nonce);
  Status purge_nonces_if_due();
  // subject and releases_item are set only for events that hold a work item.
  Status insert_event(DepartmentEvent event, const std::string& subject = "",
                      int64_t releases_item = 0);
  // The held item of the first event row `st` finds (columns: kEventColumns), if any.
  Result<std::optional<HeldItem>> read_held(sqlite::Statement& st);
  // The department's "deliveryFailed" event for a work item that was just parked.
  Status add_delivery_failed(const sqlite::ItemRow& row, const std::string& error);
  Result<std::optional<IdentityLinkRecord>> apply_identity_check(const IdentityCheckEntry& entry);
  Result<IdentityLinkRecord> apply_link_change(const IdentityLinkChange& change);
  Status insert_link_event(const IdentityLinkRecord& link);
  Result<int> apply_ack_events(const std::string& department, const std::vector<int64_t>& seqs);

  const Clock& clock_;
  const Options options_;

  std::unique_ptr<sqlite::Connection> writer_;  // writer thread only (after open)
  std::string last_hash_;                       // writer thread only: hash of the newest record
  std::atomic<int64_t> wal_frames_{0};          // set by SQLite's WAL hook on the writer thread
  int64_t nonces_since_purge_ = 0;              // writer thread only
  int64_t next_nonce_purge_ms_ = 0;             // writer thread only

  mutable std::mutex read_mutex_;
  std::unique_ptr<sqlite::Connection> reader_;  // guarded by read_mutex_

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<WriteOp> queue_;  // guarded by queue_mutex_
  bool stopping_ = false;      // guarded by queue_mutex_

  mutable std::mutex health_mutex_;
  Status sticky_;  // guarded by health_mutex_

  std::atomic<int64_t> commits_{0};
  std::atomic<int64_t> operations_{0};

  std::thread writer_thread_;  // last: starts once everything above exists
};

}  // namespace portier::journal
