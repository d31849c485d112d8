#pragma once
// What a department asks of Portier and what it is answered, as plain C++ values: the
// canonical requests of the department use cases, whatever protocol carried them.
// Adapters decode into these and encode from them; the use cases (department_cases.h) take and
// give nothing else. Value types; any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/model/codec.h"

namespace portier::cases {

struct MessageHeader {
  std::string sender_id;
  std::string message_id;
  std::optional<std::string> business_process_id;
  std::optional<std::string> our_business_reference_id;
};

struct OpenBusinessCase {
  MessageHeader header;
  int32_t service_id = 0;
  std::string owner_id;
  std::string title;
};

// Exactly one of `status` (a portal status) and `department_status_code` (translated by the
// department's status table) is set.
struct ReportStatus {
  MessageHeader header;  // businessProcessId required
  std::optional<model::CaseStatus::type> status;
  std::optional<std::string> department_status_code;
  std::optional<std::string> status_text;
};

// egov4 Activity fields (the portal assigns id, ownerId, createdBy and creationStamp; Portier
// fills businessCaseId and serviceId from the case).
struct AddActivity {
  MessageHeader header;  // businessProcessId required
  std::string title;
  std::string body;
  std::string type;
  std::optional<std::string> target;
  std::optional<std::string> event;
  std::optional<std::string> module;
  std::optional<std::string> object_id;
  std::optional<int64_t> display_stamp_ms;
};

struct SendNotification {
  MessageHeader header;  // businessProcessId required
  std::string subject;
  std::string body;
  bool important = false;
};

// A message to the citizen's e-account inbox; important = must be read at next login.
struct SendMessage {
  MessageHeader header;  // businessProcessId required
  std::string subject;
  std::string body;
  bool important = false;
};

// A PDF for the citizen of a case. `document` holds the decoded bytes.
struct DeliverDocument {
  MessageHeader header;  // businessProcessId required
  std::string document_kind;
  std::string title;
  std::string date;      // yyyy-mm-dd, for the document's name
  std::string document;
  bool important = false;
  enum class Channel { kInbox, kRegistered, kAuto } channel = Channel::kAuto;
  std::optional<std::string> recipient;  // registered mail: the citizen's address
  std::optional<std::string> platform;   // registered mail: incamail | privasphere
};

struct GetDelivery {
  MessageHeader header;
  std::string delivery_id;
};

struct GetReceipt {
  MessageHeader header;
  std::string receipt_id;
};

struct GetBusinessCase {
  MessageHeader header;  // businessProcessId required
};

struct ListEvents {
  MessageHeader header;
  int64_t after_seq = 0;    // events with a higher sequence number
  int32_t max_events = 100;
};

struct AckEvents {
  MessageHeader header;
  std::vector<int64_t> seqs;
};

// A form submission the department pulls, by its APF application id.
struct GetSubmission {
  MessageHeader header;
  std::string application_id;
};

// The department's decision on a pending identity link.
struct DecideIdentityLink {
  MessageHeader header;
  std::string link_id;
  bool approve = false;
  std::string decided_by;
  std::string reason;
};

using DepartmentRequest = std::variant<OpenBusinessCase, ReportStatus, AddActivity,
                                       SendNotification, SendMessage, DeliverDocument,
                                       GetDelivery, GetReceipt, GetBusinessCase, ListEvents, AckEvents,
                                       DecideIdentityLink, GetSubmission>;

// The header every request carries.
const MessageHeader& header_of(const DepartmentRequest& request);
// The operation's name as every protocol spells it (e.g. "reportStatus"): it names the call in
// the journal, the evidence, the audit log and the metrics.
const char* operation_name(const DepartmentRequest& request);

struct OpenBusinessCaseAnswer {
  std::string business_process_id;
  std::string business_case_id;
  int64_t accepted_ms = 0;
};

// The answer of every operation that queues work: reportStatus, addActivity,
// sendNotification, sendMessage.
struct AcceptedAnswer {
  std::string operation;  // selects the response element, e.g. "reportStatus"
  std::string business_process_id;
  int64_t accepted_ms = 0;
};

struct DocumentAnswer {
  std::string business_process_id;
  std::string delivery_id;
  std::string file_name;
  std::string title;
  std::string sha256;
  int64_t accepted_ms = 0;
};

struct DeliveryAnswer {
  std::string delivery_id;
  std::string business_process_id;
  std::string status;   // QUEUED | DELIVERED | FAILED
  std::string channel;  // inbox
  std::string file_name;
  std::string title;
  std::string sha256;
  std::string detail;   // why it failed; "" otherwise
  // Registered mail only:
  std::string platform;
  std::string legal_delivery_date;  // yyyy-mm-dd once known
  std::string deadline_last_day;    // yyyy-mm-dd once known, where the document sets one
  struct Receipt {
    std::string receipt_id;
    std::string kind;
    int64_t event_ms = 0;
    bool signature_valid = false;
  };
  std::vector<Receipt> receipts;
};

// One receipt, byte for byte.
struct ReceiptAnswer {
  std::string receipt_id;
  std::string delivery_id;
  std::string kind;
  int64_t event_ms = 0;
  std::string platform;
  bool signature_valid = false;
  std::string signature_detail;
  std::string pdf;
  std::string signature;
  std::string message;
};

struct HistoryEntry {
  std::string status;
  std::string status_text;
  int64_t at_ms = 0;
};

struct BusinessCaseAnswer {
  std::string business_process_id;
  std::string business_case_id;
  int32_t service_id = 0;
  std::string owner_id;
  std::string title;
  std::string status;
  std::string status_text;
  std::vector<HistoryEntry> history;
};

struct Event {
  int64_t seq = 0;
  std::string kind;  // e.g. "deliveryFailed", "messageRead"
  std::string business_process_id;
  int64_t at_ms = 0;
  std::string detail;
};

struct EventsAnswer {
  std::vector<Event> events;
};

struct IdentityLinkAnswer {
  std::string link_id;
  std::string state;
  std::string account_id;
  int32_t service_id = 0;
  std::string person_id_category;
  std::string person_id;
};

// A file of a submission: its bytes and their SHA-256 (hex) as recorded when it was polled.
struct SubmittedFile {
  std::string sha256;
  std::string content;
};

struct SubmissionAnswer {
  std::string application_id;
  std::string form_id;
  std::string mailbox;
  std::string business_process_id;
  std::string business_case_id;
  int64_t submitted_ms = 0;                          // 0: unknown
  std::vector<std::pair<std::string, std::string>> fields;
  SubmittedFile form_data;
  std::optional<SubmittedFile> pdf;
  std::vector<SubmittedFile> attachments;
  bool acknowledged = false;
};

struct AckAnswer {
  int32_t acknowledged = 0;
};

// What an operation that queues work answers (kept with its idempotency key).
using IntakeAnswer = std::variant<OpenBusinessCaseAnswer, AcceptedAnswer, DocumentAnswer>;
// What a read (or a decision that is answered at once) answers.
using ReadAnswer = std::variant<BusinessCaseAnswer, DeliveryAnswer, ReceiptAnswer, EventsAnswer,
                                AckAnswer, SubmissionAnswer, IdentityLinkAnswer>;

}  // namespace portier::cases
