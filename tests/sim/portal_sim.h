#pragma once
// The portal (iGovPortal/egov4-like) as Portier's connectors/portal sees it: an OAuth2 token
// endpoint (client credentials), business cases, egov4 activities (the real 15 fields),
// notifications, inbox messages and the feed of message events, following
// docs/contracts/portal.md.
//
//   POST   /oauth2/token                 client credentials -> {access_token, token_type, ...}
//   POST   /api/v9/businesscases         create (caller-allocated businessCaseId) -> 201
//   PATCH  /api/v9/businesscases/{id}    new status (+ statusText), appended to the history
//   GET    /api/v9/businesscases/{id}    the case with its history [{status, statusText, at}]
//   POST   /api/v9/activities            create -> 201 the activity (id assigned)
//   GET    /api/v9/activities?OwnerId=&BusinessCaseId=&PageNumber=&PageSize=
//                                        -> {items, totalCount}; OwnerId required
//   GET    /api/v9/activities/{id}       one activity
//   DELETE /api/v9/activities/{id}       -> 204
//   POST   /api/v9/notifications         -> 201 {notificationId}
//   POST   /api/v9/messages              inbox message -> 201 {messageId}; appends the
//                                        MESSAGE_DELIVERED event
//   GET    /api/v9/notifications/feed?after=CURSOR&limit=N
//                                        -> {events:[{cursor, kind, messageId, businessCaseId,
//                                        at}]}
//   POST   /_sim/portal/read {messageId} test-only: the citizen reads the message; the first read
//                                        appends the MESSAGE_READ event
//
// Every /api/v9 call needs a valid Bearer token (401 otherwise); mutations need their scope
// (businesscases.write, activities.write or messages.write; 403), listing activities needs
// activities.read, and every mutation (POST, PATCH, DELETE) needs an Idempotency-Key header
// (400). The first answer to a key is final: a repeat with the same request gets it again, with
// `Idempotent-Replayed: true`, and changes nothing; a repeat with a different request gets 422.
// Errors are RFC 7807 problem+json with a traceId, 422s naming each invalid field; OAuth2
// errors are RFC 6749 {"error": ...}.
//
// Threads: handlers, inspect() and reset() from any I/O thread; one mutex guards all state and
// is never held while answering. reset() forgets cases, activities, notifications, messages,
// events, idempotency keys and counters but keeps issued access tokens valid, and activity ids
// and feed cursors keep counting, so a running Portier is neither logged out nor shown a
// cursor or id again.
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
  // `documents.write` is for the RC adapter (rc_adapter_sim.h), which accepts these tokens.
  std::vector<std::string> scopes = {"businesscases.write", "activities.read", "activities.write",
                                     "messages.write",      "documents.write", "ProfileApi_Low",
                                     "ProfileApi_Medium",   "ProfileApi_Max"};
};

class PortalSim final : public SimModule {
 public:
  // `clock` (the sim clock) must outlive the module.
  PortalSim(PortalSimOptions options, const Clock& clock);

  std::string name() const override { return "portal"; }
  std::vector<std::string> path_prefixes() const override { return {"/oauth2/", "/api/v9/"}; }
  void register_routes(http::Router& router) override;
  void register_control_routes(http::Router& router) override;  // POST /_sim/portal/read
  // {businessCases:[case...], activities:[activity...], notifications:[...], messages:[{...,
  //  important, mustReadAtNextLogin, read, readAt}], events:[...], effects,
  //  keys:{key:{received, applied, status}}, tokens:{issued, active}}
  boost::json::value inspect() const override;
  void reset() override;

  // The 401/403 to answer, or nothing if `request` carries a valid bearer token issued here
  // (with `scope`, if not null). For other modules that accept the portal's tokens (the RC
  // adapter); thread-safe, takes this module's lock for a moment.
  std::optional<http::Response> authorize(const http::Request& request, const char* scope) const;

