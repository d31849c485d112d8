#include "core/identity/linked_person.h"

namespace portier::identity {

Result<std::optional<PersonId>> linked_person(journal::Journal& journal,
                                              const std::string& department,
                                              const std::string& account_id, int32_t service_id) {
  if (account_id.empty()) return std::optional<PersonId>{};
  journal::IdentityLinkFilter filter;
  filter.department = department;
  filter.state = "active";
  filter.account_id = account_id;
  // At most one open link per profile and service, and an account has few profiles.
  filter.limit = 1000;
  auto links = journal.identity_links(filter);
  if (!links.is_ok()) return links.status();
  const journal::IdentityLinkRecord* only = nullptr;
  int found = 0;
  for (const journal::IdentityLinkRecord& link : *links) {
    if (link.service_id != service_id) continue;
    if (link.profile_id == account_id) {
      return std::optional<PersonId>{PersonId{link.person_ref_category, link.person_ref_id}};
    }
    only = &link;
    ++found;
  }
  if (found != 1) return std::optional<PersonId>{};
  return std::optional<PersonId>{PersonId{only->person_ref_category, only->person_ref_id}};
}

}  // namespace portier::identity
