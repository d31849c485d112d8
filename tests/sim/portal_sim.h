#pragma once
// The portal (iGovPortal/egov4-like) as Portier's connectors/portal sees it: an OAuth2 token
// endpoint (client credentials) and the business case API, following docs/contracts/portal.md.
//
//   POST  /oauth2/token                  client credentials -> {access_token, token_type, ...}
//   POST  /api/v9/businesscases          create (caller-allocated businessCaseId) -> 201
//   PATCH /api/v9/businesscases/{id}     new status (+ statusText), appended to the history
//   GET   /api/v9/businesscases/{id}     the case with its history
//
// Every /api/v9 call needs a valid Bearer token (401 otherwise); mutations need the scope
// "businesscases.write" (403) and an Idempotency-Key header (400). The first answer to a key
// is final: a repeat with the same request gets it again, with `Idempotent-Replayed: true`, and
// changes nothing; a repeat with a different request gets 422. Errors are RFC 7807
// problem+json with a traceId; OAuth2 errors are RFC 6749 {"error": ...}.
//
// Threads: handlers, inspect() and reset() from any I/O thread; one mutex guards all state and
// is never held while answering. reset() forgets business cases, idempotency keys and counters
// but keeps issued access tokens valid, so a running Portier is not logged out by a test reset.
#include <chrono>
#include <cstdint>
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

struct PortalSimOptions {
  std::string client_id = "portier";
  std::string client_secret = "portier-sim-secret";
  std::chrono::seconds token_lifetime{300};
  // Scopes a client may ask for; a token request without `scope` gets all of them.
  std::vector<std::string> scopes = {"businesscases.write", "activities.read", "activities.write",
                                     "messages.write",      "ProfileApi_Low",  "ProfileApi_Medium",
                                     "ProfileApi_Max"};
};

class PortalSim final : public SimModule {
 public:
  // `clock` (the sim clock) must outlive the module.
  PortalSim(PortalSimOptions options, const Clock& clock);

  std::string name() const override { return "portal"; }
  std::vector<std::string> path_prefixes() const override { return {"/oauth2/", "/api/v9/"}; }
  void register_routes(http::Router& router) override;
  // {businessCases:[case...], effects, keys:{key:{received, applied, status}},
  //  tokens:{issued, active}}
  boost::json::value inspect() const override;
  void reset() override;

  static constexpr const char* kBusinessCasesPath = "/api/v9/businesscases";
  static const std::set<std::string>& statuses();  // OPEN, IN_PROGRESS, ...

 private:
  struct HistoryEntry {
    std::string status;
    std::optional<std::string> status_text;
    int64_t at_ms = 0;
  };
  struct BusinessCase {
    std::string id;  // lower-case UUID
    std::string owner_id;
    int32_t service_id = 0;
    std::string title;
    std::string business_process_id;
    std::optional<std::string> external_reference;
    std::string status = "OPEN";
    std::optional<std::string> status_text;
    int64_t created_ms = 0;
    int64_t updated_ms = 0;
    std::vector<HistoryEntry> history;
  };
  struct Token {
    int64_t expires_ms = 0;
    std::set<std::string> scopes;
  };
  struct KeyRecord {
    std::string fingerprint;  // SHA-256 of method, path and body of the first request
    http::Response first_answer;
    uint64_t received = 0;
    uint64_t applied = 0;
  };
  // A mutation's outcome: the answer and whether it changed state.
  struct Outcome {
    http::Response response;
    bool applied = false;
  };

  void issue_token(const http::Request& request, const http::Respond& respond);
  void get_case(const http::Request& request, const http::Respond& respond);
  // The frame every mutating call shares: bearer + scope, Idempotency-Key, replay; `apply` runs
  // under the lock only for a key seen for the first time.
  template <class Apply>
  void mutate(const http::Request& request, const http::Respond& respond, Apply apply);
  Outcome create_case(const http::Request& request);
  Outcome patch_case(const http::Request& request);

  // The 401/403 to answer, or nothing if the bearer token is valid (and has `scope`, if given).
  // Caller holds mutex_.
  std::optional<http::Response> check_bearer(const http::Request& request, const char* scope) const;
  boost::json::value case_json(const BusinessCase& c) const;

  const PortalSimOptions options_;
  const Clock& clock_;

  mutable std::mutex mutex_;
  std::vector<BusinessCase> cases_;                     // in order of creation
  std::unordered_map<std::string, size_t> case_index_;  // id -> position in cases_
  std::map<std::string, KeyRecord> keys_;               // by Idempotency-Key
  std::unordered_map<std::string, Token> tokens_;       // by access token
  uint64_t effects_ = 0;
  uint64_t tokens_issued_ = 0;
};

}  // namespace portier::sim
