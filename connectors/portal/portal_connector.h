#pragma once
// Delivers business cases and status updates to the portal's REST API (see portal_wire.h for
// the calls). Every attempt carries the work item's idempotency key and correlation id, a
// bearer token (AccessToken) and the attempt timeout. The portal's answer is judged here:
// 2xx delivered; 401 once more with a fresh token; 408, 425, 429 and 5xx retried (Retry-After
// honoured); any other 4xx rejected with the problem's title and detail.
// Threads: deliver() on dispatch worker threads, concurrently.
#include <memory>

#include "connectors/portal/access_token.h"
#include "core/config/config.h"
#include "core/dispatch/connector.h"

namespace portier::portal {

class PortalConnector final : public dispatch::Connector {
 public:
  PortalConnector(config::Portal settings, std::chrono::milliseconds attempt_timeout,
                  const Clock& clock);
  dispatch::DeliveryResult deliver(const model::WorkItem& item) override;

 private:
  config::Portal settings_;
  std::chrono::milliseconds attempt_timeout_;
  AccessToken token_;
};

// How an HTTP status is judged (table-tested).
dispatch::DeliveryResult::Kind judge_status(long status);

}  // namespace portier::portal
