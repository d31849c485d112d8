#include "adapters/rest/identity_json.h"

#include <boost/json.hpp>
#include <initializer_list>

#include "core/base/clock.h"

namespace portier::rest_adapter {
namespace {

namespace json = boost::json;
using identity::CheckRequest;

constexpr int kMaxDepth = 16;
constexpr size_t kMaxIdLength = 128;

// Thrown inside the reader only, caught at its one entry point.
struct Refused {
  BodyProblem problem;
};

[[noreturn]] void refuse(std::string field, std::string reason) {
  throw Refused{{std::move(field), std::move(reason)}};
}

std::string path(const std::string& parent, std::string_view name) {
  return parent.empty() ? std::string(name) : parent + "." + std::string(name);
}

const json::object& as_object(const json::value& v, const std::string& field) {
  if (!v.is_object()) refuse(field, "must be an object");
  return v.as_object();
}

void only(const json::object& o, const std::string& parent,
          std::initializer_list<std::string_view> allowed) {
  for (const auto& member : o) {
    bool known = false;
    for (auto a : allowed) known = known || member.key() == a;
    if (!known) refuse(path(parent, member.key()), "is not a known member");
  }
}

const json::value* member(const json::object& o, std::string_view name) {
  auto it = o.find(name);
  return it == o.end() || it->value().is_null() ? nullptr : &it->value();
}

std::string text(const json::object& o, const std::string& parent, std::string_view name,
                 bool required, size_t max = kMaxIdLength) {
  const json::value* v = member(o, name);
  if (!v) {
    if (required) refuse(path(parent, name), "is required");
    return {};
  }
  if (!v->is_string()) refuse(path(parent, name), "must be a string");
  std::string s(v->as_string());
  if (required && s.empty()) refuse(path(parent, name), "must not be empty");
  if (s.size() > max * 4) refuse(path(parent, name), "is too long");
  return s;
}

std::optional<int64_t> integer(const json::object& o, const std::string& parent,
                               std::string_view name, bool required, int64_t min, int64_t max) {
  const json::value* v = member(o, name);
  if (!v) {
    if (required) refuse(path(parent, name), "is required");
    return std::nullopt;
  }
  int64_t n = 0;
  if (v->is_int64()) {
    n = v->as_int64();
  } else if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(max)) {
    n = static_cast<int64_t>(v->as_uint64());
  } else {
    refuse(path(parent, name), "must be a whole number");
  }
  if (n < min || n > max) {
    refuse(path(parent, name),
           "must lie between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return n;
}

identity::DateOfBirth read_date(const json::value& v, const std::string& field,
                                const identity::DateOfBirth& today) {
  const json::object& o = as_object(v, field);
  only(o, field, {"yearMonthDay", "yearMonth", "year"});
  if (o.size() != 1) refuse(field, "exactly one of yearMonthDay, yearMonth or year");
  const auto& [key, value] = *o.begin();
  identity::DateKind kind = key == "yearMonthDay" ? identity::DateKind::kYearMonthDay
                            : key == "yearMonth"  ? identity::DateKind::kYearMonth
                                                  : identity::DateKind::kYear;
  std::string sub = path(field, key);
  std::string textual;
  if (kind == identity::DateKind::kYear && value.is_int64()) {
    textual = std::to_string(value.as_int64());
  } else if (value.is_string()) {
    textual = std::string(value.as_string());
  } else {
    refuse(sub, "must be a string");
  }
  auto parsed = identity::parse_date_of_birth(textual, kind, today);
  if (!parsed.is_ok()) refuse(sub, parsed.status().message());
  return *parsed;
}

CheckRequest read(const json::value& root, const identity::DateOfBirth& today) {
  const json::object& o = as_object(root, "(body)");
  only(o, "", {"requestId", "portal", "serviceId", "person", "representation"});
  CheckRequest r;
  r.request_id = text(o, "", "requestId", false, 64);
  const json::value* portal = member(o, "portal");
  if (!portal) refuse("portal", "is required");
  const json::object& p = as_object(*portal, "portal");
  only(p, "portal", {"accountId", "profileId", "identificationLevel", "identityProvider"});
  r.account_id = text(p, "portal", "accountId", true);
  r.profile_id = text(p, "portal", "profileId", false);
  if (r.profile_id.empty()) r.profile_id = r.account_id;
  r.identification_level =
      static_cast<int32_t>(*integer(p, "portal", "identificationLevel", true, 0, 3));
  r.identity_provider = text(p, "portal", "identityProvider", false, 64);
  r.service_id = static_cast<int32_t>(*integer(o, "", "serviceId", true, 1, INT32_MAX));
  const json::value* person = member(o, "person");
  if (!person) refuse("person", "is required");
  const json::object& pe = as_object(*person, "person");
  only(pe, "person",
       {"officialName", "firstName", "dateOfBirth", "sex", "vn", "localPersonId"});
  r.person.official_name = text(pe, "person", "officialName", true, 100);
  r.person.first_name = text(pe, "person", "firstName", true, 100);
  const json::value* dob = member(pe, "dateOfBirth");
  if (!dob) refuse("person.dateOfBirth", "is required");
  r.person.date_of_birth = read_date(*dob, "person.dateOfBirth", today);
  if (auto sex = integer(pe, "person", "sex", false, 1, 3)) r.person.sex = static_cast<int>(*sex);
  if (member(pe, "vn")) r.person.vn = text(pe, "person", "vn", true, 13);
  if (const json::value* id = member(pe, "localPersonId")) {
    const json::object& io = as_object(*id, "person.localPersonId");
    only(io, "person.localPersonId", {"personIdCategory", "personId"});
    r.person.local_person_id = identity::PersonId{
        text(io, "person.localPersonId", "personIdCategory", true, 20),
        text(io, "person.localPersonId", "personId", true, 36)};
  }
  if (const json::value* rep = member(o, "representation")) {
    const json::object& ro = as_object(*rep, "representation");
    only(ro, "representation", {"organisationUid", "organisationName"});
    r.representation = identity::Representation{
        text(ro, "representation", "organisationUid", true, 20),
        text(ro, "representation", "organisationName", false, 200)};
  }
  if (auto problem = identity::check_person(r.person)) refuse(problem->field, problem->reason);
  return r;
}

}  // namespace

std::variant<CheckRequest, BodyProblem> read_check_request(std::string_view body,
                                                           const identity::DateOfBirth& today) {
  json::parse_options options;
  options.max_depth = kMaxDepth;
  boost::system::error_code ec;
  json::value root = json::parse(body, ec, {}, options);
  if (ec) return BodyProblem{"(body)", "not JSON: " + ec.message()};
  try {
    return read(root, today);
  } catch (const Refused& r) {
    return r.problem;
  }
}

json::object link_json(const journal::IdentityLinkRecord& link) {
  json::object o;
  o["linkId"] = link.link_id;
  o["accountId"] = link.account_id;
  o["profileId"] = link.profile_id;
  o["serviceId"] = link.service_id;
  o["department"] = link.department;
  o["state"] = link.state;
  if (link.state == "active") {
    // The person reference is the portal's only once the link is in force.
    o["departmentPersonRef"] = {{"personIdCategory", link.person_ref_category},
                                {"personId", link.person_ref_id}};
  }
  o["identificationLevel"] = link.identification_level;
  json::array matched;
  size_t start = 0;
  while (start < link.matched_on.size()) {
    size_t comma = link.matched_on.find(',', start);
    if (comma == std::string::npos) comma = link.matched_on.size();
    if (comma > start) matched.emplace_back(link.matched_on.substr(start, comma - start));
    start = comma + 1;
  }
  o["matchedOn"] = std::move(matched);
  o["createdAt"] = format_utc(link.created_ms);
  if (link.decided_ms != 0) {
    o["decidedAt"] = format_utc(link.decided_ms);
    o["decidedBy"] = link.decided_by;
  }
  if (!link.reason.empty()) o["reason"] = link.reason;
  o["updatedAt"] = format_utc(link.updated_ms);
  return o;
}

std::string write_check_answer(const identity::CheckAnswer& a, const std::string& request_id) {
  json::object o;
  o["checkId"] = a.check_id;
  if (!request_id.empty()) o["requestId"] = request_id;
  o["result"] = identity::to_string(a.outcome);
  o["answeredFrom"] = a.from_link ? "link" : "department";
  if (a.link && (a.outcome == identity::Outcome::kMatch ||
                 a.outcome == identity::Outcome::kPendingReview)) {
    o["link"] = link_json(*a.link);
    if (a.outcome == identity::Outcome::kMatch) {
      o["departmentPersonRef"] = {{"personIdCategory", a.link->person_ref_category},
                                  {"personId", a.link->person_ref_id}};
    }
  }
  json::array matched;
  for (const auto& m : a.matched_on) matched.emplace_back(m);
  o["matchedOn"] = std::move(matched);
  if (a.outcome == identity::Outcome::kTemporaryError) {
    o["retryAfterSeconds"] = a.retry_after.count();
  }
  return json::serialize(o);
}

}  // namespace portier::rest_adapter
