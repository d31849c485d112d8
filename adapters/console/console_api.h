#pragma once
// The operators' web console, served under /console/ on the listener the configuration names
// (every other listener answers 404 there): the page and its modules (assets/, embedded at
// build time) and the JSON API under /console/api/ (openapi.yaml beside this file).
//
// Sign-in makes a session (sessions.h) in an HttpOnly, Secure, SameSite=Strict cookie; every
// change (POST, DELETE) must carry the session's CSRF token in X-CSRF-Token. Who may do what
// is decided in one place (authorize() in console_api.cpp): viewers read, operators also
// replay and park, reviewers decide only their own departments' identity links. Refusals are
// problem+json and an audit entry; every action is an audit entry too, and where it concerns a
// case or a link the journal adds it to the evidence chain in the same transaction.
//
// Threads: handle() runs on an I/O thread and only posts the request to the console's own pool,
// where the journal is read and written; shutdown() once, from the main thread, after the HTTP
// server has drained.
#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "adapters/console/oidc.h"
#include "adapters/console/sessions.h"
#include "adapters/http/message.h"
#include "core/base/clock.h"
#include "core/base/metrics.h"
#include "core/config/config.h"
#include "core/journal/journal.h"
#include "core/mapping/registry.h"

namespace portier::console {

inline constexpr char kConsolePrefix[] = "/console/";

// What the console reads and acts on, owned by the composition root.
struct ConsoleParts {
  journal::Journal& journal;
  const Clock& clock;
  metrics::Registry& metrics;
  mapping::Registry& mappings;
  const std::atomic<bool>& ready;
  // A case's evidence export, as portierctl's (records and deliveries); kNotFound if none.
  std::function<Result<boost::json::value>(const std::string& business_process_id)> export_case;
  // Tells dispatch that replayed work is waiting.
  std::function<void()> wake_dispatch;
};

class ConsoleApi final : public http::Handler {
 public:
  // `oidc`: null unless the configuration has <openIdConnect>.
  ConsoleApi(const config::Console& settings, ConsoleParts parts, std::unique_ptr<OidcClient> oidc,
             unsigned threads);
  ~ConsoleApi() override;

  void handle(http::Request request, http::Respond respond) override;
  void shutdown();

 private:
  struct Call;
  http::Response serve(const http::Request& request);
  http::Response serve_api(const http::Request& request);
  http::Response sign_in_by_certificate(const http::Request& request);
  http::Response oidc_start(const http::Request& request);
  http::Response oidc_callback(const http::Request& request);
  http::Response signed_in(const http::Request& request, const Session& session);
  http::Response overview(const Call& call);
  http::Response work_items(const Call& call);
  http::Response work_item(const Call& call, int64_t id, const std::string& action);
  http::Response bulk_replay(const Call& call);
  http::Response case_view(const Call& call, const std::string& bpid, bool download);
  http::Response identity_links(const Call& call);
  http::Response identity_link(const Call& call, const std::string& link_id,
                               const std::string& action);
  http::Response audit(const Call& call);
  // Refuses with problem+json and an audit entry.
  http::Response refuse(const http::Request& request, unsigned status, const std::string& who,
                        const std::string& reason);
  // Records an operator's action in the audit log.
  void record(const Call& call, const std::string& operation, const std::string& department,
              const std::string& business_process_id, const std::string& what);

  config::Console settings_;
  ConsoleParts parts_;
  Directory directory_;
  SessionStore sessions_;
  std::unique_ptr<OidcClient> oidc_;
  // OpenID Connect sign-ins under way: state -> what the callback needs.
  std::mutex oidc_mutex_;
  std::map<std::string, OidcClient::Pending> oidc_pending_;
  boost::asio::thread_pool pool_;
};

// The OpenAPI description of /console/api/ (embedded at build time).
std::string_view console_openapi_document();

}  // namespace portier::console
