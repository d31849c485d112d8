#pragma once
// The department use cases, shared by every inbound protocol: what a call of an
// authenticated department means, decided once. An adapter decodes a request into the
// canonical DepartmentRequest (requests.h), authenticates the caller into a CallOrigin, and
// then asks this service:
//
//   admit()            the department's maxRequestsPerMinute, one budget for all protocols
//   note()             the request log line (personal data as the mapping says)
//   prepare()+commit() openBusinessCase, reportStatus, addActivity, sendNotification,
//                      sendMessage: one journal intake, idempotent by messageId
//   prepare_document() deliverDocument: named, stored, checked (qpdf, no active content), then
//                      commit()
//   read()             getBusinessCase, getDelivery, getReceipt, listEvents, ackEvents,
//                      getSubmission, decideIdentityLink
//   refused()          a refusal of the caller: audit entry and log line
//
// Every answer is canonical (requests.h); every error a Status whose meaning for the caller is
// errors.h's describe_error. Nothing is stored unless the answer is a success.
//
// Threads: admit(), note(), prepare() and commit() never block and may run on I/O threads;
// commit()'s callback runs on the journal's writer thread and must only post work elsewhere.
// prepare_document(), read() and refused() block (journal, store, portal) and belong on a worker
// pool. All methods may be called concurrently.
#include <functional>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/base/rate_limit.h"
#include "core/base/status.h"
#include "core/cases/call_origin.h"
#include "core/cases/case_intake.h"
#include "core/cases/requests.h"
#include "core/documents/active_content.h"
#include "core/documents/document_store.h"
#include "core/documents/pdf_check.h"
#include "core/identity/identity_service.h"
#include "core/journal/journal.h"
#include "core/query/portal_reader.h"
#include "core/registered/lifecycle.h"

namespace portier::cases {

struct DepartmentCasesParts {
  journal::Journal& journal;
  const Clock& clock;
  query::PortalReader& portal;
  std::function<void()> work_accepted;                  // tells dispatch that new work is waiting
  const documents::DocumentStore* documents = nullptr;  // null: deliverDocument is refused
  documents::PdfLimits pdf_limits;
  // Registered mail: the configured platforms (the first is the default; none: refused), and
  // how the legal delivery date is computed.
  std::vector<std::string> registered_platforms;
  registered::LifecycleRule registered_rule;
  // decideIdentityLink goes here; null: it is refused.
  identity::IdentityService* identity = nullptr;
};

// A document that did not arrive in DeliverDocument::document (spooled to disk, an MTOM part):
// the adapter knows how to read it, the use case decides whether and when. `store` is called
// only once the caller and the request passed every check; it stores at most `max_bytes`.
struct DocumentSource {
  uint64_t known_size = 0;  // decoded size if known before reading, else 0
  std::function<Result<documents::StoredDocument>(const documents::DocumentStore& store,
                                                  uint64_t max_bytes)>
      store;
};

class DepartmentCases {
 public:
  explicit DepartmentCases(DepartmentCasesParts parts);

  // kResourceExhausted if the department is over its limit of requests per minute.
  Status admit(const mapping::DepartmentMapping& department);
  // One log line per accepted call; values the mapping marks personal only as a digest.
  void note(const DepartmentRequest& request, const CallOrigin& origin, const char* protocol);

  Result<PreparedIntake> prepare(const DepartmentRequest& request, const CallOrigin& origin);
  using Committed = std::function<void(Result<journal::IntakeOutcome>)>;
  // Commits the intake; a new one wakes dispatch before `done` is called.
  void commit(PreparedIntake prepared, Committed done);
  // The answer of a repeated messageId, as its first call was answered.
  static Result<IntakeAnswer> repeated_answer(const DepartmentRequest& request,
                                              const journal::IntakeOutcome& outcome);

  // deliverDocument: `source` null means the document is DeliverDocument::document.
  Result<PreparedIntake> prepare_document(const DeliverDocument& request, const CallOrigin& origin,
                                          const DocumentSource* source = nullptr);
  Result<ReadAnswer> read(const DepartmentRequest& request, const CallOrigin& origin);

  // A refusal of the caller (kPermissionDenied): the audit entry and a warning. `claimed` is
  // the department the request names, for when the caller was not authenticated at all.
  void refused(const CallOrigin& origin, const std::string& claimed, const std::string& operation,
               const std::string& business_process_id, const Status& status);

 private:
  // The intake check of a stored PDF, then no active content beyond what `kind` allows.
  Status checked_document(const std::string& path, const mapping::DocumentKind* kind) const;
  Result<BusinessCaseAnswer> read_case(const std::string& department,
                                       const GetBusinessCase& request);

  DepartmentCasesParts parts_;
  RateLimiter rate_limiter_;
};

}  // namespace portier::cases
