#include "connectors/rc_adapter/rc_adapter_connector.h"

#include <utility>

#include "connectors/http/judgement.h"
#include "connectors/http/problem.h"
#include "core/base/digest.h"

namespace portier::rc_adapter {

using dispatch::DeliveryResult;

RcAdapterConnector::RcAdapterConnector(RcAdapterSettings settings, DocumentLocator locate,
                                       std::chrono::milliseconds attempt_timeout,
                                       const Clock& clock)
    : settings_(std::move(settings)),
      locate_(std::move(locate)),
      attempt_timeout_(attempt_timeout),
      token_(settings_.token, clock),
      clock_(clock) {}

Result<outbound::HttpReply> RcAdapterConnector::exchange(
    const std::string& method, const std::string& path, std::vector<std::string> headers,
    const std::vector<outbound::FormPart>& parts) {
  headers.emplace_back("Accept: application/json, application/problem+json");
  for (int attempt = 0;; ++attempt) {
    auto token = token_.get();
    if (!token.is_ok()) return token.status();
    outbound::HttpCall call;
    call.method = method;
    call.url = settings_.base_url + path;
    call.timeout = attempt_timeout_;
    call.tls = settings_.tls;
    call.headers = headers;
    call.headers.push_back("Authorization: Bearer " + *token);
    call.clock = &clock_;
    auto reply = parts.empty() ? outbound::perform(call) : outbound::perform_multipart(call, parts);
    if (reply.is_ok() && reply->status == 401 && attempt == 0) {
      token_.invalidate(*token);  // expired or revoked early: one more try with a new token
      continue;
    }
    return reply;
  }
}

DeliveryResult RcAdapterConnector::deliver(const model::WorkItem& item) {
  Upload done = upload(item);
  done.result.counterpart_ref = done.delivery_id;  // followed until it is in the inbox
  return done.result;
}

RcAdapterConnector::Upload RcAdapterConnector::upload(const model::WorkItem& item) {
  Upload out;
  DeliveryResult& result = out.result;
  auto metadata = metadata_json(item);
  if (!metadata.is_ok()) return {DeliveryResult::reject(metadata.status().message()), {}};
  const model::DocumentDelivery& document = item.message.documentDelivery;
  auto file = locate_(document.documentSha256);
  if (!file.is_ok()) {
    std::string why = "document " + document.documentSha256 + ": " + file.status().message();
    return {file.status().is_retryable() ? DeliveryResult::retry(std::move(why))
                                         : DeliveryResult::reject(std::move(why)),
            {}};
  }
  result.request_sha256 = sha256_hex(*metadata);

  std::vector<std::string> headers = {"Idempotency-Key: " + item.idempotencyKey};
  if (!item.correlationId.empty()) headers.push_back("X-Correlation-Id: " + item.correlationId);
  auto reply = exchange("POST", kDocumentsPath, std::move(headers),
                        upload_parts(std::move(*metadata), document, *file));
  if (!reply.is_ok()) {
    // An unreadable file is refused before anything is sent; it will not get better by itself.
    result.kind = reply.status().code() == StatusCode::kFailedPrecondition
                      ? DeliveryResult::Kind::kReject
                      : DeliveryResult::Kind::kRetry;
    result.detail = reply.status().message();
    return out;
  }
  result.kind = outbound::judge_status(reply->status);
  result.response_sha256 = sha256_hex(reply->body);
  result.retry_after = reply->retry_after;
  result.detail = "HTTP " + std::to_string(reply->status);
  if (result.kind != DeliveryResult::Kind::kDelivered) {
    result.detail += ": " + outbound::describe_problem(reply->body);
    return out;
  }
  // The RC adapter has the document even if its answer cannot be read; a repeated upload with
  // the same clientRequestId names the delivery again.
  if (auto accepted = parse_accepted(reply->body); accepted.is_ok()) {
    out.delivery_id = accepted->delivery_id;
    result.detail += ": deliveryId " + accepted->delivery_id + " " + accepted->status;
  } else {
    result.detail += ": " + accepted.status().message();
  }
  return out;
}

Result<DeliveryStatus> RcAdapterConnector::read_delivery(const std::string& delivery_id) {
  if (delivery_id.empty()) return invalid_argument("deliveryId: must not be empty");
  std::string correlation_id = random_uuid();
  std::string path = status_path(delivery_id);
  std::string call = "RC adapter GET " + path + " (correlation id " + correlation_id + "): ";
  auto reply = exchange("GET", path, {"X-Correlation-Id: " + correlation_id}, {});
  if (!reply.is_ok()) return unavailable(call + reply.status().message());
  Status judged = outbound::judge_read_status(reply->status, reply->body);
  if (!judged.is_ok()) return Status(judged.code(), call + judged.message());
  auto status = parse_status(reply->body);
  if (!status.is_ok()) return Status(status.status().code(), call + status.status().message());
  return status;
}

Result<std::string> RcAdapterConnector::delivery_status(const std::string& delivery_id) {
  auto status = read_delivery(delivery_id);
  if (!status.is_ok()) return status.status();
  return std::move(status->status);
}

}  // namespace portier::rc_adapter
