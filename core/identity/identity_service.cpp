#include "core/identity/identity_service.h"

#include <boost/json.hpp>

#include "core/base/digest.h"
#include "core/base/log.h"

namespace portier::identity {
namespace {

using Steady = std::chrono::steady_clock;
// Time kept back from the portal's deadline for recording the check and answering.
constexpr std::chrono::milliseconds kAnswerMargin{250};

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// The evidence detail of a check: what was decided, never who the person is.
std::string evidence_detail(const CheckRequest& r, Outcome outcome, const std::string& from,
                            const std::string& note) {
  boost::json::object o;
  o["result"] = to_string(outcome);
  o["answeredFrom"] = from;
  o["requestId"] = r.request_id;
  o["accountId"] = r.account_id;
  o["profileId"] = r.profile_id;
  o["serviceId"] = r.service_id;
  o["identificationLevel"] = r.identification_level;
  if (!note.empty()) o["note"] = note;
  return boost::json::serialize(o);
}

}  // namespace

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kMatch: return "MATCH";
    case Outcome::kNoMatch: return "NO_MATCH";
    case Outcome::kAmbiguous: return "AMBIGUOUS";
    case Outcome::kPendingReview: return "PENDING_REVIEW";
    case Outcome::kNotAuthorised: return "NOT_AUTHORISED";
    case Outcome::kTemporaryError: return "TEMPORARY_ERROR";
  }
  return "TEMPORARY_ERROR";
}

std::optional<Outcome> parse_outcome(std::string_view text) {
  for (Outcome o : {Outcome::kMatch, Outcome::kNoMatch, Outcome::kAmbiguous,
                    Outcome::kPendingReview, Outcome::kNotAuthorised, Outcome::kTemporaryError}) {
    if (text == to_string(o)) return o;
  }
  return std::nullopt;
}

std::optional<std::string> missing_parameter(const mapping::IdentityCheckRule& rule,
                                             const CheckRequest& request) {
  if (rule.required.contains("vn") && !request.person.vn) return "person.vn";
  if (rule.required.contains("sex") && !request.person.sex) return "person.sex";
  if (rule.required.contains("localPersonId") && !request.person.local_person_id) {
    return "person.localPersonId";
  }
  if (rule.required.contains("representation") && !request.representation) {
    return "representation";
  }
  return std::nullopt;
}

IdentityService::IdentityService(journal::Journal& journal, mapping::Registry& mappings,
                                 DepartmentIdentityCheck& department, const Clock& clock,
                                 IdentitySettings settings)
    : journal_(journal),
      mappings_(mappings),
      department_(department),
      clock_(clock),
      settings_(settings) {}

