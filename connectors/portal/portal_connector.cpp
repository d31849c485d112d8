#include "connectors/portal/portal_connector.h"

#include "connectors/http/http_client.h"
#include "connectors/portal/portal_wire.h"
#include "core/base/digest.h"

namespace portier::portal {

using dispatch::DeliveryResult;

DeliveryResult::Kind judge_status(long status) {
  if (status >= 200 && status < 300) return DeliveryResult::Kind::kDelivered;
  if (status == 408 || status == 425 || status == 429 || status >= 500 || status == 401) {
    return DeliveryResult::Kind::kRetry;
  }
  return DeliveryResult::Kind::kReject;
}

PortalConnector::PortalConnector(config::Portal settings, std::chrono::milliseconds attempt_timeout,
                                 const Clock& clock)
    : settings_(std::move(settings)), attempt_timeout_(attempt_timeout), token_(settings_, clock) {}

DeliveryResult PortalConnector::deliver(const model::WorkItem& item) {
  auto request = to_portal_request(item);
  if (!request) {
    return DeliveryResult::reject("the portal takes no " + model::kind_of(item.message) +
                                  " messages");
  }
  for (int attempt = 0;; ++attempt) {
    auto token = token_.get();
    if (!token.is_ok()) return DeliveryResult::retry(token.status().message());
    outbound::HttpCall call;
    call.method = request->method;
    call.url = settings_.base_url + request->path;
    call.body = request->body;
    call.timeout = attempt_timeout_;
    call.ca_file = settings_.ca_file;
    call.headers = {"Content-Type: application/json",
                    "Accept: application/json, application/problem+json",
                    "Authorization: Bearer " + *token,
                    "Idempotency-Key: " + item.idempotencyKey};
    if (!item.correlationId.empty()) call.headers.push_back("X-Correlation-Id: " + item.correlationId);
    auto reply = outbound::perform(call);
    DeliveryResult result;
    result.request_sha256 = sha256_hex(call.body);
    if (!reply.is_ok()) {
      result.kind = DeliveryResult::Kind::kRetry;
      result.detail = reply.status().message();
      return result;
    }
    if (reply->status == 401 && attempt == 0) {
      token_.invalidate(*token);  // expired or revoked early: one more try with a new token
      continue;
    }
    result.kind = judge_status(reply->status);
    result.response_sha256 = sha256_hex(reply->body);
    result.retry_after = reply->retry_after;
    result.detail = "HTTP " + std::to_string(reply->status);
    if (result.kind != DeliveryResult::Kind::kDelivered) {
      result.detail += ": " + describe_problem(reply->body);
    }
    return result;
  }
}

}  // namespace portier::portal
