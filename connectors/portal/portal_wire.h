#pragma once
// The portal's wire format, in one place: which call a canonical message becomes. The paths and
// the business-case bodies are ours until the canton hands over the real API (see
// docs/contracts/portal.md). Pure functions.
#include <optional>
#include <string>

#include "core/model/codec.h"

namespace portier::portal {

struct PortalRequest {
  std::string method;
  std::string path;     // below the configured base URL, e.g. "/businesscases"
  std::string body;     // JSON
};

// The call for `item`, or nothing if the portal has no use for this kind of message.
std::optional<PortalRequest> to_portal_request(const model::WorkItem& item);

// "title: detail" from an RFC 7807 problem+json body, or the body's start if it is not one.
std::string describe_problem(const std::string& body);

}  // namespace portier::portal
