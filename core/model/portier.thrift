// Portier's canonical messages. Adapters turn what comes in into these; connectors turn them
// into what a counterpart expects. The journal stores them as Thrift compact binary, so field
// ids are forever: add fields with new ids, never renumber or reuse one.
namespace cpp portier.model

// Business case status as the portal knows it.
enum CaseStatus {
  OPEN = 1,
  IN_PROGRESS = 2,
  WAITING_FOR_CUSTOMER = 3,
  DECIDED = 4,
  CLOSED = 5,
  CANCELLED = 6,
}

// A department opens a business case for a portal account and one of its services.
struct BusinessCase {
  1: string businessCaseId       // UUID, allocated by Portier when the case is opened
  2: i32 serviceId
  3: string ownerId               // portal account or profile key
  4: string title
  5: optional string ourBusinessReferenceId   // the department's own file number
}

struct StatusUpdate {
  1: string businessCaseId
  2: CaseStatus status
  3: optional string statusText
  4: optional string departmentStatusCode     // as the department sent it, before mapping
}

// egov4 Activity (the real 15 fields; the portal assigns id, createdBy and creationStamp).
struct Activity {
  1: string businessCaseId
  2: string ownerId
  3: string title
  4: string body
  5: string type
  6: optional string target
  7: optional string event
  8: optional string moduleName   // egov4 "module" (a reserved word in Thrift)
  9: optional string objectId
  10: optional i32 serviceId
  11: optional i32 relatedProfileId
  12: optional i64 displayStampMs
}

struct Notification {
  1: string ownerId
  2: string subject
  3: string body
  4: bool important
  5: optional string businessCaseId
}

// A message to the citizen's e-account inbox; `important` ones must be read at the next login.
struct InboxMessage {
  1: string ownerId
  2: string businessCaseId        // "" if the message belongs to no business case
  3: string subject
  4: string body
  5: bool important
}

enum DeliveryChannel {
  INBOX = 1,
  REGISTERED = 2,
}

struct DocumentDelivery {
  1: string deliveryId
  2: string documentKind
  3: string title
  4: string fileName
  5: string documentSha256        // hex; the bytes live in the content-addressed store
  6: i64 sizeBytes
  7: bool important
  8: DeliveryChannel channel
  9: optional string recipient    // registered mail only
  10: optional string platform     // "incamail" | "privasphere"
  11: optional string ownerId
  12: optional i32 serviceId       // the portal service (Leistung); the RC adapter requires it
  13: optional string businessCaseId  // UUID of the portal business case the document belongs to
  14: optional i32 deadlineDays    // the deadline the document sets, counted from its delivery
}

// A web form submitted through an AFS Antragspostfach (APF) mailbox. The form data, PDF and
// attachments live in the document store under their SHA-256; the department's intake request
// is built from `fields` (mapped from the form data by the department's mapping).
struct FormSubmission {
  1: string mailbox
  2: string submissionId          // the APF's applicationId
  3: string formId
  4: string payloadSha256         // the form data XML
  5: optional string pdfSha256
  6: optional map<string, string> fields
  7: optional string businessCaseId
  8: optional string ownerId
  9: optional i32 serviceId
  10: optional list<string> attachmentSha256s
  11: optional string formVersion
  12: optional i64 submittedAtMs
}

// eCH-0044-shaped person identification used for identity checks.
struct PersonIdentification {
  1: optional string officialName
  2: optional string firstName
  3: optional string dateOfBirth   // yyyy-mm-dd | yyyy-mm | yyyy
  4: optional string sex
  5: optional string vn
  6: optional string localPersonId
}

struct IdentityLink {
  1: string portalAccountId
  2: i32 serviceId
  3: string department
  4: string departmentPersonRef
  5: PersonIdentification person
  6: i64 linkedAtMs
}

// What a work item carries: exactly one of these.
union Message {
  1: BusinessCase businessCase
  2: StatusUpdate statusUpdate
  3: Activity activity
  4: Notification notification
  5: DocumentDelivery documentDelivery
  6: FormSubmission formSubmission
  7: IdentityLink identityLink
  8: InboxMessage inboxMessage
}

// One unit of outbound work: one message for one destination. The journal stores `message` as
// compact binary together with its SHA-256; the other fields are its columns.
struct WorkItem {
  1: i64 id
  2: string idempotencyKey
  3: string department
  4: string businessProcessId
  5: string destination
  6: i32 attempts
  7: Message message
  8: optional string correlationId
  // The fencing token of the lease under which the item was claimed; settle must present it.
  9: i64 leaseToken
}
