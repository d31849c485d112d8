#pragma once
// The portal's REST interface under /portal/v1 (openapi.yaml beside this file):
//   POST   /portal/v1/identity-checks            check an account against a department
//   GET    /portal/v1/identity-links?accountId=  the account's links
//   GET    /portal/v1/identity-links/{linkId}    one link
//   DELETE /portal/v1/identity-links/{linkId}    revoke it: the next check asks again
//   GET    /portal/v1/openapi.yaml               the description itself
// Every call is authenticated first (portal_auth.h); a refusal is 401 problem+json and an audit
// entry. Errors are problem+json through problem_reply(), naming the field.
//
// Threads: handle() runs on an I/O thread and only posts the call to the interface's own pool,
// where authentication (with the nonce in the journal), the check and the answer are done;
// shutdown() once, from the main thread, after the HTTP server has drained.
#include <boost/asio/thread_pool.hpp>
#include <memory>

#include "adapters/http/message.h"
#include "adapters/rest/portal_auth.h"
#include "core/base/clock.h"
#include "core/base/metrics.h"
#include "core/identity/identity_service.h"
#include "core/journal/journal.h"

namespace portier::rest_adapter {

inline constexpr char kPortalApiPrefix[] = "/portal/v1/";

class PortalApi final : public http::Handler {
 public:
  PortalApi(identity::IdentityService& identity, journal::Journal& journal,
            std::unique_ptr<PortalAuthenticator> authenticator, const Clock& clock,
            metrics::Registry& metrics, std::chrono::milliseconds deadline, unsigned threads);
  ~PortalApi() override;

  void handle(http::Request request, http::Respond respond) override;
  void shutdown();

 private:
  http::Response serve(const http::Request& request, std::chrono::steady_clock::time_point started);
  http::Response check(const http::Request& request, std::chrono::steady_clock::time_point started);
  http::Response links(const http::Request& request);

  identity::IdentityService& identity_;
  journal::Journal& journal_;
  std::unique_ptr<PortalAuthenticator> authenticator_;
  const Clock& clock_;
  metrics::Registry& metrics_;
  std::chrono::milliseconds deadline_;
  boost::asio::thread_pool pool_;
};

// The OpenAPI description as served (embedded at build time).
std::string_view openapi_document();

}  // namespace portier::rest_adapter
