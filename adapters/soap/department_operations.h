#pragma once
// What each department operation that queues work stores: its journal intake (the canonical
// message for the portal, built inside the transaction from the business case it names) and
// the answer kept with its idempotency key. Authorisation that needs the case (only the
// department that opened a case may act on it) happens inside the transaction, so it cannot
// race with the case being opened. Pure functions; any thread.
#include <string>

#include "adapters/http/message.h"
#include "adapters/soap/department_codec.h"
#include "core/base/status.h"
#include "core/journal/journal.h"
#include "core/mapping/mapping.h"

namespace portier::soap_adapter {

// The destination name under which work for the portal is queued.
inline constexpr char kPortalDestination[] = "portal";

struct PreparedIntake {
  journal::Intake intake;
  std::string answer;  // stored with the key; write_answer() turns it into the SOAP answer
};

// For openBusinessCase, reportStatus, addActivity, sendNotification and sendMessage.
// Errors (a service the department may not use, an unknown department status code, a text
// over the mapping's limit) name the field and store nothing.
Result<PreparedIntake> prepare_intake(const ParsedRequest& parsed,
                                      const mapping::DepartmentMapping& department,
                                      const http::Request& request, int64_t now_ms);

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
};

// The destination of documents for the citizen's e-account inbox.
inline constexpr char kRcAdapterDestination[] = "rc_adapter";
// The destination of registered mail (IncaMail, PrivaSphere).
inline constexpr char kSecureMailDestination[] = "securemail";

// Registered mail: the configured platform that takes `request` (its own choice, else the first
// configured), after checking it names a recipient. Refused before anything is stored.
Result<std::string> registered_platform(const DeliverDocument& request,
                                        const std::vector<std::string>& configured);

// For deliverDocument, once the document is stored and checked.
Result<PreparedIntake> prepare_document_intake(const ParsedRequest& parsed,
                                               const mapping::DepartmentMapping& department,
                                               const http::Request& request, int64_t now_ms,
                                               const AcceptedDocument& document);

// The SOAP answer for a stored answer of `parsed`'s operation.
std::string write_answer(DepartmentCodec& codec, const ParsedRequest& parsed,
                         const std::string& stored_answer);

// True for the operations prepare_intake() handles.
bool queues_work(const DepartmentRequest& request);

}  // namespace portier::soap_adapter
