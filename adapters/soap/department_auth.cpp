#include "adapters/soap/department_auth.h"

#include "adapters/soap/ws_security.h"
#include "core/cases/call_origin.h"

namespace portier::soap_adapter {

Result<Caller> authenticate(const http::Request& request, const MessageHeader& header,
                            const mapping::MappingSet& mappings, int64_t now_ms,
                            const mapping::DepartmentMapping*& authenticated) {
  Caller caller;
  if (!request.client_certificate_subject.empty()) {
    caller.department = mappings.by_certificate_subject(request.client_certificate_subject);
  }
  if (!caller.department) {
    auto token = read_username_token(request.body);
    if (!token.is_ok()) return permission_denied(token.status().message());
    if (!*token) {
      return permission_denied(
          "authentication required: a client certificate or a WS-Security UsernameToken of a "
          "mapped department");
    }
    const mapping::DepartmentMapping* department = mappings.by_username((*token)->username);
    if (!department) return permission_denied("WS-Security: wrong user or password");
    auto created = verify_username_token(**token, department->authentication.password, now_ms,
                                         kMaxTokenSkewMs);
    if (!created.is_ok()) return created.status();
    caller.department = department;
    // Remembered until no timestamp that could carry it is accepted any more.
    caller.nonce = journal::Nonce{(*token)->nonce, *created + 2 * kMaxTokenSkewMs};
  }
  authenticated = caller.department;
  if (Status s = cases::check_sender(header, *caller.department); !s.is_ok()) return s;
  return caller;
}

}  // namespace portier::soap_adapter
