#pragma once
// The journal's relational logic, written once over the store seam (store.h) and run by both
// stores: SQLite (one portierd) and PostgreSQL (several sharing one database). The schema is
// each store's own (same tables and columns); the statements here are common SQL.
//
// Writes go through the group-commit writer (group_commit_writer.h), in transactions that
// exclude every other writer of the database; so an intake's nonce, its work items and its
// evidence record, and a parked item with its "deliveryFailed" event, commit together, and the
// evidence chain's head is always read inside the transaction that extends it. Reads borrow a
// connection from the store's pool and never wait for a commit.
//
// Nonces: a nonce is alive while now <= expires_ms; an expired one may be used again. Expired
// nonces are deleted at the start of a batch after every 1000 new nonces, or after a minute if
// any new nonce was stored.
//
// Split by concern into the files beside this one (intake.cpp, work_queue.cpp, evidence.cpp,
// department_events.cpp, poll_state.cpp, delivery_records.cpp, identity_links.cpp,
// access_log.cpp, retention.cpp, instances.cpp).
//
// Threads: see journal.h. The destructor must not race with other calls.
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/journal/backlog_bounds.h"
#include "core/journal/journal.h"
#include "core/journal/sql/group_commit_writer.h"
#include "core/journal/sql/store.h"

namespace portier::journal::sql {

struct ItemRow;

struct JournalOptions {
  // Operations per transaction; one commit (one fsync) is shared by all of them.
  int group_commit_max = 64;
  // This instance's name: owner of its leases (default: host name and process id).
  std::string instance;
};

class SqlJournal : public Journal {
 public:
  // `clock` must outlive the journal.
  SqlJournal(std::unique_ptr<Store> store, const Clock& clock, JournalOptions options);
  ~SqlJournal() override;

  // IntakeLog (intake.cpp)
  void accept(Intake intake, IntakeCallback done) override;
  Result<bool> knows_intake(const std::string& idempotency_key) override;
  Result<std::vector<StoredItem>> items_of_intake(const std::string& idempotency_key) override;
  Result<std::optional<BusinessCaseRecord>> find_case(const std::string& bpid) override;

  // WorkQueue (work_queue.cpp)
  Result<std::vector<model::WorkItem>> claim(const std::string& destination, int max,
                                             int64_t now_ms, int64_t lease_ms) override;
  Status settle(int64_t item_id, int64_t lease_token, const AttemptRecord& attempt) override;
  Result<std::vector<model::WorkItem>> settle_and_claim(int64_t item_id, int64_t lease_token,
                                                        const AttemptRecord& attempt, int max,
                                                        int64_t now_ms, int64_t lease_ms) override;
  Status replay(int64_t item_id, const std::string& by) override;
  Status park(int64_t item_id, const std::string& reason) override;
  Result<std::vector<StoredItem>> list(const ItemFilter& filter) override;
  Result<StoredItem> get(int64_t item_id) override;
  Result<std::vector<DepthRow>> depth() override;
  Result<Backlog> backlog(const std::string& destination) override;
  Result<std::optional<int64_t>> next_due_ms(const std::string& destination) override;

  // EvidenceLog (evidence.cpp)
  Result<std::vector<evidence::Record>> evidence(
      const std::optional<std::string>& business_process_id) override;
  Result<int64_t> evidence_high_water() override;

  // DepartmentEvents (department_events.cpp)
  Status add_event(const DepartmentEvent& event) override;
  Result<std::vector<DepartmentEvent>> events(const std::string& department, int64_t after_seq,
                                              int limit) override;
  Result<int> ack_events(const std::string& department, const std::vector<int64_t>& seqs) override;
  Result<std::optional<HeldItem>> held_item(const std::string& kind,
                                            const std::string& subject) override;
  Result<std::optional<HeldItem>> held_item(int64_t item_id) override;

  // PollState (poll_state.cpp)
  Result<int64_t> feed_cursor(const std::string& feed) override;
  Status advance_feed(const std::string& feed, int64_t cursor,
                      const std::vector<CaseEvent>& events) override;
  Result<bool> hold_lease(const std::string& name, const std::string& holder, int64_t now_ms,
                          int64_t ttl_ms) override;
  Status release_lease(const std::string& name, const std::string& holder) override;
  Result<std::vector<LeaseRecord>> leases() override;

  // DeliveryRecords (delivery_records.cpp)
  Result<std::optional<StoredItem>> find_delivery(const std::string& delivery_id) override;
  Result<std::vector<ReceiptRecord>> receipts(const std::string& delivery_id) override;
  Result<std::optional<ReceiptRecord>> find_receipt(const std::string& receipt_id) override;
  Result<std::vector<std::string>> deliveries_awaiting_outcome(
      const std::string& key_prefix) override;
  Result<std::vector<InboxFollowUp>> inbox_awaiting_storage(const std::string& destination,
                                                            int limit) override;
  Status record_inbox_status(const InboxFollowUp& delivery, const std::string& status,
                             int64_t at_ms, const std::string& detail) override;
  Result<std::optional<std::pair<std::string, std::string>>> inbox_status(
      const std::string& delivery_id) override;

