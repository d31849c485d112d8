#pragma once
// The portal's wire format, in one place: which call a canonical message becomes, and how the
// answers Portier reads back (a business case, the event feed) are read. The paths and most
// bodies are ours until the canton hands over the real API; the Activity fields are real (see
// docs/contracts/portal.md). Pure functions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"
#include "core/model/codec.h"
#include "core/query/portal_reader.h"

namespace portier::portal {

struct PortalRequest {
  std::string method;
  std::string path;  // below the configured base URL, e.g. "/businesscases"
  std::string body;  // JSON; empty for a GET
};

// The call for `item`, or nothing if the portal has no use for this kind of message:
//   businessCase -> POST /businesscases        statusUpdate -> PATCH /businesscases/{id}
//   activity     -> POST /activities           notification -> POST /notifications
//   inboxMessage -> POST /messages
std::optional<PortalRequest> to_portal_request(const model::WorkItem& item);

// GET /businesscases/{id}, the id percent-encoded.
PortalRequest case_request(const std::string& business_case_id);
// GET /notifications/feed?after={cursor}&limit={limit}
PortalRequest events_request(int64_t cursor, int limit);

// A business case as GET /businesscases/{id} answers it; kUnavailable if the body is not one.
Result<query::PortalCase> parse_case(const std::string& body);
// The events of a feed page; kUnavailable if the body is not one.
Result<std::vector<query::PortalEvent>> parse_events(const std::string& body);

}  // namespace portier::portal
