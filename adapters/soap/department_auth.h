#pragma once
// Who is calling: a department resolved through its mapping, by the subject of its verified TLS
// client certificate or by a WS-Security UsernameToken (PasswordDigest, with nonce and
// timestamp). The header's senderId must name the same department. Refusals say why without
// echoing secrets; the caller writes the audit entry. Pure function of its inputs; any thread.
#include <optional>
#include <string>

#include "adapters/http/message.h"
#include "adapters/soap/department_messages.h"
#include "core/base/status.h"
#include "core/journal/journal.h"
#include "core/mapping/mapping.h"

namespace portier::soap_adapter {

// How far a UsernameToken's Created may be from our clock.
inline constexpr int64_t kMaxTokenSkewMs = 5 * 60 * 1000;

struct Caller {
  const mapping::DepartmentMapping* department = nullptr;  // valid while the snapshot lives
  std::optional<journal::Nonce> nonce;                      // to remember: replay protection
};

// kPermissionDenied (with the reason) if the request does not come from a mapped department
// that its header names. `authenticated` is set as soon as the credentials are good, so that a
// refusal for another reason (a header naming another department) is filed under the
// department that actually called.
Result<Caller> authenticate(const http::Request& request, const MessageHeader& header,
                            const mapping::MappingSet& mappings, int64_t now_ms,
                            const mapping::DepartmentMapping*& authenticated);

}  // namespace portier::soap_adapter
