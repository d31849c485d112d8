#pragma once
// Who made a department call and how it arrived, as every use case needs it: the authenticated
// department (never the one a request merely claims), the replay nonce to remember, and what
// the journal, the evidence and the audit log record about the request. Value type; any thread.
#include <optional>
#include <string>

#include "core/base/status.h"
#include "core/cases/requests.h"
#include "core/journal/journal.h"
#include "core/mapping/mapping.h"

namespace portier::cases {

struct CallOrigin {
  // The authenticated department; valid while the mapping snapshot it came from lives.
  const mapping::DepartmentMapping* department = nullptr;
  std::optional<journal::Nonce> nonce;  // remembered with the call: replay protection
  std::string correlation_id;
  std::string remote_address;
  std::string request_sha256;  // of the request as received, for the evidence
};

// kPermissionDenied unless the header's senderId names the authenticated department.
Status check_sender(const MessageHeader& header, const mapping::DepartmentMapping& department);

}  // namespace portier::cases
