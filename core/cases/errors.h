#pragma once
// How a use case's error reads to the department, whatever the protocol: who is to blame (the
// caller: fix the request and do not repeat it as it is; the gateway: try again later), a stable
// code, the reason that names the field, and how long to wait before a retry. Each protocol
// turns this into its own reply in one place.
// Pure functions; any thread.
#include <optional>
#include <string>

#include "core/base/status.h"

namespace portier::cases {

struct CaseError {
  enum class Blame { kCaller, kGateway } blame = Blame::kGateway;
  // INVALID_ARGUMENT | NOT_FOUND | ALREADY_EXISTS | PERMISSION_DENIED | FAILED_PRECONDITION |
  // UNAVAILABLE | INTERNAL: the same words in every protocol.
  std::string code;
  // For the caller: the Status's message, naming the field; for the gateway's own trouble a
  // retry hint, and nothing internal.
  std::string reason;
  // Set when a retry later may succeed: the seconds to wait (HTTP Retry-After).
  std::optional<int> retry_after_s;
};

CaseError describe_error(const Status& status);

// A WS-Security or token nonce seen before means the request was replayed: a refusal of the
// caller (kPermissionDenied), not bad input.
Status as_refusal_if_replay(const Status& status);

}  // namespace portier::cases
