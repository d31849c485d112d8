#include "connectors/department/form_intake_connector.h"

#include <openssl/evp.h>

#include <fstream>
#include <sstream>

#include "connectors/department/request_template.h"
#include "core/base/base64.h"
#include "connectors/http/http_client.h"
#include "connectors/http/judgement.h"
#include "core/base/digest.h"

namespace portier::department {
namespace {

std::string iso_utc(int64_t ms) {
  time_t seconds = static_cast<time_t>(ms / 1000);
  struct tm t = {};
  gmtime_r(&seconds, &t);
  char out[32];
  strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &t);
  return out;
}

Result<std::string> base64_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kUnavailable, "cannot read " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return base64_encode(bytes.str());
}

}  // namespace

dispatch::DeliveryResult FormIntakeConnector::deliver(const model::WorkItem& item) {
  using dispatch::DeliveryResult;
  if (!item.message.__isset.formSubmission) return DeliveryResult::reject("not a form submission");
  const model::FormSubmission& f = item.message.formSubmission;
  auto set = mappings_();
  const mapping::DepartmentMapping* m = set->by_name(item.department);
  if (m == nullptr || !m->forms) {
    return DeliveryResult::reject("department " + item.department + " takes no forms");
  }
  const mapping::Endpoint* endpoint = m->endpoint(m->forms->endpoint);
  if (endpoint == nullptr || !endpoint->templates.contains(m->forms->template_name)) {
    return DeliveryResult::reject("mapping " + m->name + ": no intake endpoint or template");
  }
  const std::string& text = endpoint->templates.at(m->forms->template_name);

  std::map<std::string, std::string> values{
      {"businessProcessId", item.businessProcessId},
      {"businessCaseId", f.businessCaseId},
      {"applicationId", f.submissionId},
      {"formId", f.formId},
      {"mailbox", f.mailbox},
      {"ownerId", f.ownerId},
      {"submittedAt", f.__isset.submittedAtMs ? iso_utc(f.submittedAtMs) : ""},
      {"pdfSha256", f.__isset.pdfSha256 ? f.pdfSha256 : ""},
  };
  for (const auto& [name, value] : f.fields) values["field." + name] = value;
  if (text.find("${pdfBase64}") != std::string::npos) {
    std::string encoded;
    if (f.__isset.pdfSha256 && !f.pdfSha256.empty()) {
      auto path = path_of_(f.pdfSha256);
      if (!path.is_ok())
        return DeliveryResult::retry("the submission's PDF: " + path.status().message());
      auto b64 = base64_of_file(*path);
      if (!b64.is_ok()) return DeliveryResult::retry(b64.status().message());
      encoded = std::move(*b64);
    }
    values["pdfBase64"] = std::move(encoded);
  }
  if (text.find("${personId}") != std::string::npos ||
      text.find("${personIdCategory}") != std::string::npos) {
    identity::PersonId person;
    if (f.__isset.ownerId && f.__isset.serviceId) {
      auto linked = linked_person_(item.department, f.ownerId, f.serviceId);
      if (!linked.is_ok()) {
        return DeliveryResult::retry("the owner's identity link: " + linked.status().message());
      }
      if (*linked) person = std::move(**linked);
    }
    values["personId"] = std::move(person.id);
    values["personIdCategory"] = std::move(person.category);
  }
  std::string body;
  if (endpoint->kind == mapping::Endpoint::Kind::kRest) {
    body = fill_json_template(text, values);
  } else {
    auto written = fill_xml_template(text, values, XmlFrame::kFragment);
    if (!written.is_ok()) {
      return DeliveryResult::reject("the submission cannot be written for " + m->name + ": " +
                                    written.status().message());
    }
    body = std::move(*written);
  }

  outbound::HttpCall call;
  call.method = "POST";
  call.url = endpoint->url;
  call.timeout = endpoint->timeout;
  call.tls = endpoint->tls;
  call.headers = {endpoint->kind == mapping::Endpoint::Kind::kRest
                      ? "Content-Type: application/json"
                      : "Content-Type: text/xml; charset=utf-8",
                  "Idempotency-Key: " + item.idempotencyKey,
                  "X-Business-Process-Id: " + item.businessProcessId};
  if (!endpoint->username.empty()) {
    // libcurl has no per-call Basic option in HttpCall: the header is built here.
    call.headers.push_back("Authorization: Basic " +
                           base64_encode(endpoint->username + ":" + endpoint->password));
  }
  call.body = std::move(body);
  DeliveryResult result;
  result.request_sha256 = sha256_hex(call.body);
  auto reply = outbound::perform(call);
  if (!reply.is_ok()) return DeliveryResult::retry(reply.status().message());
  result.response_sha256 = sha256_hex(reply->body);
  result.kind = outbound::judge_status(reply->status);
  result.retry_after = reply->retry_after;
  result.detail = "HTTP " + std::to_string(reply->status);
  if (result.kind != DeliveryResult::Kind::kDelivered) {
    result.detail += ": " + reply->body.substr(0, 200);
  }
  return result;
}

}  // namespace portier::department
