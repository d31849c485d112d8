#include "core/app/gateway.h"

#include <atomic>
#include <boost/json.hpp>
#include <functional>
#include <limits>
#include <optional>

#include "adapters/console/console_api.h"
#include "adapters/http/router.h"
#include "adapters/http/server.h"
#include "adapters/rest/portal_api.h"
#include "adapters/soap/department_service.h"
#include "adapters/thrift/department_rpc.h"
#include "connectors/afs/mailbox_poller.h"
#include "connectors/department/identity_caller.h"
#include "core/app/xml_limits.h"
#include "connectors/portal/portal_connector.h"
#include "connectors/rc_adapter/inbox_tracker.h"
#include "connectors/rc_adapter/rc_adapter_connector.h"
#include "core/app/back_pressure.h"
#include "core/app/delivery_export.h"
#include "core/app/form_intake.h"
#include "core/app/health_gauges.h"
#include "core/app/lifecycle_rule.h"
#include "core/app/registered_mail.h"
#include "core/app/scheduled_purge.h"
#include "core/base/log.h"
#include "core/base/metrics.h"
#include "core/cases/department_cases.h"
#include "core/cases/vocabulary.h"
#include "core/dispatch/dispatcher.h"
#include "core/documents/document_store.h"
#include "core/identity/identity_service.h"
#include "core/journal/store/open_journal.h"
#include "core/mapping/registry.h"
#include "core/query/portal_feed.h"
#include "core/runtime/periodic_task.h"
#include "core/runtime/timers.h"
#include "core/runtime/work_pool.h"

