#pragma once
// The journal: Portier's durable memory of accepted work. Everything an adapter acknowledges is
// committed here first (with its idempotency key and its evidence record), and dispatch claims
// and settles work items through it. Implementations: SQLite (default, one instance) and, later,
// PostgreSQL (several instances sharing one database).
//
// Durability errors are sticky: once a commit fails in an unknown state, every later write
// fails with kUnavailable and health() reports the first error, until the process restarts.
//
// Threads: every method may be called from any thread. accept() never blocks; its callback runs
// on the journal's own writer thread after the commit and must only post work elsewhere.
// The other methods block and belong on worker threads, never on I/O threads.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/evidence/record.h"
#include "core/model/codec.h"

namespace portier::journal {

// A business case as Portier opened it: the link between the department's Business Process ID
// and the portal's business case id.
struct BusinessCaseRecord {
  std::string business_process_id;
  std::string business_case_id;
  std::string department;
  int32_t service_id = 0;
  std::string owner_id;
  int64_t opened_ms = 0;
};

// A receipt a delivery platform mailed for a registered delivery, as kept
// (docs/contracts/delivery-platform.md §3). Its raw message, PDF and signature are in the
// document store under their SHA-256.
struct ReceiptRecord {
  std::string receipt_id;             // SHA-256 (hex) of the raw message, byte for byte
  std::string delivery_id;
  std::string kind;                   // SUBMISSION | ACCEPTANCE | REFUSAL | EXPIRY | UNDELIVERABLE
  int64_t event_ms = 0;               // on the platform's clock
  std::string platform;               // incamail | privasphere
  std::string receipt_message_id;
  std::string pdf_sha256;
  std::string signature_sha256;
  bool signature_valid = false;
  std::string signature_detail;       // the signer's subject, or why the signature does not hold
  int64_t recorded_ms = 0;
};

struct DepartmentEvent;

// A link between a portal account (one of its profiles) and a person in a department's system,
// for one portal service (docs: core/identity/README.md). The coupling parameters themselves are
// not kept, only their digest: what was checked can be confirmed, not read back.
struct IdentityLinkRecord {
  std::string link_id;                // UUID
  std::string account_id;             // the portal account (owner id)
  std::string profile_id;             // the portal profile (person or company)
  int32_t service_id = 0;
  std::string department;
  std::string state;                  // pending | active | rejected | revoked
  std::string person_ref_category;    // the department's person reference (eCH-0044
  std::string person_ref_id;          //   localPersonId): passed on for this account
  int32_t identification_level = 0;
  std::string coupling_sha256;        // digest of the normalised coupling parameters
  std::string matched_on;             // fields the department matched on, comma-separated
  std::string check_id;               // the check that created the link
  std::string decided_by;             // "auto" or who decided at the department
  std::string reason;                 // why it was rejected or revoked
  int64_t created_ms = 0;
  int64_t decided_ms = 0;             // 0 while pending
  int64_t updated_ms = 0;
};

// One identity check as the evidence log keeps it, with the link it creates (if any).
struct IdentityCheckEntry {
  std::string check_id;
  std::string department;
  std::string account_id;
  std::string profile_id;
  int32_t service_id = 0;
  std::string result;                 // MATCH | NO_MATCH | ... as answered to the portal
  std::string answered_from;          // "department" or "link"
  std::string request_sha256;         // coupling parameters, normalised
  std::string response_sha256;        // the department's answer as received; "" if none
  std::string detail;                 // JSON without personal data
  std::optional<IdentityLinkRecord> new_link;
};

// A change of a link's state by the department (decide), or by an operator or the portal
// (revoke). The link must be in one of `from_states`.
struct IdentityLinkChange {
  std::string link_id;
  std::string department;             // required owner; "" for an operator or the portal
  std::vector<std::string> from_states;
  std::string to_state;
  std::string by;
  std::string reason;
  std::string operation;              // for the evidence log, e.g. "decideIdentityLink"
};

struct IdentityLinkFilter {
  std::optional<std::string> department;
  std::optional<std::string> state;
  std::optional<std::string> account_id;
  int limit = 100;
};

// What an intake may do inside its transaction. Runs on the writer thread: keep it quick.
class IntakeTransaction {
 public:
  virtual ~IntakeTransaction() = default;
  virtual std::optional<BusinessCaseRecord> find_case(const std::string& business_process_id) = 0;
  virtual void open_case(const BusinessCaseRecord& record) = 0;
  // Adds one work item for `destination`. Its downstream idempotency key is derived from the
  // intake's key, so a replayed intake can never produce a second item.
  virtual void enqueue(const std::string& destination, const model::Message& message) = 0;
  // Adds one work item that is parked at once with `reason`: kept, listed and replayable by the
  // operator, but never delivered on its own (e.g. a form submission that cannot be handed on).
  virtual void enqueue_parked(const std::string& destination, const model::Message& message,
                              const std::string& reason) = 0;
  // A department event, stored with the intake (e.g. a registered delivery's new state).
  virtual void add_event(const DepartmentEvent& event) = 0;
  // Pull mode: a work item that waits (parked, with `reason`) until the department
  // acknowledges `event`, which is stored with it. The acknowledgement makes the item pending
  // in the same transaction, so a crash can neither lose nor repeat the release. `subject` names
  // what the event is about (e.g. an APF application id, unique per event kind), for held_item().
  virtual void hold_until_acknowledged(const std::string& destination,
                                       const model::Message& message, const std::string& reason,
                                       const DepartmentEvent& event,
                                       const std::string& subject) = 0;
  // A registered delivery's receipt; one already kept (the same receipt_id) is an error.
  virtual void record_receipt(const ReceiptRecord& receipt) = 0;
};

// A WS-Security nonce to remember with an intake, in the same transaction: a nonce seen before
// (from any instance sharing the database) fails the intake with kAlreadyExists.
struct Nonce {
  std::string value;
  int64_t expires_ms = 0;             // forgotten after this (the timestamp window has passed)
};

struct Intake {
  std::string idempotency_key;        // unique per department and message, e.g. "dept/messageId"
  std::optional<Nonce> nonce;
  std::string department;
  std::string business_process_id;
  std::string correlation_id;
  std::string operation;              // e.g. "reportStatus", recorded in the evidence log
  std::string request_sha256;         // digest of what came in
  // Builds the intake's work inside the transaction and returns the answer to keep for this key.
  // An error rolls back this intake alone and is handed to the callback.
  std::function<Result<std::string>(IntakeTransaction&)> build;
};

struct IntakeOutcome {
  bool duplicate = false;             // the key was known: nothing new was stored
  std::string answer;                 // the answer stored with the key the first time
};

enum class ItemState { kPending, kInFlight, kDone, kParked };
const char* to_string(ItemState state);
std::optional<ItemState> parse_item_state(const std::string& text);

// How one delivery attempt ended, as dispatch decided it.
struct AttemptRecord {
  enum class Verdict { kDelivered, kRetry, kPark } verdict = Verdict::kDelivered;
  int64_t next_attempt_ms = 0;        // for kRetry
  std::string error;                  // for kRetry and kPark
  std::string request_sha256;
  std::string response_sha256;
  std::string detail;                 // e.g. "HTTP 201", kept in the evidence log
  std::string counterpart_ref;        // kDelivered: the counterpart's id for it, if it gave one
};

struct StoredItem {
  model::WorkItem item;               // item.message is empty if the payload is damaged
  ItemState state = ItemState::kPending;
  std::string kind;
  int64_t next_attempt_ms = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  std::string last_error;
  std::string payload_sha256;         // hex, as stored at intake
};

struct ItemFilter {
  std::optional<ItemState> state;
  std::optional<std::string> business_process_id;
  std::optional<std::string> destination;
  int limit = 100;
};

// A request refused for who sent it or what it tried to reach.
struct AuditEntry {
  int64_t seq = 0;
  int64_t at_ms = 0;
  std::string department;             // as resolved or claimed; "" if unknown
  std::string remote_address;
  std::string operation;
  std::string business_process_id;
  std::string reason;
  std::string correlation_id;
};

// Something a department should learn about, kept until it acknowledges it (pull mode).
struct DepartmentEvent {
  int64_t seq = 0;
  std::string department;
  std::string kind;                   // "deliveryFailed", "messageRead", ...
  std::string business_process_id;
  int64_t at_ms = 0;
  std::string detail;                 // JSON text
};

// The event that offers a department that pulls its forms a submission; its subject is the
// APF application id, and it holds the submission's take-over until acknowledged.
inline constexpr char kFormSubmittedEvent[] = "formSubmitted";

// A work item held until its department acknowledges an event (hold_until_acknowledged).
struct HeldItem {
  StoredItem item;
  DepartmentEvent event;
  bool acknowledged = false;
};

// Something that happened to a business case, as a counterpart's feed reports it by the
// portal's business case id (e.g. a citizen read a message).
struct CaseEvent {
  std::string business_case_id;
  std::string kind;
  int64_t at_ms = 0;
  std::string detail;                 // JSON text
};

// Open and parked work of one destination, for backlog metrics.
struct Backlog {
  int64_t open = 0;                   // pending or in flight
  int64_t oldest_open_ms = 0;         // created_ms of the oldest open item; 0 if none
  int64_t oldest_open_id = 0;         // that item's id (its message may say more); 0 if none
  int64_t parked = 0;
};

// An inbox delivery the RC adapter took (it gave `counterpart_ref` for it) that is not yet known
// to be in the citizen's inbox.
struct InboxFollowUp {
  std::string delivery_id;
  std::string counterpart_ref;
  std::string department;
  std::string business_process_id;
};

struct DepthRow {
  std::string destination;
  ItemState state;
  int64_t count;
};

class Journal {
 public:
  using IntakeCallback = std::function<void(Result<IntakeOutcome>)>;
  virtual ~Journal() = default;

