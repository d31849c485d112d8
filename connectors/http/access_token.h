#pragma once
// OAuth2 client-credentials tokens (the portal's; the RC adapter takes the same), cached and renewed a minute before they
// expire (or at once after the portal says 401). The secret is sent, never logged.
// Thread-safe: concurrent callers share one token and one renewal.
#include <mutex>
#include <string>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/config/config.h"

namespace portier::outbound {

class AccessToken {
 public:
  AccessToken(const config::Portal& settings, const Clock& clock);
  // A valid bearer token, fetching a new one if needed (blocks for at most the timeout).
  Result<std::string> get();
  // The portal refused `token`: the next get() fetches a new one.
  void invalidate(const std::string& token);

 private:
  const config::Portal& settings_;
  const Clock& clock_;
  std::mutex mutex_;
  std::string token_;
  int64_t renew_at_ms_ = 0;
};

}  // namespace portier::outbound
