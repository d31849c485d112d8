#pragma once
// The RC adapter's wire format, in one place: the multipart upload a document delivery becomes
// (POST /documents: a `metadata` JSON part and a `file` part streamed from disk), the status read
// (GET /documents/{deliveryId}) and how their answers and RFC 7807 problems are read. The whole
// contract is ours until the portal's vendor hands over the real one
// (docs/contracts/rc-adapter.md). Pure functions.
#include <string>
#include <vector>

#include "connectors/http/http_client.h"
#include "core/base/status.h"
#include "core/model/codec.h"

namespace portier::rc_adapter {

// Below the configured base URL (e.g. https://portal.example/rc-adapter/v1).
inline constexpr const char* kDocumentsPath = "/documents";

// The `metadata` part for `item`: its message must be a documentDelivery for the INBOX channel
// with ownerId and serviceId set; the Business Process ID (at most 128 characters) comes from
// the work item, clientRequestId is its idempotency key. kInvalidArgument naming every field
// that is missing or invalid otherwise. Members in the contract's order:
//   {businessProcessId, businessCaseId?, ownerId, serviceId, title, documentKind, fileName,
//    sha256, sizeBytes, important, clientRequestId}
Result<std::string> metadata_json(const model::WorkItem& item);

// The two parts of the upload: `metadata` (application/json) and `file` (application/pdf, read
// from `file_path` while sending, named `delivery.fileName`).
std::vector<outbound::FormPart> upload_parts(std::string metadata,
                                             const model::DocumentDelivery& delivery,
                                             const std::string& file_path);

// The answer to an upload (201, or 200 for a repeated clientRequestId).
struct Accepted {
  std::string delivery_id;
  std::string status;  // "ACCEPTED"
};
// kUnavailable if the body is not one.
Result<Accepted> parse_accepted(const std::string& body);

// GET /documents/{deliveryId}, the id percent-encoded.
std::string status_path(const std::string& delivery_id);

// Where a delivery stands at the RC adapter.
struct DeliveryStatus {
  std::string delivery_id;
  std::string status;  // ACCEPTED | STORED_IN_INBOX | READ | REJECTED
  std::string reason;  // why it was REJECTED; "" otherwise
};
// kUnavailable if the body is not one or names an unknown status.
Result<DeliveryStatus> parse_status(const std::string& body);

}  // namespace portier::rc_adapter
