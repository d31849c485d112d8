#pragma once
// The department service over Thrift at /thrift/v1 (its IDL at /thrift/v1?idl), on the one HTTP
// front door with Thrift's HTTP transport semantics: a POST body holds one call, the answer body
// its reply, in the call's protocol (compact or binary). Only decoding, authentication and
// encoding happen here; what a call means is decided by the use cases
// (core/cases/department_cases.h), exactly as for SOAP.
//
// The order of checks is the SOAP service's: the message is read and its fields checked (a
// refusal names the field), then the caller is authenticated (its verified TLS client
// certificate, else "Authorization: Bearer <token>" with a department's token from the
// mappings; header.senderId must name it), then its requests per minute are admitted. A refusal
// of the caller is also an audit entry.
//
// Every reply to a readable call is HTTP 200 with the method's reply, also for its declared
// exceptions: Thrift's HTTP clients (C++, Java) read no body from any other status. TryLater also
// carries a Retry-After header. A body that is no Thrift call at all is refused with HTTP 400.
//
// Threads: handle() runs on I/O threads and never blocks: decoding, authentication and the
// success answer of an intake are CPU work done there, so an intake crosses threads only to the
// journal's writer and back. Documents, reads, refusals that write an audit entry and rare
// answers run on this service's own pool. shutdown() is called once, from the main thread,
// after the HTTP server has drained.
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <string>

#include "adapters/http/message.h"
#include "adapters/thrift/department_rpc_codec.h"
#include "core/base/clock.h"
#include "core/base/metrics.h"
#include "core/base/status.h"
#include "core/cases/department_cases.h"
#include "core/mapping/registry.h"

namespace portier::thrift_adapter {

inline constexpr char kThriftPath[] = "/thrift/v1";

struct DepartmentRpcParts {
  cases::DepartmentCases& cases;
  mapping::Registry& mappings;
  metrics::Registry& metrics;
  RpcLimits limits;
};

class DepartmentRpc final : public http::Handler {
 public:
  DepartmentRpc(DepartmentRpcParts parts, unsigned threads);
  ~DepartmentRpc() override;

  void handle(http::Request request, http::Respond respond) override;
  void shutdown();

 private:
  struct Call;
  void accept_work(std::shared_ptr<Call> call);
  void accept_document(std::shared_ptr<Call> call);
  void answer_read(std::shared_ptr<Call> call);
  void commit(std::shared_ptr<Call> call, cases::PreparedIntake prepared);
  // The method's exception for `status`; refusals of the caller are audited first (on the pool).
  void fail(std::shared_ptr<Call> call, const Status& status);
  void answer_error(const std::shared_ptr<Call>& call, const Status& status);
  void answer(const std::shared_ptr<Call>& call, std::string body, const char* outcome);

  DepartmentRpcParts parts_;
  boost::asio::thread_pool pool_;
};

// The caller, by certificate subject or bearer token: kPermissionDenied naming what is missing
// or wrong (never echoing the token). Pure; any thread.
Result<const mapping::DepartmentMapping*> authenticate_rpc(const http::Request& request,
                                                           const mapping::MappingSet& mappings);

// The IDL as served to integrators.
std::string_view served_idl();

}  // namespace portier::thrift_adapter
