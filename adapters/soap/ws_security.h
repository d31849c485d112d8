#pragma once
// WS-Security UsernameToken (OASIS Username Token Profile 1.0) with PasswordDigest:
// digest = Base64(SHA-1(nonce + created + password)). The token is read with libxml2 from the
// envelope's Header (the shape guard has already refused any DTD). Replay is stopped by the
// caller: the nonce goes into the journal, and `created` must lie within the allowed skew.
// Pure functions; any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/status.h"

namespace portier::soap_adapter {

struct UsernameToken {
  std::string username;
  std::string password_type;  // the Type attribute of wsse:Password
  std::string password;       // the digest, Base64
  std::string nonce;          // Base64, as sent
  std::string created;        // wsu:Created, as sent
};

// The UsernameToken in Envelope/Header/wsse:Security, nullopt if there is none, or
// kInvalidArgument naming what is malformed.
Result<std::optional<UsernameToken>> read_username_token(std::string_view envelope);

// Checks the digest against `password` and that `created` lies within `max_skew_ms` of `now_ms`.
// On success returns the created time in milliseconds. Errors are kPermissionDenied with a
// reason that never contains the password or the digest.
Result<int64_t> verify_username_token(const UsernameToken& token, const std::string& password,
                                      int64_t now_ms, int64_t max_skew_ms);

}  // namespace portier::soap_adapter
