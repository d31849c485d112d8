#pragma once
// The records the journal keeps and hands out, shared by all of its interfaces (journal.h).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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
  std::string receipt_id;  // SHA-256 (hex) of the raw message, byte for byte
  std::string delivery_id;
  std::string kind;      // SUBMISSION | ACCEPTANCE | REFUSAL | EXPIRY | UNDELIVERABLE
  int64_t event_ms = 0;  // on the platform's clock
  std::string platform;  // incamail | privasphere
  std::string receipt_message_id;
  std::string pdf_sha256;
  std::string signature_sha256;
  bool signature_valid = false;
  std::string signature_detail;  // the signer's subject, or why the signature does not hold
  int64_t recorded_ms = 0;
  int64_t purged_ms = 0;  // when its files were deleted (content_retention.h); 0: kept
};

struct DepartmentEvent;

// A link between a portal account (one of its profiles) and a person in a department's system,
// for one portal service (docs: core/identity/README.md). The coupling parameters themselves are
// not kept, only their digest: what was checked can be confirmed, not read back.
struct IdentityLinkRecord {
  std::string link_id;     // UUID
  std::string account_id;  // the portal account (owner id)
  std::string profile_id;  // the portal profile (person or company)
  int32_t service_id = 0;
  std::string department;
  std::string state;                // pending | active | rejected | revoked
  std::string person_ref_category;  // the department's person reference (eCH-0044
  std::string person_ref_id;        //   localPersonId): passed on for this account
  int32_t identification_level = 0;
  std::string coupling_sha256;  // digest of the normalised coupling parameters
  std::string matched_on;       // fields the department matched on, comma-separated
  std::string check_id;         // the check that created the link
  std::string decided_by;       // "auto" or who decided at the department
  std::string reason;           // why it was rejected or revoked
  int64_t created_ms = 0;
  int64_t decided_ms = 0;  // 0 while pending
  int64_t updated_ms = 0;
};

// One identity check as the evidence log keeps it, with the link it creates (if any).
struct IdentityCheckEntry {
  std::string check_id;
  std::string department;
  std::string account_id;
  std::string profile_id;
  int32_t service_id = 0;
  std::string result;           // MATCH | NO_MATCH | ... as answered to the portal
  std::string answered_from;    // "department" or "link"
  std::string request_sha256;   // coupling parameters, normalised
  std::string response_sha256;  // the department's answer as received; "" if none
  std::string detail;           // JSON without personal data
  std::optional<IdentityLinkRecord> new_link;
};

// A change of a link's state by the department (decide), or by an operator or the portal
// (revoke). The link must be in one of `from_states`.
struct IdentityLinkChange {
  std::string link_id;
  std::string department;  // required owner; "" for an operator or the portal
  std::vector<std::string> from_states;
  std::string to_state;
  std::string by;
  std::string reason;
  std::string operation;  // for the evidence log, e.g. "decideIdentityLink"
};

// Four eyes: the first reviewer's approval of a pending link, kept until a second reviewer
// decides or the link leaves pending otherwise.
struct FirstApproval {
  std::string link_id;
  std::string by;  // the first reviewer
  int64_t at_ms = 0;
};

struct IdentityLinkFilter {
  std::optional<std::string> department;
  std::optional<std::string> state;
  std::optional<std::string> account_id;
  int limit = 100;
};

enum class ItemState { kPending, kInFlight, kDone, kParked };
const char* to_string(ItemState state);
std::optional<ItemState> parse_item_state(const std::string& text);

// How one delivery attempt ended, as dispatch decided it.
struct AttemptRecord {
  enum class Verdict { kDelivered, kRetry, kPark } verdict = Verdict::kDelivered;
  int64_t next_attempt_ms = 0;  // for kRetry
  std::string error;            // for kRetry and kPark
  std::string request_sha256;
  std::string response_sha256;
  std::string detail;           // e.g. "HTTP 201", kept in the evidence log
  std::string counterpart_ref;  // kDelivered: the counterpart's id for it, if it gave one
};

struct StoredItem {
  model::WorkItem item;  // item.message is empty if the payload is damaged
  ItemState state = ItemState::kPending;
  std::string kind;
  int64_t next_attempt_ms = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  std::string last_error;
  std::string payload_sha256;  // hex, as stored at intake
  // When the purge emptied the message's personal fields (content_retention.h); 0: intact.
  // The payload digest stays that of the message as accepted.
  int64_t purged_ms = 0;
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
  std::string department;  // as resolved or claimed; "" if unknown
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
  std::string kind;  // "deliveryFailed", "messageRead", ...
  std::string business_process_id;
  int64_t at_ms = 0;
  std::string detail;  // JSON text
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
  std::string detail;  // JSON text
};

// Open and parked work of one destination, for backlog metrics.
struct Backlog {
  int64_t open = 0;            // pending or in flight
  int64_t oldest_open_ms = 0;  // created_ms of the oldest open item; 0 if none
  int64_t oldest_open_id = 0;  // that item's id (its message may say more); 0 if none
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

// Where finished content lives (content_retention.h).
enum class ContentSource { kWorkItem, kReceipt, kIdentityLink, kEvent };

// Content whose work has finished, as the purge considers it.
struct FinishedContent {
  ContentSource source = ContentSource::kWorkItem;
  std::string id;  // work item id, receipt id, link id or event seq
  std::string department;
  // The evidence chain it belongs to: its case's Business Process ID, or where there is none
  // "identity:<link id>", "delivery:<delivery id>", "work-item:<id>" or "events:<department>".
  std::string business_process_id;
  int64_t work_item_id = 0;               // work items: their id
  int64_t finished_ms = 0;                // when its work ended; retention counts from here
  std::string content_sha256;             // digest of the content that goes (it stays)
  std::optional<model::Message> message;  // work items: the message as accepted
  std::string delivery_id;                // receipts: their delivery
  std::vector<std::string> files;         // document-store files it refers to
};

// One piece of content to delete, with the detail of its "purged" evidence record.
struct PurgeOrder {
  FinishedContent content;
  std::string evidence_detail;
  std::optional<model::Message> kept;  // work items: what remains of the message
};

// A poll lease as held (poll_state.h), for listing who works what.
struct LeaseRecord {
  std::string name;
  std::string holder;
  int64_t expires_ms = 0;
};

// A portierd instance sharing the journal, as it last reported itself (Instances).
struct InstanceRecord {
  std::string instance;
  int64_t started_ms = 0;
  int64_t seen_ms = 0;
  int64_t items_in_flight = 0;  // work items it holds a lease on now
};

}  // namespace portier::journal
