#pragma once
// Identity links between portal accounts and persons in department systems (core/identity).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/journal/records.h"

namespace portier::journal {

class IdentityLinks {
 public:
  virtual ~IdentityLinks() = default;
  // The pending or active link of an account's profile for a service, if any.
  virtual Result<std::optional<IdentityLinkRecord>> find_identity_link(
      const std::string& account_id, const std::string& profile_id, int32_t service_id) = 0;
  virtual Result<std::optional<IdentityLinkRecord>> identity_link(const std::string& link_id) = 0;
  virtual Result<std::vector<IdentityLinkRecord>> identity_links(
      const IdentityLinkFilter& filter) = 0;
  // Appends the check to the evidence log and creates its new link (with an "identityLink"
  // event for the department) in one transaction. Returns the link in force afterwards: the new
  // one, or the one a concurrent check created first (then the new one is dropped), or none.
  virtual Result<std::optional<IdentityLinkRecord>> record_identity_check(
      const IdentityCheckEntry& entry) = 0;
  // Moves a link to another state, with its evidence record and department event. kNotFound,
  // kPermissionDenied (another department's link), kFailedPrecondition (not in from_states).
  virtual Result<IdentityLinkRecord> change_identity_link(const IdentityLinkChange& change) = 0;

  // Four eyes. Records `by`'s approval of a pending link as its first approval, unless one is
  // kept already; returns the first approval in force (`by`'s if it is new or was `by`'s
  // before). Kept across restarts until the link leaves pending (change_identity_link drops it).
  // kNotFound, kPermissionDenied (`department` given and not the link's), kFailedPrecondition
  // (not pending).
  virtual Result<FirstApproval> approve_first(const std::string& link_id,
                                              const std::string& department,
                                              const std::string& by) = 0;
  // The first approval a pending link waits with for its second reviewer, if any.
  virtual Result<std::optional<FirstApproval>> first_approval(const std::string& link_id) = 0;
};

}  // namespace portier::journal