std::variant<CheckAnswer, CheckRefusal> IdentityService::check(
    const CheckRequest& request, Steady::time_point deadline, const std::string& correlation_id) {
  auto mappings = mappings_.current();  // one snapshot for the whole check
  const mapping::DepartmentMapping* department = mappings->by_service(request.service_id);
  if (!department || !department->identity_check) {
    return CheckRefusal{failed_precondition("serviceId " + std::to_string(request.service_id) +
                                            " has no identity check"),
                        "serviceId"};
  }
  const mapping::IdentityCheckRule& rule = *department->identity_check;
  if (request.identification_level < rule.minimum_level) {
    return CheckRefusal{failed_precondition("identificationLevel " +
                                            std::to_string(request.identification_level) +
                                            " is below the level " +
                                            std::to_string(rule.minimum_level) +
                                            " this service requires"),
                        "identificationLevel", true};
  }
  if (auto missing = missing_parameter(rule, request)) {
    return CheckRefusal{failed_precondition(*missing + " is required for this service"), *missing};
  }

  CheckAnswer answer;
  answer.check_id = random_uuid();
  const std::string coupling_sha = sha256_hex(canonical_coupling(request.person));
  journal::IdentityCheckEntry entry;
  entry.check_id = answer.check_id;
  entry.department = department->name;
  entry.account_id = request.account_id;
  entry.profile_id = request.profile_id;
  entry.service_id = request.service_id;
  entry.request_sha256 = coupling_sha;

  auto linked = journal_.find_identity_link(request.account_id, request.profile_id,
                                            request.service_id);
  if (!linked.is_ok()) {
    answer.retry_after = settings_.retry_after;
    return answer;  // kTemporaryError: the journal cannot be read now
  }
  if (*linked) {
    // Linked already: the department is not asked again; the link answers.
    answer.from_link = true;
    answer.outcome = (*linked)->state == "active" ? Outcome::kMatch : Outcome::kPendingReview;
    answer.link = **linked;
    answer.matched_on = split((*linked)->matched_on);
    entry.result = to_string(answer.outcome);
    entry.answered_from = "link";
    entry.detail = evidence_detail(request, answer.outcome, "link", "");
    if (auto recorded = journal_.record_identity_check(entry); !recorded.is_ok()) {
      return CheckAnswer{answer.check_id, Outcome::kTemporaryError, false, {},
                         settings_.retry_after, {}};
    }
    log::info("identity check answered from the link",
              {{"check_id", answer.check_id},
               {"link_id", (*linked)->link_id},
               {"result", to_string(answer.outcome)},
               {"correlation_id", correlation_id}});
    return answer;
  }

  // Ask the department, within both its own timeout and the portal's deadline.
  const mapping::Endpoint* endpoint = department->endpoint(rule.endpoint);
  auto timeout = rule.timeout.value_or(endpoint ? endpoint->timeout : std::chrono::milliseconds{10'000});
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()) -
              kAnswerMargin;
  timeout = std::min(timeout, left);
  DepartmentAnswer asked;
  if (timeout <= std::chrono::milliseconds{0}) {
    asked.detail = "no time left before the portal's deadline";
  } else {
    CheckRequest with_id = request;
    if (with_id.request_id.empty()) with_id.request_id = answer.check_id;
    asked = department_.ask(*department, with_id, timeout);
  }
  entry.answered_from = "department";
  entry.response_sha256 = asked.response_sha256;
  answer.matched_on = asked.matched_on;

  Outcome outcome = asked.outcome;
  const bool makes_link = outcome == Outcome::kMatch || (asked.review && !asked.person_ref.id.empty());
  if (outcome == Outcome::kMatch && asked.person_ref.id.empty()) {
    outcome = Outcome::kTemporaryError;
    asked.detail = "the department answered a match without a person id";
  } else if (makes_link) {
    const bool review = asked.review || !rule.link_automatically ||
                        asked.outcome == Outcome::kPendingReview;
    const int64_t now = clock_.now_ms();
    journal::IdentityLinkRecord link;
    link.link_id = random_uuid();
    link.account_id = request.account_id;
    link.profile_id = request.profile_id;
    link.service_id = request.service_id;
    link.department = department->name;
    link.state = review ? "pending" : "active";
    link.person_ref_category = asked.person_ref.category;
    link.person_ref_id = asked.person_ref.id;
    link.identification_level = request.identification_level;
    link.coupling_sha256 = coupling_sha;
    link.matched_on = join(asked.matched_on);
    link.check_id = answer.check_id;
    link.decided_by = review ? "" : "auto";
    link.created_ms = now;
    link.decided_ms = review ? 0 : now;
    link.updated_ms = now;
    entry.new_link = link;
    outcome = review ? Outcome::kPendingReview : Outcome::kMatch;
  } else if (outcome == Outcome::kPendingReview) {
    // The department wants to review but named no candidate: nothing to link yet.
    outcome = Outcome::kNoMatch;
    asked.detail = "the department asked for review without naming a person";
  }
  entry.result = to_string(outcome);
  entry.detail = evidence_detail(request, outcome, "department", asked.detail);
  auto recorded = journal_.record_identity_check(entry);
  if (!recorded.is_ok()) {
    log::warn("identity check not recorded", {{"check_id", answer.check_id},
                                              {"error", recorded.status().to_string()},
                                              {"correlation_id", correlation_id}});
    return CheckAnswer{answer.check_id, Outcome::kTemporaryError, false, {},
                       settings_.retry_after, {}};
  }
  if (entry.new_link && *recorded && (*recorded)->link_id != entry.new_link->link_id) {
    // A concurrent check linked the account first: its link answers.
    const auto& other = **recorded;
    outcome = other.state == "active" ? Outcome::kMatch : Outcome::kPendingReview;
  }
  answer.outcome = outcome;
  if (*recorded) answer.link = **recorded;
  if (outcome == Outcome::kTemporaryError) {
    answer.retry_after = asked.retry_after.count() >= 1000
                             ? std::chrono::ceil<std::chrono::seconds>(asked.retry_after)
                             : settings_.retry_after;
  }
  log::info("identity check answered",
            {{"check_id", answer.check_id},
             {"department", department->name},
             {"service_id", std::to_string(request.service_id)},
             {"result", to_string(outcome)},
             {"why", asked.detail},
             {"correlation_id", correlation_id}});
  return answer;
}

Result<journal::IdentityLinkRecord> IdentityService::decide(const std::string& department,
                                                            const std::string& link_id,
                                                            bool approve,
                                                            const std::string& decided_by,
                                                            const std::string& reason) {
  journal::IdentityLinkChange change;
  change.link_id = link_id;
  change.department = department;
  change.from_states = {"pending"};
  change.to_state = approve ? "active" : "rejected";
  change.by = decided_by;
  change.reason = reason;
  change.operation = "decideIdentityLink";
  auto changed = journal_.change_identity_link(change);
  if (changed.is_ok()) {
    log::info("identity link decided",
              {{"link_id", link_id}, {"department", department}, {"state", changed->state}});
  }
  return changed;
}

Result<journal::IdentityLinkRecord> IdentityService::revoke(const std::string& link_id,
                                                            const std::string& by,
                                                            const std::string& reason) {
  journal::IdentityLinkChange change;
  change.link_id = link_id;
  change.from_states = {"pending", "active"};
  change.to_state = "revoked";
  change.by = by;
  change.reason = reason;
  change.operation = "revokeIdentityLink";
  auto changed = journal_.change_identity_link(change);
  if (changed.is_ok()) log::info("identity link revoked", {{"link_id", link_id}, {"by", by}});
  return changed;
}

}  // namespace portier::identity
