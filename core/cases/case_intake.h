#pragma once
// The use cases that queue work: open a business case, report its status, add an activity,
// send a notification or a message, deliver a document. Each becomes one journal intake (the
// canonical message for its destination, built inside the transaction from the business case
// it names) and the answer kept with its idempotency key "<department>/<messageId>", so the
// same messageId twice answers the first answer and stores nothing new. Authorisation that
// needs the case (only the department that opened a case may act on it) happens inside the
// transaction, so it cannot race with the case being opened. Pure functions; any thread.
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/cases/call_origin.h"
#include "core/cases/requests.h"
#include "core/journal/journal.h"
#include "core/mapping/mapping.h"

namespace portier::cases {

struct PreparedIntake {
  journal::Intake intake;
  IntakeAnswer answer;  // what a new intake answers; its stored form is what `build` returns
};

// True for the operations prepare_intake() handles (all that queue work but deliverDocument).
bool queues_work(const DepartmentRequest& request);

// For openBusinessCase, reportStatus, addActivity, sendNotification and sendMessage.
// Errors (a service the department may not use, an unknown department status code, a text
// over the mapping's limit) name the field and store nothing.
Result<PreparedIntake> prepare_intake(const DepartmentRequest& request, const CallOrigin& origin,
                                      int64_t now_ms);

// What deliverDocument stored before its intake: the document's digest and size, and its name
// and title as the department's mapping makes them.
struct AcceptedDocument {
  std::string sha256;
  uint64_t size = 0;
  std::string file_name;
  std::string title;
  // Registered mail: the citizen's address and the platform; empty for the inbox.
  std::string recipient;
  std::string platform;
  uint16_t deadline_days = 0;  // the document kind's deadline; 0: none
};

// Registered mail: the configured platform that takes `request` (its own choice, else the first
// configured), after checking it names a recipient. Refused before anything is stored.
Result<std::string> registered_platform(const DeliverDocument& request,
                                        const std::vector<std::string>& configured);

// For deliverDocument, once the document is stored and checked.
Result<PreparedIntake> prepare_document_intake(const DeliverDocument& request,
                                               const CallOrigin& origin, int64_t now_ms,
                                               const AcceptedDocument& document);

// The answer kept with a key, as `request`'s operation answers it (a repeated messageId).
Result<IntakeAnswer> stored_answer(const DepartmentRequest& request, const std::string& stored);

}  // namespace portier::cases
