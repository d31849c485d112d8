// Portier's department service over Thrift: the same operations, fields and refusals as the
// SOAP service (portier-department-v1.wsdl), for department applications that prefer a typed
// RPC interface. Served at POST /thrift/v1 over HTTP (one message per request body; compact or
// binary protocol, Content-Type application/x-thrift or application/vnd.apache.thrift.compact
// / .binary). This file is self-contained so that integrators generate their client from it
// alone: GET /thrift/v1?idl serves it.
//
// Who calls: a department of Portier's mapping files, by its TLS client certificate or by its
// token (HTTP header "Authorization: Bearer <token>"); header.senderId must name the same
// department. A department acts only for its own services and on the business cases it opened.
//
// Idempotency: header.messageId is unique per sender and message. The same messageId again
// answers the first answer and changes nothing, so a call that timed out is simply repeated.
//
// Refusals: RequestRefused (the request is wrong, or not allowed: do not repeat it unchanged),
// TryLater (Portier cannot take it now: repeat it after retryAfterSeconds, with the same
// messageId), InternalError. The reason names the field, with the same words as the SOAP Fault,
// e.g. "element 'reportStatus/header/messageId' must not be empty".
//
// Fields marked "required" in a comment must be sent; they are not Thrift `required` fields so
// that a missing one is refused with a RequestRefused naming it (as the SOAP Fault does), not
// with a bare protocol error. Field ids are forever: new fields get new ids, never renumbered or
// reused.
namespace cpp portier.rpc
namespace py portier_department
namespace java ch.portier.department
namespace netstd Portier.Department
namespace go portier_department

// What a refusal is about; the same words as Portier's other protocols use.
enum ErrorCode {
  INVALID_ARGUMENT = 1,     // bad input: the reason names the field
  NOT_FOUND = 2,            // e.g. an unknown businessProcessId, deliveryId or receiptId
  ALREADY_EXISTS = 3,       // e.g. a businessProcessId already in use
  PERMISSION_DENIED = 4,    // not authenticated, or not allowed to act on this service or case
  FAILED_PRECONDITION = 5,  // the gateway is not configured for it (e.g. registered mail)
}

// The caller's fault (SOAP: a Sender/Client Fault).
exception RequestRefused {
  1: ErrorCode code
  2: string reason
}

// Portier cannot take the call now (SOAP: a Receiver Fault with HTTP 503 and Retry-After).
exception TryLater {
  1: string reason
  2: i32 retryAfterSeconds
}

// Something went wrong inside Portier (SOAP: a Receiver Fault "internal error").
exception InternalError {
  1: string reason
}

// Business case status as the portal shows it to the citizen.
enum CaseStatus {
  OPEN = 1,
  IN_PROGRESS = 2,
  WAITING_FOR_CUSTOMER = 3,
  DECIDED = 4,
  CLOSED = 5,
  CANCELLED = 6,
}

// eCH-0058 message header.
struct MessageHeader {
  1: string senderId                 // required; the department, 1..100 characters
  2: string messageId                // required; unique per sender and message, 1..36 characters
  3: optional string businessProcessId        // 1..128 characters; required but for openBusinessCase
  4: optional string ourBusinessReferenceId   // the department's own file number, at most 50
}

// Opens a business case; businessProcessId may be chosen by the department (else Portier
// allocates one).
struct OpenBusinessCaseRequest {
  1: MessageHeader header  // required
  2: i32 serviceId                   // required; a service of the department's mapping, 1 or more
  3: string ownerId                  // required; portal account or profile, 1..128 characters
  4: string title                    // required; 1..200 characters
}

struct OpenBusinessCaseAnswer {
  1: string businessProcessId
  2: string businessCaseId
  3: i64 acceptedMs                           // when Portier accepted it, epoch milliseconds
}