  // IdentityLinks (identity_links.cpp)
  Result<std::optional<IdentityLinkRecord>> find_identity_link(const std::string& account_id,
                                                               const std::string& profile_id,
                                                               int32_t service_id) override;
  Result<std::optional<IdentityLinkRecord>> identity_link(const std::string& link_id) override;
  Result<std::vector<IdentityLinkRecord>> identity_links(const IdentityLinkFilter& filter) override;
  Result<std::optional<IdentityLinkRecord>> record_identity_check(
      const IdentityCheckEntry& entry) override;
  Result<IdentityLinkRecord> change_identity_link(const IdentityLinkChange& change) override;
  Result<FirstApproval> approve_first(const std::string& link_id, const std::string& department,
                                      const std::string& by) override;
  Result<std::optional<FirstApproval>> first_approval(const std::string& link_id) override;

  // AccessLog (access_log.cpp)
  Result<bool> remember_nonce(const std::string& department, const Nonce& nonce) override;
  Status audit(const AuditEntry& entry) override;
  Result<std::vector<AuditEntry>> audit_log(int limit) override;

  // ContentRetention (retention.cpp)
  Result<std::vector<FinishedContent>> finished_content(ContentSource source,
                                                        int64_t finished_before_ms,
                                                        const std::string& after,
                                                        int limit) override;
  Result<std::vector<bool>> purge_content(const std::vector<PurgeOrder>& orders) override;
  Result<std::set<std::string>> files_in_use() override;

  // Instances (instances.cpp)
  const std::string& instance() const override { return options_.instance; }
  Status report_alive(int64_t now_ms) override;
  Result<std::vector<InstanceRecord>> instances(int64_t since_ms) override;

  Status health() const override;

  // Back-pressure: an intake is refused (kResourceExhausted with a retry hint, nothing
  // written) when `write_queue_max` writes wait for the writer already, or when it would add
  // work beyond a destination's bound in `bounds` (may be null). Call before the first
  // accept(); `bounds` must outlive the journal. Default: 1024 writes, no bounds.
  void apply_back_pressure(BacklogBounds* bounds, size_t write_queue_max) {
    backlog_bounds_ = bounds;
    write_queue_max_ = write_queue_max;
  }
  struct WriteQueue {
    size_t queued = 0;
    size_t max = 0;
    int64_t refused = 0;  // intakes refused because the queue was full
  };
  WriteQueue write_queue() const;

  // Committed transactions and the operations they carried, for metrics and tests.
  GroupCommitWriter::Stats stats() const { return writer_->stats(); }
  const char* store_name() const { return store_->name(); }

 private:
  class IntakeScope;

  // Queues a write that answers nothing but its status (durable: see GroupCommitWriter::Op).
  Status write(std::function<Status(Connection& db)> body, bool durable = true);
  Result<ConnectionPool::Loan> reader() { return store_->readers().borrow(); }

  // Writer thread only: the bodies of the write operations.
  Result<IntakeOutcome> apply_accept(Connection& db, Intake& intake);
  Result<std::vector<model::WorkItem>> apply_claim(Connection& db, const std::string& destination,
                                                   int max, int64_t now_ms, int64_t lease_ms);
  Status apply_settle(Connection& db, int64_t item_id, int64_t lease_token,
                      const AttemptRecord& attempt);
  Status apply_replay(Connection& db, int64_t item_id, const std::string& by);
  Status apply_park(Connection& db, int64_t item_id, const std::string& reason);
  Status set_parked(Connection& db, const ItemRow& row, const std::string& reason);
  Status append_evidence(Connection& db, evidence::Record record);
  // true if the nonce is new (or the stored one had expired), false for a replay.
  Result<bool> insert_nonce(Connection& db, const std::string& department, const Nonce& nonce);
  Status purge_nonces_if_due(Connection& db);
  // subject and releases_item are set only for events that hold a work item.
  Status insert_event(Connection& db, DepartmentEvent event, const std::string& subject = "",
                      int64_t releases_item = 0);
  // The department's "deliveryFailed" event for a work item that was just parked.
  Status add_delivery_failed(Connection& db, const ItemRow& row, const std::string& error);
  Result<int> apply_ack_events(Connection& db, const std::string& department,
                               const std::vector<int64_t>& seqs);
  Result<std::optional<IdentityLinkRecord>> apply_identity_check(Connection& db,
                                                                 const IdentityCheckEntry& entry);
  Result<IdentityLinkRecord> apply_link_change(Connection& db, const IdentityLinkChange& change);
  Result<FirstApproval> apply_approve_first(Connection& db, const std::string& link_id,
                                            const std::string& department, const std::string& by);
  Status insert_link_event(Connection& db, const IdentityLinkRecord& link);
  // true if the content was still there to purge (and now is not, with its evidence record).
  Result<bool> apply_purge(Connection& db, const PurgeOrder& order);

  const Clock& clock_;
  const JournalOptions options_;
  std::unique_ptr<Store> store_;
  BacklogBounds* backlog_bounds_ = nullptr;
  size_t write_queue_max_ = 1024;
  std::atomic<int64_t> intakes_refused_{0};  // the write queue was full

  int64_t nonces_since_purge_ = 0;   // writer thread only
  int64_t next_nonce_purge_ms_ = 0;  // writer thread only

  std::unique_ptr<GroupCommitWriter> writer_;  // last: its thread starts once all above exist
};

}  // namespace portier::journal::sql
