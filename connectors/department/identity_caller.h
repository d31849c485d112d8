#pragma once
// Asks a department's own application whether a portal account is one of its persons: fills the
// template its mapping names for the identity check, sends it (SOAP 1.1 envelope or JSON over
// HTTP POST, HTTP Basic if the endpoint has a user), and reads the answer by the mapping's
// <answer> paths. Every failure — unreachable, slow, HTTP error, unreadable or unknown answer —
// becomes a TEMPORARY_ERROR answer whose detail says why (never with personal data).
//
// Threads: any worker thread; ask() blocks for at most its timeout.
#include <map>
#include <string>

#include "core/identity/identity_check.h"
#include "core/xml/shape_guard.h"

namespace portier::department {

class IdentityCaller final : public identity::DepartmentIdentityCheck {
 public:
  // `xml_limits`: the shape guard's for the departments' SOAP answers.
  explicit IdentityCaller(xml::GuardLimits xml_limits = {}) : xml_limits_(xml_limits) {}
  identity::DepartmentAnswer ask(const mapping::DepartmentMapping& department,
                                 const identity::CheckRequest& request,
                                 std::chrono::milliseconds timeout) override;

 private:
  xml::GuardLimits xml_limits_;
};

// The values of the identity check's template placeholders (see mappings/mapping.xsd).
std::map<std::string, std::string> template_values(const identity::CheckRequest& request);

// The department's answer fields as an answer: its result value mapped by the rules.
identity::DepartmentAnswer interpret(const std::string& result, const std::string& person_id,
                                     const std::string& person_id_category,
                                     std::vector<std::string> matched_on,
                                     const mapping::IdentityAnswer& rules);

}  // namespace portier::department
