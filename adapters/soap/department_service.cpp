#include "adapters/soap/department_service.h"

#include <strings.h>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "adapters/soap/department_codec.h"
#include "core/base/digest.h"
#include "core/base/log.h"

std::string_view portier_department_wsdl();  // embedded at build time

namespace portier::soap_adapter {
namespace {

namespace json = boost::json;

const char* content_type(SoapVersion v) {
  return v == SoapVersion::k12 ? "application/soap+xml; charset=utf-8" : "text/xml; charset=utf-8";
}

SoapVersion version_hint(const http::Request& r) {
  return strncasecmp(r.header("Content-Type").c_str(), "application/soap+xml", 20) == 0
             ? SoapVersion::k12
             : SoapVersion::k11;
}

// SOAPAction as sent: the 1.1 header, or the action parameter of a 1.2 Content-Type.
std::string soap_action(const http::Request& r) {
  std::string action = r.header("SOAPAction");
  if (action.empty()) {
    std::string ct = r.header("Content-Type");
    size_t at = ct.find("action=");
    if (at != std::string::npos) {
      action = ct.substr(at + 7);
      size_t end = action.find(';');
      if (end != std::string::npos) action.resize(end);
    }
  }
  if (action.size() >= 2 && action.front() == '"' && action.back() == '"') {
    action = action.substr(1, action.size() - 2);
  }
  return action;
}

DepartmentCodec& thread_codec() {
  thread_local DepartmentCodec codec;
  return codec;
}

const MessageHeader& header_of(const DepartmentRequest& r) {
  return std::visit([](const auto& req) -> const MessageHeader& { return req.header; }, r);
}

std::string encode_answer(const std::string& bpid, const std::string& case_id, int64_t at_ms) {
  json::object o{{"businessProcessId", bpid}, {"acceptedMs", at_ms}};
  if (!case_id.empty()) o["businessCaseId"] = case_id;
  return json::serialize(o);
}

// Builds the journal intake for one request: what to store, and in `answer` what to answer
// (known before the commit, so that the reply can be written while the commit runs).
journal::Intake make_intake(const ParsedRequest& parsed, const http::Request& http, int64_t now_ms,
                            std::string& answer) {
  const MessageHeader& h = header_of(parsed.request);
  journal::Intake intake;
  intake.idempotency_key = h.sender_id + "/" + h.message_id;
  intake.department = h.sender_id;
  intake.correlation_id = http.correlation_id;
  intake.operation = parsed.operation;
  intake.request_sha256 = sha256_hex(http.body);

  if (const auto* open = std::get_if<OpenBusinessCase>(&parsed.request)) {
    intake.business_process_id = h.business_process_id.value_or("bp-" + random_uuid());
    journal::BusinessCaseRecord record{intake.business_process_id, random_uuid(),  h.sender_id,
                                       open->service_id,           open->owner_id, now_ms};
    answer = encode_answer(record.business_process_id, record.business_case_id, now_ms);
    intake.build = [req = *open, record,
                    answer](journal::IntakeTransaction& tx) -> Result<std::string> {
      const std::string& bpid = record.business_process_id;
      if (tx.find_case(bpid)) {
        return Status(StatusCode::kAlreadyExists,
                      "header/businessProcessId '" + bpid + "' is already in use");
      }
      tx.open_case(record);
      model::BusinessCase bc;
      bc.businessCaseId = record.business_case_id;
      bc.serviceId = req.service_id;
      bc.ownerId = req.owner_id;
      bc.title = req.title;
      if (req.header.our_business_reference_id) {
        bc.__set_ourBusinessReferenceId(*req.header.our_business_reference_id);
      }
      model::Message message;
      message.__set_businessCase(bc);
      tx.enqueue(kPortalDestination, message);
      return answer;
    };
  } else {
    const auto& report = std::get<ReportStatus>(parsed.request);
    intake.business_process_id = h.business_process_id.value_or("");
    answer = encode_answer(intake.business_process_id, "", now_ms);
    intake.build = [req = report, answer](journal::IntakeTransaction& tx) -> Result<std::string> {
      const std::string& bpid = *req.header.business_process_id;
      auto found = tx.find_case(bpid);
      if (!found) return not_found("header/businessProcessId '" + bpid + "' is not known");
      if (found->department != req.header.sender_id) {
        return permission_denied("header/businessProcessId '" + bpid +
                                 "' belongs to another department");
      }
      model::StatusUpdate update;
      update.businessCaseId = found->business_case_id;
      update.status = req.status;
      if (req.status_text) update.__set_statusText(*req.status_text);
      model::Message message;
      message.__set_statusUpdate(update);
      tx.enqueue(kPortalDestination, message);
      return answer;
    };
  }
  return intake;
}

std::string write_answer(DepartmentCodec& codec, const ParsedRequest& parsed,
                         const std::string& stored) {
  json::object o = json::parse(stored).as_object();
  std::string bpid(o.at("businessProcessId").as_string());
  int64_t at_ms = o.at("acceptedMs").to_number<int64_t>();
  if (parsed.operation == "openBusinessCase") {
    return codec.write(
        parsed.version,
        OpenBusinessCaseAnswer{bpid, std::string(o.at("businessCaseId").as_string()), at_ms});
  }
  return codec.write(parsed.version, ReportStatusAnswer{bpid, at_ms});
}

}  // namespace

FaultReply to_fault(const Status& status, SoapVersion version) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kPermissionDenied:
    case StatusCode::kFailedPrecondition:
      return {{true, status.message()}, version == SoapVersion::k12 ? 400u : 500u, false};
    case StatusCode::kUnavailable:
    case StatusCode::kResourceExhausted:
    case StatusCode::kDeadlineExceeded:
      return {{false, "temporarily unavailable, try again later: " + status.message()}, 503u, true};
    default:
      return {{false, "internal error"}, 500u, false};
  }
}

