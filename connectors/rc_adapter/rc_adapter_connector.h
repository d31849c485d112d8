#pragma once
// Delivers documents to the citizen's e-account inbox through the portal's RC adapter (see
// rc_wire.h for the calls) and reads back where a delivery stands.
//
// An upload is one multipart/form-data POST: the metadata as JSON and the PDF streamed from the
// content-addressed store (memory does not grow with the document). It carries a bearer token
// of the portal's OAuth2 client (outbound::AccessToken, scope documents.write), the attempt
// timeout, an X-Correlation-Id (the work item's; a fresh one for each read, named in its errors)
// and the work item's idempotency key twice: as Idempotency-Key header and as clientRequestId,
// so a retry after a lost answer gets the first delivery back (200) instead of a second one. A
// 401 is tried once more with a fresh token. Uploads are judged by outbound::judge_status(); reads by
// outbound::judge_read_status().
// Threads: deliver(), upload(), read_delivery() and delivery_status() on worker threads,
// concurrently; `locate` is called on those threads too.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "connectors/http/http_client.h"
#include "connectors/http/access_token.h"
#include "connectors/rc_adapter/rc_wire.h"
#include "core/base/clock.h"
#include "core/config/config.h"
#include "core/dispatch/connector.h"

namespace portier::rc_adapter {

struct RcAdapterSettings {
  std::string base_url;  // e.g. https://portal.example/rc-adapter/v1, without a trailing '/'
  config::OutboundTls tls;  // the adapter's pinned CA and client certificate
  // The portal's token endpoint and client; `scope` should be "documents.write".
  config::Portal token;
};

// The file that holds the bytes with this SHA-256 (lower-case hex) in the content-addressed
// store. kNotFound if the store has none; a retryable error if it cannot tell now.
using DocumentLocator = std::function<Result<std::string>(const std::string& sha256)>;

class RcAdapterConnector final : public dispatch::Connector {
 public:
  RcAdapterConnector(RcAdapterSettings settings, DocumentLocator locate,
                     std::chrono::milliseconds attempt_timeout, const Clock& clock);

  // upload(item).result.
  dispatch::DeliveryResult deliver(const model::WorkItem& item) override;

  struct Upload {
    dispatch::DeliveryResult result;  // request_sha256: the digest of the metadata part
    std::string delivery_id;          // the RC adapter's id; "" unless delivered
  };
  // One attempt. Not a documentDelivery for the inbox, invalid metadata, a document missing
  // from the store or unreadable: rejected before anything is sent (a retryable store error is
  // retried). Delivered: 2xx, the detail naming the deliveryId.
  Upload upload(const model::WorkItem& item);

  // Where the delivery stands; errors as outbound::judge_read_status(), kUnavailable for a malformed
  // answer.
  Result<DeliveryStatus> read_delivery(const std::string& delivery_id);
  // read_delivery(delivery_id)->status: ACCEPTED, STORED_IN_INBOX, READ or REJECTED.
  Result<std::string> delivery_status(const std::string& delivery_id);

 private:
  // One call with bearer token, timeout and `headers`; a 401 is tried once more with a fresh
  // token. Multipart if `parts` is not empty. Transport and token failures are errors.
  Result<outbound::HttpReply> exchange(const std::string& method, const std::string& path,
                                       std::vector<std::string> headers,
                                       const std::vector<outbound::FormPart>& parts);

  RcAdapterSettings settings_;
  DocumentLocator locate_;
  std::chrono::milliseconds attempt_timeout_;
  outbound::AccessToken token_;  // after settings_, whose `token` it refers to
  const Clock& clock_;           // Retry-After dates
};

}  // namespace portier::rc_adapter
