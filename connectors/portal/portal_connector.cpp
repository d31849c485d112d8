#include "connectors/portal/portal_connector.h"

#include <utility>

#include "connectors/http/judgement.h"
#include "connectors/http/problem.h"
#include "core/base/digest.h"

namespace portier::portal {

using dispatch::DeliveryResult;

PortalConnector::PortalConnector(config::Portal settings, std::chrono::milliseconds attempt_timeout,
                                 const Clock& clock)
    : settings_(std::move(settings)),
      attempt_timeout_(attempt_timeout),
      token_(settings_, clock),
      clock_(clock) {}

Result<outbound::HttpReply> PortalConnector::exchange(const PortalRequest& request,
                                                      std::vector<std::string> headers) {
  headers.emplace_back("Accept: application/json, application/problem+json");
  for (int attempt = 0;; ++attempt) {
    auto token = token_.get();
    if (!token.is_ok()) return token.status();
    outbound::HttpCall call;
    call.method = request.method;
    call.url = settings_.base_url + request.path;
    call.body = request.body;
    call.timeout = attempt_timeout_;
    call.tls = settings_.tls;
    call.headers = headers;
    call.headers.push_back("Authorization: Bearer " + *token);
    call.clock = &clock_;
    auto reply = outbound::perform(call);
    if (reply.is_ok() && reply->status == 401 && attempt == 0) {
      token_.invalidate(*token);  // expired or revoked early: one more try with a new token
      continue;
    }
    return reply;
  }
}

DeliveryResult PortalConnector::deliver(const model::WorkItem& item) {
  auto request = to_portal_request(item);
  if (!request) {
    return DeliveryResult::reject("the portal takes no " + model::kind_of(item.message) +
                                  " messages");
  }
  std::vector<std::string> headers = {"Content-Type: application/json",
                                      "Idempotency-Key: " + item.idempotencyKey};
  if (!item.correlationId.empty()) headers.push_back("X-Correlation-Id: " + item.correlationId);
  auto reply = exchange(*request, std::move(headers));
  DeliveryResult result;
  result.request_sha256 = sha256_hex(request->body);
  if (!reply.is_ok()) {
    result.kind = DeliveryResult::Kind::kRetry;
    result.detail = reply.status().message();
    return result;
  }
  result.kind = outbound::judge_status(reply->status);
  result.response_sha256 = sha256_hex(reply->body);
  result.retry_after = reply->retry_after;
  result.detail = "HTTP " + std::to_string(reply->status);
  if (result.kind != DeliveryResult::Kind::kDelivered) {
    result.detail += ": " + outbound::describe_problem(reply->body);
  }
  return result;
}

Result<std::string> PortalConnector::read(const PortalRequest& request) {
  std::string correlation_id = random_uuid();
  std::string call = "portal " + request.method + " " + request.path + " (correlation id " +
                     correlation_id + "): ";
  auto reply = exchange(request, {"X-Correlation-Id: " + correlation_id});
  if (!reply.is_ok()) return unavailable(call + reply.status().message());
  Status judged = outbound::judge_read_status(reply->status, reply->body);
  if (!judged.is_ok()) return Status(judged.code(), call + judged.message());
  return std::move(reply->body);
}

Result<query::PortalCase> PortalConnector::read_case(const std::string& business_case_id) {
  if (business_case_id.empty()) return invalid_argument("business case id: must not be empty");
  auto body = read(case_request(business_case_id));
  if (!body.is_ok()) return body.status();
  return parse_case(*body);
}

Result<std::vector<query::PortalEvent>> PortalConnector::read_events(int64_t cursor, int limit) {
  if (cursor < 0) return invalid_argument("cursor: must not be negative");
  if (limit < 1) return invalid_argument("limit: must be at least 1");
  auto body = read(events_request(cursor, limit));
  if (!body.is_ok()) return body.status();
  return parse_events(*body);
}

}  // namespace portier::portal
