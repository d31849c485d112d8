#pragma once
// The department SOAP service at /soap/v1 (its WSDL at /soap/v1?wsdl): shape guard, gSOAP
// parse, authentication through the department's mapping; what the call means is the use
// cases' (core/cases/department_cases.h), this service only decodes and encodes. Every error
// becomes a SOAP Fault through `to_fault`; a refusal for who the caller is or what it tried to
// reach also leaves an audit entry. Nothing is stored unless the answer is a success.
//
// Threads: handle() runs on I/O threads. Guard, parse, authentication and the success answer
// of an intake are CPU work done there (one gSOAP context per thread), so an intake crosses
// threads only twice: to the journal's writer and back. Blocking work (reads, nonce checks,
// audit entries, calls to the portal) and rare answers run on the service's own pool.
// A request too large for memory arrives spooled (http::SpooledBody) and is read on the pool
// (spooled_envelope.h); its document's text goes from the spool to the store only after the
// caller is authenticated and the request checked. An MTOM request (mtom_package.h) is read the
// same way on the pool, its root part as the envelope; the part its xop:Include names goes to the
// store at the same point, decoded from the package.
// shutdown() is called once, from the main thread, after the HTTP server has drained.
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "adapters/http/message.h"
#include "adapters/soap/department_auth.h"
#include "adapters/soap/department_codec.h"
#include "adapters/soap/department_messages.h"
#include "adapters/soap/mtom_package.h"
#include "adapters/soap/spooled_envelope.h"
#include "core/xml/shape_guard.h"
#include "core/base/clock.h"
#include "core/base/metrics.h"
#include "core/base/status.h"
#include "core/cases/department_cases.h"
#include "core/mapping/registry.h"

namespace portier::soap_adapter {

struct DepartmentServiceParts {
  cases::DepartmentCases& cases;
  const Clock& clock;
  mapping::Registry& mappings;
  metrics::Registry& metrics;
};

class DepartmentService final : public http::Handler {
 public:
  DepartmentService(DepartmentServiceParts parts, xml::GuardLimits limits, unsigned threads);
  ~DepartmentService() override;

  void handle(http::Request request, http::Respond respond) override;
  bool reads_spooled_body() const override { return true; }
  // A request the HTTP layer could not read (e.g. too large) as a SOAP Fault with `status`.
  http::Response refuse(const http::Request& partial, unsigned status, const std::string& detail);
  void shutdown();

 private:
  struct Call;  // one request on its way through the service
  struct Spooled;  // what the first reading of a spooled request found
  void serve(const http::Request& request, const http::Respond& respond,
             std::shared_ptr<const Spooled> spooled = nullptr);
  // A spooled request, on the pool: read in pieces, then served like any other.
  void serve_spooled(http::Request request, const http::Respond& respond);
  // An MTOM request (in memory or spooled), on the pool: its root part is read as a spooled
  // envelope, then served like any other.
  void serve_mtom(http::Request request, const http::Respond& respond);
  void accept_work(std::shared_ptr<Call> call);
  void answer_read(std::shared_ptr<Call> call);
  // deliverDocument, on the pool: name, store and check the PDF, then the intake.
  void accept_document(std::shared_ptr<Call> call);
  // A spooled or MTOM request's document, decoded into the store (on the pool).
  Result<documents::StoredDocument> store_spooled_document(const std::shared_ptr<Call>& call,
                                                           const documents::DocumentStore& store,
                                                           uint64_t limit);
  void commit(std::shared_ptr<Call> call, cases::PreparedIntake prepared);
  // Fault for `status`; refusals of the caller are written to the audit log first (on the pool).
  void fail(std::shared_ptr<Call> call, const Status& status);
  void answer_fault(const http::Respond& respond, SoapVersion version, const Status& status,
                    const std::string& operation);

  DepartmentServiceParts parts_;
  xml::GuardLimits limits_;
  boost::asio::thread_pool pool_;
};

// The Fault and HTTP status for an error Status, in SOAP 1.1 or 1.2 (table-tested).
struct FaultReply {
  Fault fault;
  unsigned http_status;
  std::optional<int> retry_after_s;  // set for a 503: the Retry-After seconds
};
FaultReply to_fault(const Status& status, SoapVersion version);

// The WSDL as served, with its endpoint address set to where the client reached us.
std::string served_wsdl(std::string_view host, bool tls);

}  // namespace portier::soap_adapter