namespace portier::app {

// How often an instance reports itself alive in the journal.
constexpr int64_t kHeartbeatMs = 5'000;
// How often the mapping files are looked at (and the heartbeat considered).
constexpr Millis kMappingWatch{1'000};
// Pool threads beside the dispatch threads, so that pollers' turns, and an APF page's takes side
// by side, do not wait for deliveries (nor starve them).
constexpr unsigned kBackgroundTurns = 4 + afs::MailboxPoller::kParallelTakes;

struct Gateway::Parts {
  metrics::Registry metrics;
  std::unique_ptr<mapping::Registry> mappings;
  journal::BacklogBounds backlog_bounds;
  // Background work: one timer thread and one pool (core/runtime); they outlive their users.
  std::unique_ptr<runtime::Timers> timers;
  std::unique_ptr<runtime::WorkPool> pool;
  std::unique_ptr<journal::sql::SqlJournal> journal;
  std::unique_ptr<dispatch::Dispatcher> dispatcher;
  std::shared_ptr<portal::PortalConnector> portal;
  std::optional<documents::DocumentStore> documents;
  department::IdentityCaller identity_caller;
  std::unique_ptr<identity::IdentityService> identity;
  std::unique_ptr<cases::DepartmentCases> department_cases;
  std::shared_ptr<soap_adapter::DepartmentService> department_service;
  std::shared_ptr<thrift_adapter::DepartmentRpc> department_rpc;
  std::shared_ptr<rest_adapter::PortalApi> portal_api;
  std::shared_ptr<console::ConsoleApi> console;
  std::unique_ptr<query::PortalFeed> portal_feed;
  app::RegisteredMail registered_mail;
  app::FormIntake form_intake;
  std::shared_ptr<rc_adapter::RcAdapterConnector> rc_adapter;
  std::unique_ptr<rc_adapter::InboxTracker> inbox_tracker;
  std::unique_ptr<ScheduledPurge> purge;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::atomic<bool> ready{false};
  // The mapping watcher's turns: the files' fingerprint last seen, the next heartbeat.
  std::string mappings_seen;
  int64_t next_heartbeat_ms = 0;
  // Periodic work (pollers, feeds, the mapping watcher), stopped first.
  std::vector<std::unique_ptr<runtime::PeriodicTask>> background;
};

namespace {

http::Response health_response(const Status& journal_health, bool ready_check, bool ready) {
  boost::json::object o;
  bool ok = journal_health.is_ok() && (!ready_check || ready);
  o["status"] = ok ? "ok" : "unavailable";
  o["journal"] = journal_health.is_ok() ? "ok" : journal_health.message();
  if (ready_check) o["accepting"] = ready;
  return http::Response::json(ok ? 200 : 503, boost::json::serialize(o));
}

}  // namespace

Gateway::Gateway(std::shared_ptr<const config::Config> config)
    : config_(std::move(config)), parts_(std::make_unique<Parts>()) {}

Gateway::~Gateway() { stop(); }

Status Gateway::start() {
  const config::Config& c = *config_;
  Parts& p = *parts_;
  p.mappings = std::make_unique<mapping::Registry>(c.mappings_folder, p.metrics);
  if (auto loaded = p.mappings->load(); !loaded.set) {
    std::string all;
    for (const auto& problem : loaded.problems) all += "\n" + problem.to_string();
    return invalid_argument("the mapping files have problems:" + all);
  }
  auto journal = journal::open_journal(c.journal, clock_, journal::JournalUse::kDaemon);
  if (!journal.is_ok()) return journal.status();
  p.journal = std::move(*journal);
  // Instances sharing a PostgreSQL journal share the work: every series says which one it comes
  // from. (One instance on SQLite has nobody to be told apart from.)
  if (std::string(p.journal->store_name()) == "postgresql") {
    p.metrics.set_common_labels({{"portier_instance", p.journal->instance()}});
  }
  log::info("journal opened",
            {{"store", p.journal->store_name()}, {"instance", p.journal->instance()}});
  publish_health_gauges(p.metrics, *p.journal, p.ready, c);
  apply_back_pressure(c, p.backlog_bounds, *p.journal, p.metrics);

  p.timers = std::make_unique<runtime::Timers>(clock_);
  p.pool = std::make_unique<runtime::WorkPool>(c.workers.dispatch_threads + kBackgroundTurns);
  p.dispatcher = std::make_unique<dispatch::Dispatcher>(*p.journal, *p.timers, *p.pool, p.metrics,
                                                        &p.backlog_bounds);
  const config::Destination& portal = c.destinations.at(cases::kPortalDestination);
  p.portal =
      std::make_shared<portal::PortalConnector>(c.portal, portal.retry.attempt_timeout, clock_);
  p.dispatcher->add_destination(portal, p.portal);
  documents::PdfLimits pdf_limits;
  if (!c.documents.folder.empty()) {
    auto store = documents::DocumentStore::open(c.documents.folder);
    if (!store.is_ok()) return store.status();
    p.documents.emplace(std::move(*store));
    pdf_limits.max_bytes = c.documents.max_bytes;
  }
  if (!c.rc_adapter.base_url.empty() && p.documents) {
    const config::Destination& rc = c.destinations.at(cases::kRcAdapterDestination);
    rc_adapter::RcAdapterSettings settings{c.rc_adapter.base_url, c.rc_adapter.tls, c.portal};
    settings.token.scope = "documents.write";
    auto adapter = std::make_shared<rc_adapter::RcAdapterConnector>(
        settings, [&p](const std::string& sha) { return p.documents->path_of(sha); },
        rc.retry.attempt_timeout, clock_);
    p.dispatcher->add_destination(rc, adapter);
    p.inbox_tracker = std::make_unique<rc_adapter::InboxTracker>(
        *adapter, *p.journal, clock_, cases::kRcAdapterDestination, c.rc_adapter.status_poll);
    p.rc_adapter = std::move(adapter);
  }

  if (!c.registered_mail.platforms.empty() && p.documents) {
    auto mail = assemble_registered_mail(c.registered_mail, *p.journal, *p.documents, clock_,
                                         p.metrics, [d = p.dispatcher.get()] { d->wake(); });
    if (!mail.is_ok()) return mail.status();
    p.registered_mail = std::move(*mail);
    p.dispatcher->add_destination(c.destinations.at(cases::kSecureMailDestination),
                                  p.registered_mail.connector);
  }

  if (!c.apf.url.empty()) {
    if (!p.documents) {
      return invalid_argument(
          "<antragspostfach> needs <documents folder=...>: submissions are "
          "kept in the document store");
    }
    p.form_intake = assemble_form_intake(c, *p.journal, *p.documents, *p.mappings, *p.dispatcher,
                                         clock_, p.metrics, *p.pool);
  }

  const config::PortalApi& api = c.portal_api;
  p.identity_caller = department::IdentityCaller(xml_limits(c.limits));
  identity::IdentitySettings identity_settings;
  identity_settings.deadline = api.deadline;
  identity_settings.retry_after =
      std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(api.retry_after));
  p.identity = std::make_unique<identity::IdentityService>(
      *p.journal, *p.mappings, p.identity_caller, clock_, identity_settings);
  cases::DepartmentCasesParts use_cases{*p.journal,
                                        clock_,
                                        *p.portal,
                                        [d = p.dispatcher.get()] { d->wake(); },
                                        p.documents ? &*p.documents : nullptr,
                                        pdf_limits,
                                        {},
                                        lifecycle_rule(c.registered_mail),
                                        p.identity.get()};
  if (p.registered_mail.connector) {
    for (const auto& platform : c.registered_mail.platforms) {
      use_cases.registered_platforms.push_back(platform.name);
    }
  }
  p.department_cases = std::make_unique<cases::DepartmentCases>(std::move(use_cases));
  p.department_service = std::make_shared<soap_adapter::DepartmentService>(
      soap_adapter::DepartmentServiceParts{*p.department_cases, clock_, *p.mappings, p.metrics},
      xml_limits(c.limits), c.workers.io_threads);
  p.router.add("", "/soap/v1", p.department_service);
  // The same use cases over Thrift RPC; strings up to a whole request body (documents).
  thrift_adapter::RpcLimits rpc_limits;
  rpc_limits.max_string_bytes = static_cast<int32_t>(
      std::min<uint64_t>(c.limits.max_body_bytes, std::numeric_limits<int32_t>::max()));
  p.department_rpc = std::make_shared<thrift_adapter::DepartmentRpc>(
      thrift_adapter::DepartmentRpcParts{*p.department_cases, *p.mappings, p.metrics, rpc_limits},
      c.workers.io_threads);
  p.router.add("", thrift_adapter::kThriftPath, p.department_rpc);
  p.router.on_refusal("/soap", [&p](const http::Request& partial, unsigned status,
                                    const std::string&, const std::string& detail) {
    return p.department_service->refuse(partial, status, detail);
  });
  if (api.enabled) {
    auto authenticator = rest_adapter::PortalAuthenticator::create(api);
    if (!authenticator.is_ok()) return authenticator.status();
    p.portal_api = std::make_shared<rest_adapter::PortalApi>(
        *p.identity, *p.journal, std::move(*authenticator), clock_, p.metrics, api.deadline,
        c.workers.dispatch_threads);
    p.router.add("", rest_adapter::kPortalApiPrefix, p.portal_api);
  }
  if (c.console.enabled) {
    std::unique_ptr<console::OidcClient> oidc;
    if (c.console.oidc) {
      auto made = console::OidcClient::create(*c.console.oidc);
      if (!made.is_ok()) return made.status();
      oidc = std::move(*made);
    }
    console::ConsoleParts parts{
        *p.journal, clock_, p.metrics, *p.mappings, p.ready,
        [&p, rule = lifecycle_rule(c.registered_mail), folder = c.documents.folder](
            const std::string& bpid) { return export_case(*p.journal, bpid, rule, folder); },
        [d = p.dispatcher.get()] { d->wake(); }};
    p.console = std::make_shared<console::ConsoleApi>(c.console, std::move(parts),
                                                      std::move(oidc), 2);
    p.router.add("", console::kConsolePrefix, p.console);
    p.router.add("GET", "/console", [](http::Request, http::Respond respond) {
      http::Response r = http::Response::text(308, "");
      r.headers.emplace_back("Location", "/console/");
      respond(std::move(r));
    });
  }
  p.router.add("GET", "/healthz", [&p](http::Request, http::Respond respond) {
    respond(health_response(p.journal->health(), false, false));
  });
  p.router.add("GET", "/readyz", [&p](http::Request, http::Respond respond) {
    respond(health_response(p.journal->health(), true, p.ready.load()));
  });
  p.router.add("GET", "/metrics", [&p](http::Request, http::Respond respond) {
    respond(http::Response::json(200, p.metrics.render(), "text/plain; version=0.0.4"));
  });

  // Large requests (documents) are spooled on the disk that will keep the document.
  p.server = std::make_unique<http::Server>(c.listeners, c.limits, p.router, p.metrics,
                                            http::BodySpool{c.documents.folder});
  if (Status s = p.server->start(c.workers.io_threads); !s.is_ok()) {
    p.server.reset();  // nothing was started: stop() has nothing to drain
    return s;
  }
  p.dispatcher->start();
  p.portal_feed =
      std::make_unique<query::PortalFeed>(*p.journal, *p.portal, clock_, c.portal.event_poll);
  auto every = [&p](Millis first, std::function<Millis()> turn) {
    p.background.push_back(
        std::make_unique<runtime::PeriodicTask>(*p.timers, *p.pool, std::move(turn)));
    p.background.back()->start(first);
  };
  every(c.portal.event_poll, [feed = p.portal_feed.get()] { return feed->turn(); });
  for (auto& collector : p.registered_mail.collectors) {
    every(Millis(0), [collector = collector.get()] { return collector->turn(); });
  }
  for (auto& poller : p.form_intake.pollers) {
    every(Millis(0), [poller = poller.get()] { return poller->turn(); });
  }
  if (p.inbox_tracker) {
    every(c.rc_adapter.status_poll, [tracker = p.inbox_tracker.get()] { return tracker->turn(); });
  }
  p.purge = std::make_unique<ScheduledPurge>(
      retention::Purge(
          *p.journal, [mappings = p.mappings.get()] { return mappings->current(); },
          p.documents ? &*p.documents : nullptr, clock_),
      *p.journal, clock_, p.metrics, c.purge.interval);
  every(p.purge->first_delay(), [purge = p.purge.get()] { return purge->turn(); });
  p.mappings_seen = p.mappings->fingerprint();
  every(kMappingWatch, [&p, this] {
    // Instances sharing the journal see each other alive (portierctl instances).
    if (const int64_t now_ms = clock_.now_ms(); now_ms >= p.next_heartbeat_ms) {
      // Best effort: a missed heartbeat only makes this instance look idle for a while; a
      // journal that fails shows in health.
      p.journal->report_alive(now_ms).ignore();
      p.next_heartbeat_ms = now_ms + kHeartbeatMs;
    }
    if (std::string now = p.mappings->fingerprint(); now != p.mappings_seen) {
      p.mappings_seen = now;
      log::info("mapping files changed: reloading");
      p.mappings->reload();
    }
    return kMappingWatch;
  });
  p.ready = true;
  log::info("portierd started", {{"config", c.source_file}});
  return Status::ok();
}

void Gateway::reload_mappings() {
  if (parts_->mappings) parts_->mappings->reload();
}

void Gateway::stop() {
  Parts& p = *parts_;
  for (auto& task : p.background) task->stop();
  p.background.clear();
  // start() may have failed part way (a port in use): stop only what exists.
  if (!p.server) return;
  p.ready = false;
  log::info("portierd stopping: draining requests in flight");
  p.server->drain(config_->drain_timeout);
  if (p.department_service) p.department_service->shutdown();  // answers being written finish
  if (p.department_rpc) p.department_rpc->shutdown();
  if (p.portal_api) p.portal_api->shutdown();
  if (p.console) p.console->shutdown();
  // Polls stopped above: their leases go, so another instance may take over at once.
  if (p.portal_feed) p.portal_feed->release();
  for (auto& collector : p.registered_mail.collectors) collector->release();
  for (auto& poller : p.form_intake.pollers) poller->release();
  if (p.inbox_tracker) p.inbox_tracker->release();
  if (p.purge) p.purge->release();
  if (p.dispatcher) p.dispatcher->stop();  // deliveries in flight finish and are settled
  if (p.pool) p.pool->stop();
  p.server->stop();
  p.server.reset();
  p.journal.reset();  // commits what is queued, then closes the file
  log::info("portierd stopped");
}

}  // namespace portier::app