  // Commits the intake (group commit: concurrent intakes share one fsync) and then calls back.
  virtual void accept(Intake intake, IntakeCallback done) = 0;

  // Claims up to `max` due items of `destination` for `lease_ms`. Items of one Business Process
  // ID are handed out in order: an item waits while an earlier one of its case is pending or in
  // flight (parked ones do not hold the case up). A payload whose SHA-256 no longer matches is
  // parked as damaged and never returned.
  virtual Result<std::vector<model::WorkItem>> claim(const std::string& destination, int max,
                                                     int64_t now_ms, int64_t lease_ms) = 0;
  virtual Status settle(int64_t item_id, const AttemptRecord& attempt) = 0;

  // Operator actions: a parked (or pending) item back to pending now; any unfinished item parked.
  virtual Status replay(int64_t item_id) = 0;
  virtual Status park(int64_t item_id, const std::string& reason) = 0;

  virtual Result<std::vector<StoredItem>> list(const ItemFilter& filter) = 0;
  virtual Result<StoredItem> get(int64_t item_id) = 0;
  virtual Result<std::vector<DepthRow>> depth() = 0;
  virtual Result<std::optional<BusinessCaseRecord>> find_case(const std::string& bpid) = 0;
  // The work item that carries the document delivery `delivery_id`, if there is one.
  virtual Result<std::optional<StoredItem>> find_delivery(const std::string& delivery_id) = 0;
  // The receipts of a registered delivery, oldest event first; one receipt by its id.
  virtual Result<std::vector<ReceiptRecord>> receipts(const std::string& delivery_id) = 0;
  virtual Result<std::optional<ReceiptRecord>> find_receipt(const std::string& receipt_id) = 0;
  // Registered deliveries made available (a SUBMISSION receipt) that have no final receipt yet
  // and no intake under `"<key_prefix>" + delivery_id`: the ones a periodic check still watches.
  virtual Result<std::vector<std::string>> deliveries_awaiting_outcome(
      const std::string& key_prefix) = 0;
  // Inbox deliveries of `destination` to follow (delivered there, no final status yet), oldest
  // first; recording a status: STORED_IN_INBOX, READ (final, event documentInInbox) and REJECTED
  // (final, event deliveryFailed) end the following; anything else is just kept.
  virtual Result<std::vector<InboxFollowUp>> inbox_awaiting_storage(const std::string& destination,
                                                                    int limit) = 0;
  virtual Status record_inbox_status(const InboxFollowUp& delivery, const std::string& status,
                                     int64_t at_ms, const std::string& detail) = 0;
  // The last recorded status of an inbox delivery and its detail, if any.
  virtual Result<std::optional<std::pair<std::string, std::string>>> inbox_status(
      const std::string& delivery_id) = 0;
  // The next time any item of `destination` becomes due, if one is waiting.
  virtual Result<std::optional<int64_t>> next_due_ms(const std::string& destination) = 0;

