#pragma once
// Calls the APF web service (docs/contracts/afs-apf.md) over libcurl: one blocking SOAP 1.1
// exchange per method. Errors say what to do next:
//   kUnavailable / kDeadlineExceeded  transport error, HTTP 5xx without a Fault, soap:Server
//   kNotFound                         Fault NOT_FOUND (no such application)
//   kAlreadyExists                    Fault ALREADY_TAKEN (taken over by someone else)
//   kPermissionDenied                 Fault NOT_AUTHORISED / MAILBOX_NOT_AUTHORISED, HTTP 401/403
//   kInvalidArgument                  any other Fault, or an answer that is not the contract
// Threads: any thread; stateless apart from its settings.
#include <chrono>
#include <string>

#include "connectors/afs/apf_wire.h"
#include "core/config/outbound_tls.h"
#include "core/xml/shape_guard.h"

namespace portier::afs {

struct ApfSettings {
  std::string url;  // the service endpoint, e.g. https://apf.example/ws/apf/v1
  Credentials credentials;
  config::OutboundTls tls;
  std::chrono::milliseconds timeout{30'000};
  xml::GuardLimits xml_limits;  // for its answers
};

class ApfClient {
 public:
  explicit ApfClient(ApfSettings settings) : settings_(std::move(settings)) {}

  Result<ApplicationPage> list(const std::string& mailbox, const std::string& since,
                               const std::string& page_token, int page_size) const;
  Result<Application> get(const std::string& application_id) const;
  Status take_over(const std::string& application_id, const std::string& external_reference) const;
  Status set_status(const std::string& application_id, const std::string& status,
                    const std::string& comment) const;

  const ApfSettings& settings() const { return settings_; }

 private:
  // Sends `envelope` and returns the parsed answer, or the error its Fault or status means.
  Result<EnvelopeReader> exchange(const std::string& operation, std::string envelope) const;

  ApfSettings settings_;
};

}  // namespace portier::afs
