#include "connectors/department/identity_caller.h"

#include <openssl/evp.h>

#include "connectors/department/answer_reader.h"
#include "connectors/department/request_template.h"
#include "connectors/http/http_client.h"
#include "core/base/base64.h"
#include "core/base/digest.h"

namespace portier::department {
namespace {

using identity::DepartmentAnswer;
using identity::Outcome;

DepartmentAnswer temporary(std::string why, std::chrono::milliseconds retry_after = {}) {
  DepartmentAnswer a;
  a.outcome = Outcome::kTemporaryError;
  a.detail = std::move(why);
  a.retry_after = retry_after;
  return a;
}

}  // namespace

std::map<std::string, std::string> template_values(const identity::CheckRequest& r) {
  std::map<std::string, std::string> v = {
      {"requestId", r.request_id},
      {"accountId", r.account_id},
      {"profileId", r.profile_id},
      {"serviceId", std::to_string(r.service_id)},
      {"identificationLevel", std::to_string(r.identification_level)},
      {"officialName", r.person.official_name},
      {"firstName", r.person.first_name},
      {"dateOfBirth", r.person.date_of_birth.to_string()},
      {"sex", r.person.sex ? std::to_string(*r.person.sex) : ""},
      {"vn", r.person.vn.value_or("")},
      {"personIdCategory", r.person.local_person_id ? r.person.local_person_id->category : ""},
      {"personId", r.person.local_person_id ? r.person.local_person_id->id : ""},
      {"organisationUid", r.representation ? r.representation->organisation_uid : ""},
      {"organisationName", r.representation ? r.representation->organisation_name : ""},
  };
  v["checkId"] = r.request_id;
  return v;
}

DepartmentAnswer interpret(const std::string& result, const std::string& person_id,
                           const std::string& person_id_category,
                           std::vector<std::string> matched_on,
                           const mapping::IdentityAnswer& rules) {
  auto mapped = rules.values.find(result);
  const std::string meaning = mapped != rules.values.end() ? mapped->second : result;
  DepartmentAnswer a;
  if (meaning == "PARTIAL_MATCH") {
    a.outcome = Outcome::kPendingReview;
    a.review = true;
  } else if (auto outcome = identity::parse_outcome(meaning)) {
    a.outcome = *outcome;
    a.review = *outcome == Outcome::kPendingReview;
  } else {
    return temporary("the department's result value is not in its mapping");
  }
  if (a.outcome == Outcome::kMatch || a.review) {
    a.person_ref.id = person_id;
    a.person_ref.category = person_id_category.empty() ? rules.category : person_id_category;
  }
  a.matched_on = std::move(matched_on);
  a.detail = "department result " + meaning;
  return a;
}

DepartmentAnswer IdentityCaller::ask(const mapping::DepartmentMapping& department,
                                     const identity::CheckRequest& request,
                                     std::chrono::milliseconds timeout) {
  const mapping::IdentityCheckRule& rule = *department.identity_check;
  const mapping::Endpoint* endpoint = department.endpoint(rule.endpoint);
  if (!endpoint || !endpoint->templates.contains(rule.template_name)) {
    return temporary("the mapping's identity endpoint or template is missing");
  }
  const bool soap = endpoint->kind == mapping::Endpoint::Kind::kSoap;
  const std::string& text = endpoint->templates.at(rule.template_name);
  std::string body;
  if (soap) {
    auto written = fill_xml_template(text, template_values(request), XmlFrame::kSoap11Body);
    if (!written.is_ok()) {
      return temporary("the identity check request cannot be written: " +
                       written.status().message());
    }
    body = std::move(*written);
  } else {
    body = fill_json_template(text, template_values(request));
  }
  outbound::HttpCall call;
  call.method = "POST";
  call.url = endpoint->url;
  call.timeout = timeout;
  call.tls = endpoint->tls;
  if (soap) {
    call.body = std::move(body);
    call.headers = {"Content-Type: text/xml; charset=utf-8", "SOAPAction: \"\""};
  } else {
    call.body = std::move(body);
    call.headers = {"Content-Type: application/json", "Accept: application/json"};
  }
  call.headers.push_back("X-Correlation-Id: " + request.request_id);
  if (!endpoint->username.empty()) {
    call.headers.push_back("Authorization: Basic " +
                           base64_encode(endpoint->username + ":" + endpoint->password));
  }
  auto reply = outbound::perform(call);
  if (!reply.is_ok()) {
    return temporary(reply.status().code() == StatusCode::kDeadlineExceeded
                         ? "the department did not answer in time"
                         : "the department cannot be reached");
  }
  if (reply->status < 200 || reply->status > 299) {
    DepartmentAnswer a = temporary("the department answered HTTP " + std::to_string(reply->status),
                                   reply->retry_after.value_or(std::chrono::milliseconds{0}));
    a.response_sha256 = sha256_hex(reply->body);
    return a;
  }
  auto fields = soap ? read_xml_answer(reply->body, rule.answer, xml_limits_)
                     : read_json_answer(reply->body, rule.answer);
  if (!fields.is_ok()) {
    DepartmentAnswer a = temporary("the department's answer cannot be read: " +
                                   fields.status().message());
    a.response_sha256 = sha256_hex(reply->body);
    return a;
  }
  DepartmentAnswer a = interpret(fields->result, fields->person_id, fields->person_id_category,
                                 std::move(fields->matched_on), rule.answer);
  a.response_sha256 = sha256_hex(reply->body);
  return a;
}

}  // namespace portier::department
