#include "connectors/afs/apf_client.h"

#include "connectors/http/http_client.h"

namespace portier::afs {
namespace {

Status status_of(const ApfFault& f, const std::string& operation) {
  std::string why = operation + ": " + (f.code.empty() ? "Fault" : f.code) + ": " + f.text;
  if (f.code == "NOT_FOUND") return Status(StatusCode::kNotFound, why);
  if (f.code == "ALREADY_TAKEN") return Status(StatusCode::kAlreadyExists, why);
  if (f.code == "NOT_AUTHORISED" || f.code == "MAILBOX_NOT_AUTHORISED") {
    return Status(StatusCode::kPermissionDenied, why);
  }
  if (!f.client) return Status(StatusCode::kUnavailable, why);
  return invalid_argument(why);
}

}  // namespace

Result<EnvelopeReader> ApfClient::exchange(const std::string& operation,
                                           std::string envelope) const {
  outbound::HttpCall call;
  call.method = "POST";
  call.url = settings_.url;
  call.headers = {"Content-Type: text/xml; charset=utf-8",
                  "SOAPAction: \"" + std::string(kApfNamespace) + "#" + operation + "\""};
  call.body = std::move(envelope);
  call.timeout = settings_.timeout;
  call.tls = settings_.tls;
  call.max_reply_bytes = kMaxEnvelopeBytes;  // answers carry base64 PDFs and attachments
  auto reply = outbound::perform(call);
  if (!reply.is_ok()) return reply.status();
  auto reader = EnvelopeReader::parse(reply->body, settings_.xml_limits);
  if (reader.is_ok()) {
    if (auto fault = fault_of(*reader)) return status_of(*fault, operation);
  }
  const long http = reply->status;
  if (http == 401 || http == 403) {
    return Status(StatusCode::kPermissionDenied, operation + ": HTTP " + std::to_string(http));
  }
  if (http >= 500 || http == 408 || http == 429) {
    return Status(StatusCode::kUnavailable, operation + ": HTTP " + std::to_string(http));
  }
  if (http < 200 || http >= 300) {
    return invalid_argument(operation + ": HTTP " + std::to_string(http));
  }
  if (!reader.is_ok()) return invalid_argument(operation + ": " + reader.status().message());
  return reader;
}

Result<ApplicationPage> ApfClient::list(const std::string& mailbox, const std::string& since,
                                        const std::string& page_token, int page_size) const {
  auto r = exchange("ListApplications", list_request(settings_.credentials, mailbox, "NEW", since,
                                                     page_token, page_size));
  if (!r.is_ok()) return r.status();
  return parse_list_response(*r);
}

Result<Application> ApfClient::get(const std::string& application_id) const {
  auto r = exchange("GetApplication", get_request(settings_.credentials, application_id));
  if (!r.is_ok()) return r.status();
  return parse_get_response(*r);
}

Status ApfClient::take_over(const std::string& application_id,
                            const std::string& external_reference) const {
  auto r = exchange("TakeOver",
                    take_over_request(settings_.credentials, application_id, external_reference));
  if (!r.is_ok()) return r.status();
  if (r->operation() != "TakeOverResponse") return invalid_argument("TakeOver: unexpected answer");
  return Status::ok();
}

Status ApfClient::set_status(const std::string& application_id, const std::string& status,
                             const std::string& comment) const {
  auto r = exchange("SetStatus",
                    set_status_request(settings_.credentials, application_id, status, comment));
  if (!r.is_ok()) return r.status();
  if (r->operation() != "SetStatusResponse")
    return invalid_argument("SetStatus: unexpected answer");
  return Status::ok();
}

}  // namespace portier::afs
