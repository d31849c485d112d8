#pragma once
// Delivers business cases, status updates, activities, notifications and inbox messages to the
// portal's REST API (see portal_wire.h for the calls), and reads back a business case and the
// portal's event feed (query::PortalReader).
//
// Every call carries a bearer token (AccessToken), the attempt timeout and an X-Correlation-Id
// (the work item's; a fresh one for each read, named in its errors); deliveries also carry the
// work item's Idempotency-Key. A 401 is tried once more with a fresh token. Deliveries are
// judged here: 2xx delivered; 408, 425, 429 and 5xx retried (Retry-After honoured); any other
// 4xx rejected with the problem's title and detail. Reads are judged by outbound::judge_read_status().
// Threads: deliver(), read_case() and read_events() on worker threads, concurrently.
#include <chrono>
#include <string>
#include <vector>

#include "connectors/http/http_client.h"
#include "connectors/http/access_token.h"
#include "connectors/portal/portal_wire.h"
#include "core/config/config.h"
#include "core/dispatch/connector.h"
#include "core/query/portal_reader.h"

namespace portier::portal {

class PortalConnector final : public dispatch::Connector, public query::PortalReader {
 public:
  PortalConnector(config::Portal settings, std::chrono::milliseconds attempt_timeout,
                  const Clock& clock);
  dispatch::DeliveryResult deliver(const model::WorkItem& item) override;
  // kNotFound for an unknown case; see outbound::judge_read_status() for the other errors.
  Result<query::PortalCase> read_case(const std::string& business_case_id) override;
  // kInvalidArgument for a negative cursor or a limit below 1.
  Result<std::vector<query::PortalEvent>> read_events(int64_t cursor, int limit) override;

 private:
  // One call: bearer token, timeout, `headers`; a 401 is tried once more with a fresh token.
  // Transport and token failures are errors (kUnavailable, kDeadlineExceeded); any HTTP status
  // is a reply.
  Result<outbound::HttpReply> exchange(const PortalRequest& request,
                                       std::vector<std::string> headers);
  // GET `request` and judge the answer; errors name the call and the correlation id.
  Result<std::string> read(const PortalRequest& request);

  config::Portal settings_;
  std::chrono::milliseconds attempt_timeout_;
  outbound::AccessToken token_;
  const Clock& clock_;  // Retry-After dates
};

}  // namespace portier::portal