std::string served_wsdl(std::string_view host, bool tls) {
  std::string wsdl(portier_department_wsdl());
  const std::string placeholder = "http://localhost:8080/soap/v1";
  std::string location = std::string(tls ? "https://" : "http://") + std::string(host) + "/soap/v1";
  for (size_t at = wsdl.find(placeholder); at != std::string::npos;
       at = wsdl.find(placeholder, at + location.size())) {
    wsdl.replace(at, placeholder.size(), location);
  }
  return wsdl;
}

DepartmentService::DepartmentService(journal::Journal& journal, const Clock& clock,
                                     GuardLimits limits, unsigned threads,
                                     metrics::Registry& metrics,
                                     std::function<void()> work_accepted)
    : journal_(journal),
      clock_(clock),
      limits_(limits),
      metrics_(metrics),
      work_accepted_(std::move(work_accepted)),
      pool_(std::max(1u, threads)) {
  metrics_.describe("portier_soap_requests_total", "counter",
                    "Department SOAP requests by operation and outcome");
}

DepartmentService::~DepartmentService() { shutdown(); }

void DepartmentService::shutdown() { pool_.join(); }

void DepartmentService::handle(http::Request request, http::Respond respond) {
  if (request.method == "GET") {
    if (strcasecmp(request.query.c_str(), "wsdl") != 0) {
      respond(http::Response::text(404, "the WSDL is at /soap/v1?wsdl\n"));
      return;
    }
    http::Response r;
    r.content_type = "text/xml; charset=utf-8";
    r.body = served_wsdl(request.header("Host"), request.tls);
    respond(std::move(r));
    return;
  }
  serve(request, respond);
}

http::Response DepartmentService::refuse(const http::Request& partial, unsigned status,
                                         const std::string& detail) {
  SoapVersion version = version_hint(partial);
  metrics_.increment("portier_soap_requests_total",
                     {{"operation", "unknown"}, {"outcome", "rejected"}});
  http::Response r;
  r.status = status;
  r.content_type = content_type(version);
  r.body = thread_codec().write(version, Fault{true, detail});
  return r;
}