  // The whole evidence chain in order (for verification) or one case's records.
  virtual Result<std::vector<evidence::Record>> evidence(
      const std::optional<std::string>& business_process_id) = 0;
  // The highest sequence number ever handed out, so a removed tail is noticed.
  virtual Result<int64_t> evidence_high_water() = 0;

  // Blocking (worker threads). Remembers `nonce` for `department` unless it is known: true if
  // new, false if seen before. Expired nonces are forgotten.
  virtual Result<bool> remember_nonce(const std::string& department, const Nonce& nonce) = 0;

  virtual Status audit(const AuditEntry& entry) = 0;
  virtual Result<std::vector<AuditEntry>> audit_log(int limit) = 0;

  // Events for departments that pull. add_event() is also called when dispatch parks an item of
  // a department (kind "deliveryFailed"), in the same transaction as the parking.
  virtual Status add_event(const DepartmentEvent& event) = 0;
  // Unacknowledged events of `department` with seq > after_seq, oldest first.
  virtual Result<std::vector<DepartmentEvent>> events(const std::string& department,
                                                      int64_t after_seq, int limit) = 0;
  // Acknowledges the department's events with these seqs; returns how many were open. An event
  // that holds a work item releases it (parked -> pending, due now) in the same transaction.
  virtual Result<int> ack_events(const std::string& department,
                                 const std::vector<int64_t>& seqs) = 0;
  // The item held by the event of `kind` about `subject`, or by the event that holds work item
  // `item_id`; nothing if there is none.
  virtual Result<std::optional<HeldItem>> held_item(const std::string& kind,
                                                    const std::string& subject) = 0;
  virtual Result<std::optional<HeldItem>> held_item(int64_t item_id) = 0;

