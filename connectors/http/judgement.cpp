#include "connectors/http/judgement.h"

#include "connectors/http/problem.h"

namespace portier::outbound {

using dispatch::DeliveryResult;

DeliveryResult::Kind judge_status(long status) {
  if (status >= 200 && status < 300) return DeliveryResult::Kind::kDelivered;
  if (status == 401 || status == 408 || status == 425 || status == 429 || status >= 500) {
    return DeliveryResult::Kind::kRetry;
  }
  return DeliveryResult::Kind::kReject;
}

Status judge_read_status(long status, const std::string& body) {
  if (status >= 200 && status < 300) return Status::ok();
  std::string why = "HTTP " + std::to_string(status) + ": " + describe_problem(body);
  if (status == 404) return not_found(std::move(why));
  if (status == 401 || status == 403) return permission_denied(std::move(why));
  if (status == 408 || status == 425 || status == 429 || status >= 500 || status < 400) {
    return unavailable(std::move(why));
  }
  return invalid_argument(std::move(why));
}

}  // namespace portier::outbound
