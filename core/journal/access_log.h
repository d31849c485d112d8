#pragma once
// What guards the doors across instances: WS-Security and HMAC nonces seen (a replay is refused
// on every instance sharing the store) and the audit log of refused requests.
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/journal/intake_log.h"

namespace portier::journal {

class AccessLog {
 public:
  virtual ~AccessLog() = default;
  // Remembers `nonce` for `department` unless it is known: true if new, false if seen before.
  // Expired nonces are forgotten.
  virtual Result<bool> remember_nonce(const std::string& department, const Nonce& nonce) = 0;
  // at_ms 0 means now.
  virtual Status audit(const AuditEntry& entry) = 0;
  // Newest first.
  virtual Result<std::vector<AuditEntry>> audit_log(int limit) = 0;
};

}  // namespace portier::journal