// Exactly one of status and departmentStatusCode (translated by the mapping's status table).
struct ReportStatusRequest {
  1: MessageHeader header  // required
  2: optional CaseStatus status
  3: optional string departmentStatusCode     // 1..50 characters
  4: optional string statusText               // at most 500 characters
}

// The answer of reportStatus, addActivity, sendNotification and sendMessage.
struct Accepted {
  1: string businessProcessId
  2: i64 acceptedMs
}

// egov4 Activity fields; Portier fills businessCaseId and serviceId from the case.
struct AddActivityRequest {
  1: MessageHeader header  // required
  2: string title                    // required; 1..200 characters
  3: string body                     // required; at most 4000 characters (and the mapping's limit)
  4: string type                     // required; 1..50 characters
  5: optional string target
  6: optional string event
  7: optional string moduleName               // egov4 "module"
  8: optional string objectId
  9: optional i64 displayStampMs
}

struct SendNotificationRequest {
  1: MessageHeader header  // required
  2: string subject                  // required; 1..200 characters
  3: string body                     // required; 1..4000 characters
  4: optional bool important = false
}

// A message to the citizen's e-account inbox; important ones must be read at the next login.
struct SendMessageRequest {
  1: MessageHeader header  // required
  2: string subject                  // required; 1..200 characters
  3: string body                     // required; 1..20000 characters
  4: optional bool important = false
}

enum DeliveryChannel {
  AUTO = 0,        // as the mapping says for the document kind
  INBOX = 1,       // the citizen's e-account inbox
  REGISTERED = 2,  // registered mail with receipts (IncaMail, PrivaSphere)
}

// A PDF for the citizen of a case, named by the mapping from documentKind, title and date.
struct DeliverDocumentRequest {
  1: MessageHeader header  // required
  2: string documentKind             // required; a document kind of the mapping
  3: string title                    // required; 1..200 characters
  4: string date                     // required; yyyy-mm-dd
  5: binary document                 // required; the PDF, at most the gateway's documents maxBytes
  6: optional bool important = false
  7: optional DeliveryChannel channel = DeliveryChannel.AUTO
  8: optional string recipient                // registered mail: the citizen's e-mail address
  9: optional string platform                 // registered mail: incamail | privasphere
}

struct DocumentAnswer {
  1: string businessProcessId
  2: string deliveryId
  3: string fileName
  4: string title
  5: string sha256
  6: i64 acceptedMs
}

struct GetDeliveryRequest {
  1: MessageHeader header  // required
  2: string deliveryId  // required
}

struct ReceiptSummary {
  1: string receiptId
  2: string kind
  3: i64 eventMs
  4: bool signatureValid
}

struct DeliveryAnswer {
  1: string deliveryId
  2: string businessProcessId
  3: string status                            // QUEUED | ACCEPTED | DELIVERED | FAILED | ...
  4: string channel                           // inbox | registered
  5: string fileName
  6: string title
  7: string sha256
  8: string detail                            // why it failed; "" otherwise
  9: string platform                          // registered mail only
  10: string legalDeliveryDate                // yyyy-mm-dd once known
  11: list<ReceiptSummary> receipts
  12: string deadlineLastDay                  // yyyy-mm-dd once known, where the kind sets one
}

struct GetReceiptRequest {
  1: MessageHeader header  // required
  2: string receiptId  // required
}

// One receipt, byte for byte.
struct ReceiptAnswer {
  1: string receiptId
  2: string deliveryId
  3: string kind
  4: i64 eventMs
  5: string platform
  6: bool signatureValid
  7: string signatureDetail
  8: binary pdf
  9: binary signature
  10: binary message
}

struct GetBusinessCaseRequest {
  1: MessageHeader header            // required; businessProcessId required
}

struct HistoryEntry {
  1: string status
  2: string statusText
  3: i64 atMs
}

struct BusinessCaseAnswer {
  1: string businessProcessId
  2: string businessCaseId
  3: i32 serviceId
  4: string ownerId
  5: string title
  6: string status
  7: string statusText
  8: list<HistoryEntry> history
}

