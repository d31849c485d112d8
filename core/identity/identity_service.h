#pragma once
// The identity check from start to answer, protocol-free: validate what the portal sent against
// the service's mapping, answer from the link when the account is linked already, otherwise ask
// the department (bounded by the portal's deadline) and keep what follows from its answer — a
// new active or pending link — in the journal together with the check's evidence record. A
// check that fails for the department's sake (down, slow, unusable answer) stores a link never;
// its evidence record says it failed. Decisions and revocations of links go through here too.
//
// Personal data (names, birth date, VN) never leaves this class except to the department: logs
// and evidence get the check id, the account, the service, the outcome and digests.
//
// Threads: every method blocks (journal, department) and runs on a worker thread; any number
// at once.
#include <chrono>
#include <functional>
#include <variant>
#include <optional>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/identity/identity_check.h"
#include "core/journal/journal.h"
#include "core/mapping/registry.h"

namespace portier::identity {

struct CheckAnswer {
  std::string check_id;
  Outcome outcome = Outcome::kTemporaryError;
  bool from_link = false;          // answered from an existing link, the department not asked
  std::optional<journal::IdentityLinkRecord> link;  // the link in force, if any
  std::chrono::seconds retry_after{0};              // for kTemporaryError
  std::vector<std::string> matched_on;
};

// A refusal of the request itself: the field and why (kInvalidArgument: malformed, 400;
// kFailedPrecondition: valid but not acceptable here, 422). `not_authorised` marks a level
// below the service's minimum.
struct CheckRefusal {
  Status status;
  std::string field;
  bool not_authorised = false;
};

struct IdentitySettings {
  std::chrono::seconds retry_after{30};         // advised after a temporary error
  std::chrono::milliseconds deadline{8'000};    // the portal's patience for one check
};

class IdentityService {
 public:
  IdentityService(journal::Journal& journal, mapping::Registry& mappings,
                  DepartmentIdentityCheck& department, const Clock& clock,
                  IdentitySettings settings);

  // Checks `request`. `deadline` is the steady-clock time by which the portal must have its
  // answer; the department's call is cut short to keep it. The refusal names the field; an
  // answer is every outcome, TEMPORARY_ERROR included.
  std::variant<CheckAnswer, CheckRefusal> check(const CheckRequest& request,
                                                std::chrono::steady_clock::time_point deadline,
                                                const std::string& correlation_id);

  // The department's decision on a pending link (approve: active; else rejected).
  Result<journal::IdentityLinkRecord> decide(const std::string& department,
                                             const std::string& link_id, bool approve,
                                             const std::string& decided_by,
                                             const std::string& reason);
  // Revokes a pending or active link (by the portal or an operator); the next check asks the
  // department again.
  Result<journal::IdentityLinkRecord> revoke(const std::string& link_id, const std::string& by,
                                             const std::string& reason);

  const IdentitySettings& settings() const { return settings_; }

 private:
  journal::Journal& journal_;
  mapping::Registry& mappings_;
  DepartmentIdentityCheck& department_;
  const Clock& clock_;
  IdentitySettings settings_;
};

// The parameters a service's rule requires that `request` lacks: the first one's field path.
std::optional<std::string> missing_parameter(const mapping::IdentityCheckRule& rule,
                                             const CheckRequest& request);

}  // namespace portier::identity
