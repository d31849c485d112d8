#pragma once
// The portal's Request Center Adapter (RC adapter) as Portier's connectors/rc_adapter sees it:
// documents pushed with their Business Process ID into the citizen's e-account inbox, following
// docs/contracts/rc-adapter.md (the whole contract is ours; reference/protocols.md §7.2).
//
//   POST /rc-adapter/v1/documents        multipart/form-data, parts `metadata` (JSON) and `file`
//                                        (application/pdf) -> 201 {deliveryId, status:"ACCEPTED"};
//                                        200 with the same body for a repeated clientRequestId
//   GET  /rc-adapter/v1/documents/{id}   -> {deliveryId, status, reason, ...}; 404
//
//   POST /_sim/rc-adapter/store  {deliveryId?}       test-only: ACCEPTED -> STORED_IN_INBOX now
//                                                     (one delivery, or every one without an id)
//   POST /_sim/rc-adapter/read   {deliveryId}        test-only: the citizen reads it -> READ
//   POST /_sim/rc-adapter/reject {deliveryId, reason} test-only: the inbox refuses it -> REJECTED
//   POST /_sim/rc-adapter/known  {ownerIds, businessProcessIds}
//                                        test-only: the owners and Business Process IDs the
//                                        adapter knows (an array each; null: any is known)
//   GET  /_sim/rc-adapter/documents/{id}/file        test-only: the stored bytes
//
// Lifecycle: ACCEPTED -> STORED_IN_INBOX once `store_delay` has passed on the sim clock (or at
// /_sim/rc-adapter/store) -> READ; ACCEPTED or STORED_IN_INBOX -> REJECTED{reason}.
//
// Authentication: a Bearer token issued by the portal module (the same OAuth2 client), checked
// through `BearerCheck`; the upload needs the scope `documents.write`, the status read any valid
// token. Answers in the order: 401/403, 415 (not multipart/form-data), 400 (malformed multipart),
// 422 naming the field (missing part, invalid metadata field, Idempotency-Key header differing
// from clientRequestId), 413 (sizeBytes or the file over `max_document_bytes`), 200 replay or 422
// (clientRequestId already used for another document), 422 unknown ownerId/businessProcessId,
// 409 (the file's SHA-256 or size differs from the metadata), 201. Only accepted documents bind
// their clientRequestId: a refused upload may be sent again, corrected, under the same id.
//
// Threads: handlers, inspect() and reset() from any I/O thread. Parsing and hashing run outside
// the lock; one mutex guards the state and is never held while answering or calling
// `BearerCheck`. Files are kept in memory. reset() forgets deliveries and the known lists.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/base/clock.h"
#include "tests/sim/sim_module.h"

namespace portier::sim {

struct RcAdapterSimOptions {
  // ACCEPTED becomes STORED_IN_INBOX this long after acceptance, on the sim clock.
  std::chrono::milliseconds store_delay{5'000};
  // Larger documents get 413. The HTTP server's body limit must be above it.
  uint64_t max_document_bytes = 64ull << 20;
  // The owners and Business Process IDs the adapter knows; nothing: any is known.
  std::optional<std::set<std::string>> owner_ids;
  std::optional<std::set<std::string>> business_process_ids;
};

// The 401/403 to answer, or nothing if the request's bearer token is valid and has `scope` (any
// valid token if `scope` is null). PortalSim::authorize() in portier-sim. Thread-safe.
using BearerCheck =
    std::function<std::optional<http::Response>(const http::Request&, const char* scope)>;

class RcAdapterSim final : public SimModule {
 public:
  // `authorize` must not be empty; `clock` (the sim clock) must outlive the module.
  RcAdapterSim(RcAdapterSimOptions options, BearerCheck authorize, const Clock& clock);

  std::string name() const override { return "rc-adapter"; }
  std::vector<std::string> path_prefixes() const override { return {"/rc-adapter/v1/"}; }
  void register_routes(http::Router& router) override;
  void register_control_routes(http::Router& router) override;
  // {deliveries:[{deliveryId, clientRequestId, metadata, sha256, sizeBytes, fileName, status,
  //  reason, acceptedAt, storedInInboxAt, readAt, rejectedAt, received}], effects,
  //  known:{ownerIds, businessProcessIds}}; `received` counts the uploads with its
  //  clientRequestId, `effects` the accepted documents.
  boost::json::value inspect() const override;
  void reset() override;

  static constexpr const char* kDocumentsPath = "/rc-adapter/v1/documents";
  static constexpr const char* kScope = "documents.write";
  static constexpr const char* kStorePath = "/_sim/rc-adapter/store";
  static constexpr const char* kReadPath = "/_sim/rc-adapter/read";
  static constexpr const char* kRejectPath = "/_sim/rc-adapter/reject";
  static constexpr const char* kKnownPath = "/_sim/rc-adapter/known";
  static constexpr const char* kFilesPath = "/_sim/rc-adapter/documents/";

 private:
  struct Delivery {
    std::string id;  // UUID
    std::string client_request_id;
    boost::json::object metadata;  // as received
    std::string fingerprint;       // SHA-256 of the metadata and the file's digest
    std::string owner_id;
    std::string business_process_id;
    std::string sha256;  // of the received file, lower-case hex
    std::string file_name;
    std::string content;  // the file
    std::string status = "ACCEPTED";
    std::optional<std::string> reason;  // REJECTED only
    int64_t accepted_ms = 0;
    std::optional<int64_t> stored_ms, read_ms, rejected_ms;
    uint64_t received = 1;
    std::string first_answer;  // the 201 body, sent again on a replay
  };
  struct Upload;  // a parsed and checked POST, before the lock (rc_adapter_sim.cpp)

  void upload(const http::Request& request, const http::Respond& respond);
  void status(const http::Request& request, const http::Respond& respond);
  // The answer for a checked upload. Caller holds mutex_.
  http::Response accept(Upload& upload);
  void store_control(const http::Request& request, const http::Respond& respond);
  void read_control(const http::Request& request, const http::Respond& respond);
  void reject_control(const http::Request& request, const http::Respond& respond);
  void known_control(const http::Request& request, const http::Respond& respond);
  void file_control(const http::Request& request, const http::Respond& respond);

  // Moves `d` to STORED_IN_INBOX if its store delay has passed. Caller holds mutex_.
  void settle(Delivery& d) const;
  // The delivery named by `id`, settled; nullptr if unknown. Caller holds mutex_.
  Delivery* find(const std::string& id) const;
  static boost::json::value status_json(const Delivery& d);

  const RcAdapterSimOptions options_;
  const BearerCheck authorize_;
  const Clock& clock_;

  mutable std::mutex mutex_;
  // Statuses move forward lazily, when a delivery is looked at: hence mutable.
  mutable std::vector<Delivery> deliveries_;            // in order of acceptance
  std::unordered_map<std::string, size_t> index_;       // deliveryId -> position
  std::map<std::string, size_t> by_client_request_id_;  // clientRequestId -> position
  std::optional<std::set<std::string>> owner_ids_;
  std::optional<std::set<std::string>> business_process_ids_;
  uint64_t effects_ = 0;
};

}  // namespace portier::sim