  // A counterpart's event feed (blocking, worker threads): how far Portier has read it (0 at
  // first), and advancing it: the events become department events of the cases' departments
  // (events of cases Portier did not open are skipped) in the same transaction that moves the
  // cursor, so a crash neither loses nor repeats one.
  virtual Result<int64_t> feed_cursor(const std::string& feed) = 0;
  virtual Status advance_feed(const std::string& feed, int64_t cursor,
                              const std::vector<CaseEvent>& events) = 0;

  virtual Result<Backlog> backlog(const std::string& destination) = 0;
  // Whether an intake with this idempotency key was committed (blocking, worker threads).
  virtual Result<bool> knows_intake(const std::string& idempotency_key) = 0;
  // The work items one intake produced, in the order it enqueued them.
  virtual Result<std::vector<StoredItem>> items_of_intake(const std::string& idempotency_key) = 0;

  // Poll leases (blocking, worker threads): one holder at a time may poll `name` (e.g. an APF
  // mailbox). hold_lease() takes the lease if it is free or expired, or renews it for its
  // holder, until now_ms + ttl_ms; false if another holder has it. Instances sharing the
  // database therefore never poll one mailbox at once.
  virtual Result<bool> hold_lease(const std::string& name, const std::string& holder,
                                  int64_t now_ms, int64_t ttl_ms) = 0;
  // Gives the lease up if `holder` has it (at a clean stop), so another may take it at once.
  virtual Status release_lease(const std::string& name, const std::string& holder) = 0;
  // Identity links (blocking, worker threads). find_identity_link: the pending or active link
  // of an account's profile for a service, if any.
  virtual Result<std::optional<IdentityLinkRecord>> find_identity_link(
      const std::string& account_id, const std::string& profile_id, int32_t service_id) = 0;
  virtual Result<std::optional<IdentityLinkRecord>> identity_link(const std::string& link_id) = 0;
  virtual Result<std::vector<IdentityLinkRecord>> identity_links(
      const IdentityLinkFilter& filter) = 0;
  // Appends the check to the evidence log and creates its new link (with an "identityLink"
  // event for the department) in one transaction. Returns the link in force afterwards: the new
  // one, or the one a concurrent check created first (then the new one is dropped), or none.
  virtual Result<std::optional<IdentityLinkRecord>> record_identity_check(
      const IdentityCheckEntry& entry) = 0;
  // Moves a link to another state, with its evidence record and department event. kNotFound,
  // kPermissionDenied (another department's link), kFailedPrecondition (not in from_states).
  virtual Result<IdentityLinkRecord> change_identity_link(const IdentityLinkChange& change) = 0;

  // OK, or the sticky error that stopped the journal.
  virtual Status health() const = 0;
};

}  // namespace portier::journal
