#pragma once
// The department SOAP service at /soap/v1 (its WSDL at /soap/v1?wsdl): shape guard, gSOAP
// parse, intake into the journal, answer. Every error becomes a SOAP Fault in one place
// (`to_fault`), and nothing is stored unless the answer is a success.
//
// Threads: handle() runs on I/O threads. Guard, parse and the success answer are CPU work done
// there (one gSOAP context per thread; a 2 KB request costs tens of microseconds), so a request
// crosses threads only twice: to the journal's writer and back to its connection. The writer's
// callback sends a prepared success answer itself; a replayed messageId or an error is written
// on the service's own pool. shutdown() is called once, from the main thread, after the HTTP
// server has drained.
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <string_view>

#include "adapters/http/message.h"
#include "adapters/soap/department_messages.h"
#include "adapters/soap/xml_guard.h"
#include "core/base/clock.h"
#include "core/base/metrics.h"
#include "core/base/status.h"
#include "core/journal/journal.h"

namespace portier::soap_adapter {

// The destination name under which work for the portal is queued.
inline constexpr char kPortalDestination[] = "portal";

class DepartmentService final : public http::Handler {
 public:
  DepartmentService(journal::Journal& journal, const Clock& clock, GuardLimits limits,
                    unsigned threads, metrics::Registry& metrics,
                    std::function<void()> work_accepted);
  ~DepartmentService() override;

  void handle(http::Request request, http::Respond respond) override;
  // A request the HTTP layer could not read (e.g. too large) as a SOAP Fault with `status`.
  http::Response refuse(const http::Request& partial, unsigned status, const std::string& detail);
  void shutdown();

 private:
  void serve(const http::Request& request, const http::Respond& respond);
  void answer_fault(const http::Respond& respond, SoapVersion version, const Fault& fault,
                    const std::string& operation, unsigned http_status = 0);

  journal::Journal& journal_;
  const Clock& clock_;
  GuardLimits limits_;
  metrics::Registry& metrics_;
  std::function<void()> work_accepted_;  // tells dispatch that new work is waiting
  boost::asio::thread_pool pool_;
};

// The Fault and HTTP status for an error Status, in SOAP 1.1 or 1.2 (table-tested).
struct FaultReply {
  Fault fault;
  unsigned http_status;
  bool retry_after;
};
FaultReply to_fault(const Status& status, SoapVersion version);

// The WSDL as served, with its endpoint address set to where the client reached us.
std::string served_wsdl(std::string_view host, bool tls);

}  // namespace portier::soap_adapter
