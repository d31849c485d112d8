#pragma once
// The identity check (whitepaper §3.9.4, §4.5.2): the portal asks whether one of its accounts is
// a person in a department's system; Portier asks the department, unless the account is linked
// already, and keeps the link. These are the protocol-free types of that exchange and the seam
// to the department (implemented in connectors/department). Value types; any thread.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/identity/person.h"
#include "core/mapping/mapping.h"

namespace portier::identity {


enum class Outcome {
  kMatch,            // the account is the person `person_ref`
  kNoMatch,
  kAmbiguous,        // several persons fit: more coupling parameters are needed
  kPendingReview,    // the department decides; ask again later
  kNotAuthorised,    // e.g. the representative may not act for this company
  kTemporaryError,   // the department could not be asked now: retry after `retry_after`
};
const char* to_string(Outcome outcome);
std::optional<Outcome> parse_outcome(std::string_view text);

// Who acts for a company profile (eCH-0097-like: the company's UID).
struct Representation {
  std::string organisation_uid;   // CHE-123.456.789
  std::string organisation_name;  // optional
};

struct CheckRequest {
  std::string request_id;          // the portal's id of this check (for its logs)
  std::string account_id;          // the portal account (owner id)
  std::string profile_id;          // the profile acting: the person's own or a company's
  int32_t identification_level = 0;  // SwissID level of trust, 0..3
  std::string identity_provider;   // e.g. "SwissID"
  int32_t service_id = 0;
  PersonIdentification person;
  std::optional<Representation> representation;
};

// What the department answered, already mapped by its mapping's answer rules.
struct DepartmentAnswer {
  Outcome outcome = Outcome::kTemporaryError;
  bool review = false;             // the department itself wants to decide (PARTIAL_MATCH)
  PersonId person_ref;             // for a match
  std::vector<std::string> matched_on;
  std::chrono::milliseconds retry_after{0};  // for a temporary error, if the department said
  std::string response_sha256;     // of the bytes received
  std::string detail;              // for logs and evidence: never personal data
};

// The department's side of the check: one call, bounded by `timeout`. A transport failure,
// timeout or unusable answer comes back as an answer with kTemporaryError, never as a throw.
// Threads: any worker thread; blocks for at most `timeout`.
class DepartmentIdentityCheck {
 public:
  virtual ~DepartmentIdentityCheck() = default;
  virtual DepartmentAnswer ask(const mapping::DepartmentMapping& department,
                               const CheckRequest& request,
                               std::chrono::milliseconds timeout) = 0;
};

}  // namespace portier::identity