struct ListEventsRequest {
  1: MessageHeader header  // required
  2: optional i64 afterSeq = 0                // events with a higher sequence number
  3: optional i32 maxEvents = 100             // 1..500
}

struct Event {
  1: i64 seq
  2: string kind                              // e.g. deliveryFailed, messageRead, formSubmitted
  3: string businessProcessId
  4: i64 atMs
  5: string detail                            // JSON
}

struct EventsAnswer {
  1: list<Event> events
}

struct AckEventsRequest {
  1: MessageHeader header  // required
  2: list<i64> seqs                  // required; 1..500 sequence numbers
}

struct AckAnswer {
  1: i32 acknowledged
}

struct GetSubmissionRequest {
  1: MessageHeader header  // required
  2: string applicationId  // required
}

struct SubmittedFile {
  1: string sha256
  2: binary content
}

struct FormField {
  1: string name
  2: string value
}

struct SubmissionAnswer {
  1: string applicationId
  2: string formId
  3: string mailbox
  4: string businessProcessId
  5: string businessCaseId
  6: i64 submittedMs                          // 0: unknown
  7: list<FormField> fields
  8: SubmittedFile formData
  9: optional SubmittedFile pdf
  10: list<SubmittedFile> attachments
  11: bool acknowledged
}

struct DecideIdentityLinkRequest {
  1: MessageHeader header  // required
  2: string linkId  // required
  3: bool approve  // required
  4: string decidedBy  // required
  5: optional string reason
}

struct IdentityLinkAnswer {
  1: string linkId
  2: string state
  3: string accountId
  4: i32 serviceId
  5: string personIdCategory
  6: string personId
}

service DepartmentService {
  OpenBusinessCaseAnswer openBusinessCase(1: OpenBusinessCaseRequest request)
      throws (1: RequestRefused refused, 2: TryLater later, 3: InternalError internal)
  Accepted reportStatus(1: ReportStatusRequest request)
      throws (1: RequestRefused refused, 2: TryLater later, 3: InternalError internal)
  Accepted addActivity(1: AddActivityRequest request)
      throws (1: RequestRefused refused, 2: TryLater later, 3: InternalError internal)
  Accepted sendNotification(1: SendNotificationRequest request)
      throws (1: RequestRefused refused, 2: TryLater later, 3: InternalError internal)
  Accepted sendMessage(1: SendMessageRequest request)
      throws (1: RequestRefused refused, 2: TryLater later, 3: InternalError internal)
  DocumentAnswer deliverDocument(1: DeliverDocumentRequest request)
      throws (1: RequestRefused refused, 2: TryLater later, 3: InternalError internal)
  DeliveryAnswer getDelivery(1: GetDeliveryRequest request)
      throws (1: RequestRefused refused, 2: TryLater later, 3: InternalError internal)
  ReceiptAnswer getReceipt(1: GetReceiptRequest request)
      throws (1: RequestRefused refused, 2: TryLater later, 3: InternalError internal)
  BusinessCaseAnswer getBusinessCase(1: GetBusinessCaseRequest request)
      throws (1: RequestRefused refused, 2: TryLater later, 3: InternalError internal)
  EventsAnswer listEvents(1: ListEventsRequest request)
      throws (1: RequestRefused refused, 2: TryLater later, 3: InternalError internal)
  AckAnswer ackEvents(1: AckEventsRequest request)
      throws (1: RequestRefused refused, 2: TryLater later, 3: InternalError internal)
  SubmissionAnswer getSubmission(1: GetSubmissionRequest request)
      throws (1: RequestRefused refused, 2: TryLater later, 3: InternalError internal)
  IdentityLinkAnswer decideIdentityLink(1: DecideIdentityLinkRequest request)
      throws (1: RequestRefused refused, 2: TryLater later, 3: InternalError internal)
}