  static constexpr const char* kBusinessCasesPath = "/api/v9/businesscases";
  static constexpr const char* kActivitiesPath = "/api/v9/activities";
  static constexpr const char* kNotificationsPath = "/api/v9/notifications";
  static constexpr const char* kFeedPath = "/api/v9/notifications/feed";
  static constexpr const char* kMessagesPath = "/api/v9/messages";
  static constexpr const char* kReadPath = "/_sim/portal/read";
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
  // An egov4 Activity: exactly the 15 real fields.
  struct Activity {
    int32_t id = 0;
    std::string owner_id;
    std::string title;
    std::optional<std::string> body;
    std::string type;
    std::optional<std::string> target;
    std::optional<std::string> event;
    std::optional<std::string> module;
    std::optional<std::string> object_id;
    std::optional<std::string> business_case_id;  // lower-case UUID
    std::optional<int32_t> service_id;
    std::optional<int32_t> related_profile_id;
    int64_t display_ms = 0;
    std::string created_by;
    int64_t creation_ms = 0;
  };
  struct Notification {
    std::string id;  // UUID
    std::string owner_id;
    std::optional<std::string> business_case_id;
    std::string subject;
    std::string body;
    bool important = false;
    int64_t created_ms = 0;
  };
  struct InboxMessage {
    std::string id;  // UUID
    std::string owner_id;
    std::optional<std::string> business_case_id;
    std::string subject;
    std::string body;
    bool important = false;  // must be read at the next login
    std::vector<std::string> document_ids;
    int64_t delivered_ms = 0;
    std::optional<int64_t> read_ms;
  };
  struct FeedEvent {
    int64_t cursor = 0;
    std::string kind;  // MESSAGE_DELIVERED, MESSAGE_READ
    std::string message_id;
    std::optional<std::string> business_case_id;
    int64_t at_ms = 0;
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
  // The frame every reading call shares: bearer (+ `scope` if not null); `answer` runs under
  // the lock once the token is accepted.
  template <class Answer>
  void read(const http::Request& request, const http::Respond& respond, const char* scope,
            Answer answer);
  // The frame every mutating call shares: bearer + scope, Idempotency-Key, replay; `apply` runs
  // under the lock only for a key seen for the first time.
  template <class Apply>
  void mutate(const http::Request& request, const http::Respond& respond, const char* scope,
              Apply apply);
  Outcome create_case(const http::Request& request);
  Outcome patch_case(const http::Request& request);
  http::Response get_case(const http::Request& request) const;
  Outcome create_activity(const http::Request& request);
  Outcome delete_activity(const http::Request& request);
  http::Response get_activity(const http::Request& request) const;
  http::Response list_activities(const http::Request& request) const;
  Outcome create_notification(const http::Request& request);
  Outcome create_message(const http::Request& request);
  http::Response feed(const http::Request& request) const;
  void read_message(const http::Request& request, const http::Respond& respond);
  // Appends an event to the feed. Caller holds mutex_.
  void append_event(const char* kind, const InboxMessage& message, int64_t at_ms);

  // The 401/403 to answer, or nothing if the bearer token is valid (and has `scope`, if given).
  // Caller holds mutex_.
  std::optional<http::Response> check_bearer(const http::Request& request, const char* scope) const;
  // The case as GET answers it; without its history for a PATCH's answer (the history grows
  // with every report, and answering it each time made a case's reports quadratic).
  boost::json::value case_json(const BusinessCase& c, bool with_history = true) const;
  static boost::json::value activity_json(const Activity& a);
  static boost::json::value notification_json(const Notification& n);
  static boost::json::value message_json(const InboxMessage& m);
  static boost::json::value event_json(const FeedEvent& e);

  const PortalSimOptions options_;
  const Clock& clock_;

  mutable std::mutex mutex_;
  std::vector<BusinessCase> cases_;                        // in order of creation
  std::unordered_map<std::string, size_t> case_index_;     // id -> position in cases_
  std::map<int32_t, Activity> activities_;                 // by id, so in order of creation
  std::vector<Notification> notifications_;                // in order of creation
  std::vector<InboxMessage> messages_;                     // in order of delivery
  std::unordered_map<std::string, size_t> message_index_;  // id -> position in messages_
  std::vector<FeedEvent> events_;                          // in cursor order
  std::map<std::string, KeyRecord> keys_;                  // by Idempotency-Key
  std::unordered_map<std::string, Token> tokens_;          // by access token
  uint64_t effects_ = 0;
  uint64_t tokens_issued_ = 0;
  int32_t next_activity_id_ = 1;  // not reset
  int64_t next_cursor_ = 1;       // not reset
};

}  // namespace portier::sim