void DepartmentService::answer_fault(const http::Respond& respond, SoapVersion version,
                                     const Fault& fault, const std::string& operation,
                                     unsigned http_status) {
  metrics_.increment("portier_soap_requests_total",
                     {{"operation", operation}, {"outcome", fault.sender ? "rejected" : "failed"}});
  http::Response r;
  r.status = http_status ? http_status : (version == SoapVersion::k12 && fault.sender ? 400 : 500);
  r.content_type = content_type(version);
  r.body = thread_codec().write(version, fault);
  respond(std::move(r));
}

void DepartmentService::serve(const http::Request& request, const http::Respond& respond) {
  SoapVersion version = version_hint(request);
  GuardVerdict guard = check_xml_shape(request.body, limits_);
  if (!guard.ok) {
    log::warn("SOAP request refused by the XML guard",
              {{"rule", guard.rule}, {"correlation_id", request.correlation_id}});
    answer_fault(respond, version, {true, "XML refused (" + guard.rule + "): " + guard.detail},
                 "unknown");
    return;
  }
  auto parsed_or_fault = thread_codec().parse(request.body, version);
  if (auto* fault = std::get_if<Fault>(&parsed_or_fault)) {
    answer_fault(respond, version, *fault, "unknown");
    return;
  }
  auto parsed =
      std::make_shared<ParsedRequest>(std::get<ParsedRequest>(std::move(parsed_or_fault)));
  std::string action = soap_action(request);
  if (!action.empty() && action != "urn:portier:department:1#" + parsed->operation) {
    answer_fault(respond, version,
                 {true, "SOAPAction '" + action + "' does not match the Body's operation '" +
                            parsed->operation + "'"},
                 parsed->operation);
    return;
  }
  const MessageHeader& header = header_of(parsed->request);
  if (std::holds_alternative<ReportStatus>(parsed->request) && !header.business_process_id) {
    answer_fault(respond, version, {true, "header/businessProcessId is required for reportStatus"},
                 parsed->operation);
    return;
  }

  std::string answer;
  journal::Intake intake = make_intake(*parsed, request, clock_.now_ms(), answer);
  log::info("department request", {{"operation", parsed->operation},
                                   {"department", intake.department},
                                   {"business_process_id", intake.business_process_id},
                                   {"correlation_id", request.correlation_id}});
  // Written now, sent only if the commit succeeds and the key was new.
  http::Response ok;
  ok.content_type = content_type(parsed->version);
  ok.body = write_answer(thread_codec(), *parsed, answer);
  journal_.accept(std::move(intake), [this, parsed, respond, ok = std::move(ok)](
                                         Result<journal::IntakeOutcome> r) mutable {
    if (r.is_ok() && !r->duplicate) {
      if (work_accepted_) work_accepted_();
      metrics_.increment("portier_soap_requests_total",
                         {{"operation", parsed->operation}, {"outcome", "accepted"}});
      respond(std::move(ok));
      return;
    }
    // Rare paths (a replayed messageId, an error) are written on the service's own pool, not
    // on the journal's writer thread.
    boost::asio::post(pool_, [this, parsed, respond, r = std::move(r)] {
      if (r.is_ok()) {
        metrics_.increment("portier_soap_requests_total",
                           {{"operation", parsed->operation}, {"outcome", "duplicate"}});
        http::Response replay;
        replay.content_type = content_type(parsed->version);
        replay.body = write_answer(thread_codec(), *parsed, r->answer);
        respond(std::move(replay));
        return;
      }
      FaultReply reply = to_fault(r.status(), parsed->version);
      http::Response fault;
      fault.status = reply.http_status;
      fault.content_type = content_type(parsed->version);
      fault.body = thread_codec().write(parsed->version, reply.fault);
      if (reply.retry_after) fault.headers.emplace_back("Retry-After", "1");
      metrics_.increment("portier_soap_requests_total",
                         {{"operation", parsed->operation},
                          {"outcome", reply.fault.sender ? "rejected" : "failed"}});
      respond(std::move(fault));
    });
  });
}

}  // namespace portier::soap_adapter
