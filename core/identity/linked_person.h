#pragma once
// The department's person reference for a portal account and one of its services, once an
// identity check has linked them (an active link): what Portier's later calls to the department
// for that account carry, so that the department need not match the person again.
//
// Which link: the active links of `account_id` with `department` for `service_id`. The account's
// own profile (profile id = account id, the portal's default) wins; otherwise the only one. When
// the account has several company profiles linked and none of its own, Portier cannot tell
// which one acts, and answers none rather than guess.
//
// Threads: blocks on the journal; worker threads only.
#include <cstdint>
#include <optional>
#include <string>

#include "core/base/status.h"
#include "core/identity/person.h"
#include "core/journal/journal.h"

namespace portier::identity {

// None when nothing is linked (or nothing unambiguously); a journal error as it came.
Result<std::optional<PersonId>> linked_person(journal::Journal& journal,
                                              const std::string& department,
                                              const std::string& account_id, int32_t service_id);

}  // namespace portier::identity
