#include "adapters/rest/problem_reply.h"

#include <boost/json.hpp>

namespace portier::rest_adapter {
namespace {

const char* title_of(unsigned status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 422: return "Unprocessable Content";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
  }
}

}  // namespace

unsigned http_status_of(const Status& status, bool authentication) {
  if (authentication) return 401;
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kFailedPrecondition: return 422;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kResourceExhausted: return 503;
    default: return 500;
  }
}

http::Response problem_reply(const ProblemDetails& p) {
  const unsigned status = http_status_of(p.status, p.authentication);
  boost::json::object o;
  o["type"] = "about:blank";
  o["title"] = title_of(status);
  o["status"] = status;
  // Internal errors keep their cause to the logs.
  o["detail"] = status == 500 ? std::string("internal error") : p.status.message();
  if (!p.field.empty()) {
    o["field"] = p.field;
    o["invalid-params"] = {{{"name", p.field}, {"reason", p.status.message()}}};
  }
  if (!p.result.empty()) o["result"] = p.result;
  if (!p.trace_id.empty()) o["traceId"] = p.trace_id;
  http::Response r =
      http::Response::json(status, boost::json::serialize(o), "application/problem+json");
  if (status == 503) {
    r.headers.emplace_back("Retry-After",
                           std::to_string(p.retry_after.count() > 0 ? p.retry_after.count() : 1));
  }
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"portier\"");
  return r;
}

}  // namespace portier::rest_adapter
