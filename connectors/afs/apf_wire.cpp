#include "connectors/afs/apf_wire.h"

#include <time.h>

#include <cstdio>

namespace portier::afs {
namespace {

std::string with_token(const Credentials& c, EnvelopeWriter& w) {
  w.username_token(c.user, c.password);
  return w.serialize();
}

ApplicationSummary summary_of(const EnvelopeReader& r, xmlNode* app) {
  ApplicationSummary s;
  s.application_id = r.text("string(apf:applicationId)", app);
  s.form_id = r.text("string(apf:formId)", app);
  s.form_version = r.text("string(apf:formVersion)", app);
  s.mandant = r.text("string(apf:mandant)", app);
  s.mailbox = r.text("string(apf:mailbox)", app);
  s.submitted_at = r.text("string(apf:submittedAt)", app);
  s.submitted_at_ms = parse_utc(s.submitted_at).value_or(0);
  s.status = r.text("string(apf:status)", app);
  s.signature.algorithm = r.text("string(apf:inboundSignature/apf:algorithm)", app);
  s.signature.value = r.text("string(apf:inboundSignature/apf:value)", app);
  s.signature.signed_at = r.text("string(apf:inboundSignature/apf:signedAt)", app);
  return s;
}

ApplicationFile file_of(const EnvelopeReader& r, xmlNode* node) {
  ApplicationFile f;
  f.name = r.text("string(apf:name)", node);
  f.mime_type = r.text("string(apf:mimeType)", node);
  f.sha256 = r.text("string(apf:sha256)", node);
  auto bytes = base64_decode(r.text("string(apf:content)", node));
  f.content_is_base64 = bytes.has_value();
  if (bytes) f.content = std::move(*bytes);
  return f;
}

}  // namespace

std::string list_request(const Credentials& c, const std::string& mailbox,
                         const std::string& status, const std::string& since,
                         const std::string& page_token, int page_size) {
  EnvelopeWriter w("ListApplications");
  w.add("mailbox", mailbox);
  w.add("status", status);
  if (!since.empty()) w.add("since", since);
  if (!page_token.empty()) w.add("pageToken", page_token);
  w.add("pageSize", std::to_string(page_size));
  return with_token(c, w);
}

std::string get_request(const Credentials& c, const std::string& application_id) {
  EnvelopeWriter w("GetApplication");
  w.add("applicationId", application_id);
  return with_token(c, w);
}

std::string take_over_request(const Credentials& c, const std::string& application_id,
                              const std::string& external_reference) {
  EnvelopeWriter w("TakeOver");
  w.add("applicationId", application_id);
  w.add("externalReference", external_reference);
  return with_token(c, w);
}

std::string set_status_request(const Credentials& c, const std::string& application_id,
                               const std::string& status, const std::string& comment) {
  EnvelopeWriter w("SetStatus");
  w.add("applicationId", application_id);
  w.add("status", status);
  if (!comment.empty()) w.add("comment", comment);
  return with_token(c, w);
}

std::optional<ApfFault> fault_of(const EnvelopeReader& r) {
  if (!r.is_fault()) return std::nullopt;
  ApfFault f;
  const std::string code = r.text("string(/soap:Envelope/soap:Body/soap:Fault/faultcode)");
  f.client = code.find("Server") == std::string::npos;
  f.code = r.text("string(/soap:Envelope/soap:Body/soap:Fault/detail/apf:fault/apf:code)");
  f.text = r.text("string(/soap:Envelope/soap:Body/soap:Fault/faultstring)");
  return f;
}

Result<ApplicationPage> parse_list_response(const EnvelopeReader& r) {
  if (r.operation() != "ListApplicationsResponse") {
    return invalid_argument("expected ListApplicationsResponse, got '" + r.operation() + "'");
  }
  ApplicationPage page;
  for (xmlNode* app :
       r.nodes("/soap:Envelope/soap:Body/apf:ListApplicationsResponse/apf:application")) {
    page.items.push_back(summary_of(r, app));
  }
  page.next_page_token =
      r.text("string(/soap:Envelope/soap:Body/apf:ListApplicationsResponse/apf:nextPageToken)");
  return page;
}

Result<Application> parse_get_response(const EnvelopeReader& r) {
  if (r.operation() != "GetApplicationResponse") {
    return invalid_argument("expected GetApplicationResponse, got '" + r.operation() + "'");
  }
  auto apps = r.nodes("/soap:Envelope/soap:Body/apf:GetApplicationResponse/apf:application");
  if (apps.size() != 1) return invalid_argument("GetApplicationResponse: expected one application");
  xmlNode* app = apps.front();
  Application a;
  a.summary = summary_of(r, app);
  auto form = base64_decode(r.text("string(apf:formData)", app));
  a.form_data_is_base64 = form.has_value();
  if (form) a.form_data = std::move(*form);
  if (auto pdf = r.nodes("apf:pdf", app); !pdf.empty()) a.pdf = file_of(r, pdf.front());
  for (xmlNode* att : r.nodes("apf:attachment", app)) a.attachments.push_back(file_of(r, att));
  a.owner_id = r.text("string(apf:portal/apf:ownerId)", app);
  a.business_case_id = r.text("string(apf:portal/apf:businessCaseId)", app);
  return a;
}

std::optional<int64_t> parse_utc(const std::string& text) {
  struct tm t = {};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &t);
  if (rest == nullptr) return std::nullopt;
  int64_t ms = 0;
  if (*rest == '.') {
    int digits = 0;
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest, ++digits) {
      if (digits < 3) ms = ms * 10 + (*rest - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) ms *= 10;
  }
  if (rest[0] != 'Z' || rest[1] != '\0') return std::nullopt;
  return int64_t{timegm(&t)} * 1000 + ms;
}

std::string format_utc(int64_t ms) {
  time_t seconds = static_cast<time_t>(ms / 1000);
  struct tm t = {};
  gmtime_r(&seconds, &t);
  char out[96];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900,
                t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                static_cast<int>(ms % 1000));
  return out;
}

}  // namespace portier::afs
