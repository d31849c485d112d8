#include "adapters/thrift/department_rpc.h"

#include <strings.h>

#include <boost/asio/post.hpp>

#include "core/base/digest.h"
#include "core/base/log.h"
#include "core/cases/errors.h"
#include "core/cases/request_checks.h"

std::string_view portier_department_idl();  // embedded at build time

namespace portier::thrift_adapter {
namespace {

constexpr char kMetric[] = "portier_thrift_requests_total";

http::Response plain(unsigned status, std::string text) {
  return http::Response::text(status, std::move(text));
}

// The token of "Authorization: Bearer <token>", "" if there is none.
std::string bearer_token(const http::Request& request) {
  const std::string value = request.header("Authorization");
  if (value.size() <= 7 || strncasecmp(value.c_str(), "Bearer ", 7) != 0) return {};
  size_t start = value.find_first_not_of(' ', 7);
  return start == std::string::npos ? std::string() : value.substr(start);
}

}  // namespace

std::string_view served_idl() { return portier_department_idl(); }

Result<const mapping::DepartmentMapping*> authenticate_rpc(const http::Request& request,
                                                           const mapping::MappingSet& mappings) {
  if (!request.client_certificate_subject.empty()) {
    if (const auto* d = mappings.by_certificate_subject(request.client_certificate_subject)) {
      return d;
    }
  }
  const std::string token = bearer_token(request);
  if (token.empty()) {
    return permission_denied(
        "authentication required: a client certificate or a token (Authorization: Bearer) of a "
        "mapped department");
  }
  const mapping::DepartmentMapping* department = mappings.by_api_token(token);
  if (!department) return permission_denied("token: not the token of a mapped department");
  return department;
}

struct DepartmentRpc::Call {
  http::Request request;
  http::Respond respond;
  RpcCall rpc;
  cases::DepartmentRequest parsed;
  std::shared_ptr<const mapping::MappingSet> mappings;  // the set this request started under
  cases::CallOrigin origin;
};

DepartmentRpc::DepartmentRpc(DepartmentRpcParts parts, unsigned threads)
    : parts_(std::move(parts)), pool_(std::max(1u, threads)) {
  parts_.metrics.describe(kMetric, "counter",
                          "Department Thrift requests by operation and outcome");
}

DepartmentRpc::~DepartmentRpc() { shutdown(); }

void DepartmentRpc::shutdown() { pool_.join(); }

void DepartmentRpc::handle(http::Request request, http::Respond respond) {
  if (request.method == "GET") {
    if (strcasecmp(request.query.c_str(), "idl") != 0) {
      respond(plain(404, "the Thrift IDL is at /thrift/v1?idl\n"));
      return;
    }
    http::Response r;
    r.content_type = "text/plain; charset=utf-8";
    r.headers.emplace_back("Content-Disposition", "inline; filename=\"department.thrift\"");
    r.body = std::string(served_idl());
    respond(std::move(r));
    return;
  }
  if (request.method != "POST") {
    http::Response r = plain(405, "POST a Thrift call, or GET /thrift/v1?idl\n");
    r.headers.emplace_back("Allow", "GET, POST");
    respond(std::move(r));
    return;
  }
  auto protocol = protocol_of(request.header("Content-Type"), request.body);
  auto refuse = [&](const std::string& why) {
    parts_.metrics.increment(kMetric, {{"operation", "unknown"}, {"outcome", "rejected"}});
    log::warn("Thrift request refused",
              {{"reason", why}, {"correlation_id", request.correlation_id}});
    respond(plain(400, why + "\n"));
  };
  if (!protocol.is_ok()) return refuse(protocol.status().message());
  RpcCall unknown;
  auto decoded = decode_call(request.body, *protocol, parts_.limits, &unknown);
  if (!decoded.is_ok()) {
    if (decoded.status().code() != StatusCode::kNotFound) return refuse(decoded.status().message());
    parts_.metrics.increment(kMetric, {{"operation", "unknown"}, {"outcome", "rejected"}});
    http::Response r;
    r.content_type = content_type_of(unknown.protocol);
    r.body = write_unknown_method(unknown);
    respond(std::move(r));
    return;
  }
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  call->respond = std::move(respond);
  call->rpc = decoded->call;
  // Bad input is refused before the caller is looked at, as the SOAP service does.
  if (const auto* bad = std::get_if<Status>(&decoded->request)) return answer_error(call, *bad);
  call->parsed = std::move(std::get<cases::DepartmentRequest>(decoded->request));
  if (Status checked = cases::check_request(call->parsed); !checked.is_ok()) {
    return answer_error(call, checked);
  }
  call->mappings = parts_.mappings.current();
  cases::CallOrigin& origin = call->origin;
  origin.correlation_id = call->request.correlation_id;
  origin.remote_address = call->request.remote_address;
  auto department = authenticate_rpc(call->request, *call->mappings);
  if (!department.is_ok()) return fail(call, department.status());
  origin.department = *department;
  if (Status s = cases::check_sender(cases::header_of(call->parsed), **department); !s.is_ok()) {
    return fail(call, s);
  }
  if (Status admitted = parts_.cases.admit(**department); !admitted.is_ok()) {
    return answer_error(call, admitted);
  }
  parts_.cases.note(call->parsed, origin, "thrift");
  if (cases::queues_work(call->parsed)) {
    accept_work(std::move(call));
  } else if (std::holds_alternative<cases::DeliverDocument>(call->parsed)) {
    boost::asio::post(pool_, [this, call] { accept_document(call); });
  } else {
    boost::asio::post(pool_, [this, call] { answer_read(call); });
  }
}

void DepartmentRpc::accept_work(std::shared_ptr<Call> call) {
  call->origin.request_sha256 = sha256_hex(call->request.body);
  auto prepared = parts_.cases.prepare(call->parsed, call->origin);
  if (!prepared.is_ok()) return fail(call, prepared.status());
  commit(std::move(call), std::move(*prepared));
}

void DepartmentRpc::accept_document(std::shared_ptr<Call> call) {
  call->origin.request_sha256 = sha256_hex(call->request.body);
  auto prepared =
      parts_.cases.prepare_document(std::get<cases::DeliverDocument>(call->parsed), call->origin);
  if (!prepared.is_ok()) return fail(call, prepared.status());
  commit(std::move(call), std::move(*prepared));
}

void DepartmentRpc::commit(std::shared_ptr<Call> call, cases::PreparedIntake prepared) {
  // Written now, sent only if the commit succeeds and the key was new.
  std::string ok = write_answer(call->rpc, prepared.answer);
  parts_.cases.commit(std::move(prepared),
                      [this, call, ok = std::move(ok)](Result<journal::IntakeOutcome> r) mutable {
                        if (r.is_ok() && !r->duplicate)
                          return answer(call, std::move(ok), "accepted");
                        // Rare paths (a repeated messageId, an error) are written on the pool, not
                        // on the journal's writer thread.
                        boost::asio::post(pool_, [this, call, r = std::move(r)] {
                          if (!r.is_ok()) return fail(call, r.status());
                          auto repeated = cases::DepartmentCases::repeated_answer(call->parsed, *r);
                          if (!repeated.is_ok()) return fail(call, repeated.status());
                          answer(call, write_answer(call->rpc, *repeated), "duplicate");
                        });
                      });
}

void DepartmentRpc::answer_read(std::shared_ptr<Call> call) {
  auto read = parts_.cases.read(call->parsed, call->origin);
  if (!read.is_ok()) return fail(call, read.status());
  answer(call, write_answer(call->rpc, *read), "answered");
}

void DepartmentRpc::fail(std::shared_ptr<Call> call, const Status& status) {
  if (status.code() != StatusCode::kPermissionDenied) return answer_error(call, status);
  boost::asio::post(pool_, [this, call, status] {
    const cases::MessageHeader& h = cases::header_of(call->parsed);
    parts_.cases.refused(call->origin, h.sender_id, call->rpc.method,
                         h.business_process_id.value_or(""), status);
    answer_error(call, status);
  });
}

void DepartmentRpc::answer_error(const std::shared_ptr<Call>& call, const Status& status) {
  const cases::CaseError error = cases::describe_error(status);
  parts_.metrics.increment(
      kMetric,
      {{"operation", call->rpc.method},
       {"outcome", error.blame == cases::CaseError::Blame::kCaller ? "rejected" : "failed"}});
  http::Response r;
  r.content_type = content_type_of(call->rpc.protocol);
  r.body = write_error(call->rpc, error);
  if (error.retry_after_s)
    r.headers.emplace_back("Retry-After", std::to_string(*error.retry_after_s));
  call->respond(std::move(r));
}

void DepartmentRpc::answer(const std::shared_ptr<Call>& call, std::string body,
                           const char* outcome) {
  parts_.metrics.increment(kMetric, {{"operation", call->rpc.method}, {"outcome", outcome}});
  http::Response r;
  r.content_type = content_type_of(call->rpc.protocol);
  r.body = std::move(body);
  call->respond(std::move(r));
}

}  // namespace portier::thrift_adapter
