#include "core/cases/errors.h"

#include <algorithm>
#include <cstdint>

namespace portier::cases {

CaseError describe_error(const Status& status) {
  CaseError e;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kPermissionDenied:
    case StatusCode::kFailedPrecondition: {
      e.blame = CaseError::Blame::kCaller;
      e.reason = status.message();
      switch (status.code()) {
        case StatusCode::kInvalidArgument:
          e.code = "INVALID_ARGUMENT";
          break;
        case StatusCode::kNotFound:
          e.code = "NOT_FOUND";
          break;
        case StatusCode::kAlreadyExists:
          e.code = "ALREADY_EXISTS";
          break;
        case StatusCode::kPermissionDenied:
          e.code = "PERMISSION_DENIED";
          break;
        default:
          e.code = "FAILED_PRECONDITION";
          break;
      }
      return e;
    }
    case StatusCode::kUnavailable:
    case StatusCode::kResourceExhausted:
    case StatusCode::kDeadlineExceeded:
      e.code = "UNAVAILABLE";
      e.reason = "temporarily unavailable, try again later: " + status.message();
      // The failure's own hint where it has one (a destination's backlog bound), else a second.
      e.retry_after_s = static_cast<int>(std::max<int64_t>(1, status.retry_after().count()));
      return e;
    default:
      e.code = "INTERNAL";
      e.reason = "internal error";
      return e;
  }
}

Status as_refusal_if_replay(const Status& s) {
  if (s.code() == StatusCode::kAlreadyExists && s.message().find("nonce") != std::string::npos) {
    return permission_denied(s.message());
  }
  return s;
}

}  // namespace portier::cases
