#pragma once
// Every error of the portal interface becomes an RFC 7807 problem+json answer here, and only
// here (table-tested): the status code follows the error's kind, `field` names the member of
// the request that is wrong (also as "invalid-params", RFC 7807 §3's example extension), and
// traceId carries the correlation id. Pure function; any thread.
#include <chrono>
#include <string>

#include "adapters/http/message.h"
#include "core/base/status.h"

namespace portier::rest_adapter {

struct ProblemDetails {
  Status status;
  std::string field;          // "" if the problem is not one field's
  std::string result;         // e.g. NOT_AUTHORISED, for a refusal that is also a result
  std::string trace_id;
  std::chrono::seconds retry_after{0};
  bool authentication = false;  // 401 with WWW-Authenticate
};

http::Response problem_reply(const ProblemDetails& problem);

// The HTTP status for an error Status (kInvalidArgument 400, kFailedPrecondition 422, ...).
unsigned http_status_of(const Status& status, bool authentication);

}  // namespace portier::rest_adapter
