#include "tests/sim/sim_core.h"

#include <strings.h>

#include <charconv>
#include <climits>
#include <optional>
#include <stdexcept>
#include <utility>

#include "core/base/log.h"
#include "tests/sim/replies.h"

namespace portier::sim {
namespace {

// The value of `name` in a query string ("since=12&x=y"), "" if absent.
std::string query_param(const std::string& query, std::string_view name) {
  std::string_view rest = query;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    if (eq == std::string_view::npos) return {};
    return form_decode(pair.substr(eq + 1)).value_or("");
  }
  return {};
}

bool replayed(const http::Response& r) {
  for (const auto& [name, value] : r.headers) {
    if (strcasecmp(name.c_str(), "Idempotent-Replayed") == 0 && value == "true") return true;
  }
  return false;
}

// The body of a /_sim call as a JSON object, or the 400 to answer.
std::optional<boost::json::object> object_body(const http::Request& request,
                                               http::Respond& respond) {
  auto parsed = parse_json(request.body);
  if (!parsed || !parsed->is_object()) {
    respond(problem_reply(400, "body: must be a JSON object"));
    return std::nullopt;
  }
  return std::move(parsed->as_object());
}

// An integer member (absent: 0), or nothing if it is not an integer.
std::optional<int64_t> int_member(const boost::json::object& o, const char* name) {
  const boost::json::value* v = o.if_contains(name);
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v->as_uint64());
  }
  return std::nullopt;
}

}  // namespace

SimCore::SimCore(const Clock& base_clock, SimCoreOptions options)
    : options_(options), clock_(base_clock), log_(options.max_log_entries) {}

SimCore::~SimCore() {
  // Held Responds call back into this object; answer them while every member still exists.
  faults_.clear();
}

void SimCore::add(std::unique_ptr<SimModule> module) {
  auto mounted = std::make_unique<Mounted>();
  mounted->name = module->name();
  mounted->module = std::move(module);
  modules_.push_back(std::move(mounted));
}

void SimCore::register_routes(http::Router& router) {
  router.add("POST", "/_sim/faults", [this](http::Request request, http::Respond respond) {
    auto body = object_body(request, respond);
    if (!body) return;
    Status s = faults_.add(*body);
    if (!s.is_ok()) return respond(problem_reply(422, s.message()));
    respond(json_reply(200, faults_.describe()));
  });
  router.add("GET", "/_sim/faults", [this](http::Request, http::Respond respond) {
    respond(json_reply(200, faults_.describe()));
  });
  router.add("DELETE", "/_sim/faults", [this](http::Request, http::Respond respond) {
    faults_.clear();
    respond(json_reply(200, faults_.describe()));
  });
  router.add("GET", "/_sim/log", [this](http::Request request, http::Respond respond) {
    std::string since_text = query_param(request.query, "since");
    uint64_t since = 0;
    if (!since_text.empty()) {
      auto [end, ec] =
          std::from_chars(since_text.data(), since_text.data() + since_text.size(), since);
      if (ec != std::errc() || end != since_text.data() + since_text.size()) {
        return respond(problem_reply(400, "since: must be a sequence number"));
      }
    }
    respond(json_reply(200, log_.to_json(since)));
  });
  router.add("POST", "/_sim/reset", [this](http::Request, http::Respond respond) {
    reset();
    respond(json_reply(200, boost::json::object{{"reset", true}}));
  });
  router.add("GET", "/_sim/state",
             [this](http::Request, http::Respond respond) { respond(json_reply(200, state())); });
  router.add("GET", "/_sim/clock", [this](http::Request, http::Respond respond) {
    respond(json_reply(200, clock_json()));
  });
  router.add("POST", "/_sim/clock", [this](http::Request request, http::Respond respond) {
    auto body = object_body(request, respond);
    if (!body) return;
    const boost::json::value* now = body->if_contains("nowMs");
    if (now == nullptr || !now->is_int64()) {
      return respond(problem_reply(422, "nowMs: required, milliseconds since the Unix epoch"));
    }
    clock_.set(now->as_int64());
    respond(json_reply(200, clock_json()));
  });
  router.add("POST", "/_sim/advance", [this](http::Request request, http::Respond respond) {
    auto body = object_body(request, respond);
    if (!body) return;
    int64_t total_ms = 0;
    for (auto [name, unit_ms] : {std::pair<const char*, int64_t>{"days", 86'400'000},
                                 {"hours", 3'600'000},
                                 {"seconds", 1'000},
                                 {"ms", 1}}) {
      std::optional<int64_t> n = int_member(*body, name);
      if (!n) return respond(problem_reply(422, std::string(name) + ": must be an integer"));
      total_ms += *n * unit_ms;
    }
    clock_.advance(Millis(total_ms));
    respond(json_reply(200, clock_json()));
  });

  for (auto& mounted : modules_) {
    mounted->module->register_routes(mounted->router);
    mounted->module->register_control_routes(mounted->control);
    const Mounted* m = mounted.get();
    router.add("", "/_sim/" + m->name + "/", [m](http::Request request, http::Respond respond) {
      m->control.route(std::move(request), std::move(respond));
    });
    for (const std::string& prefix : m->module->path_prefixes()) {
      if (prefix.empty() || prefix.back() != '/' || prefix.starts_with("/_sim/")) {
        throw std::logic_error("module " + m->name + ": bad path prefix '" + prefix + "'");
      }
      router.add("", prefix, [this, m](http::Request request, http::Respond respond) {
        dispatch(*m, std::move(request), std::move(respond));
      });
    }
  }
}

void SimCore::dispatch(const Mounted& mounted, http::Request request, http::Respond respond) {
  FaultInjector::Decision decision = faults_.decide(request.path);
  const char* fault = decision.action == FaultInjector::Action::kFail   ? "injected"
                      : decision.action == FaultInjector::Action::kHang ? "hang"
                                                                        : "";
  uint64_t seq = log_.begin(mounted.name, request, fault, clock_.now_ms());
  http::Respond answer = [this, seq, latency = decision.latency, module = mounted.name,
                          method = request.method, path = request.path,
                          correlation_id = request.correlation_id,
                          respond = std::move(respond)](http::Response response) mutable {
    bool duplicate = replayed(response);
    log_.finish(seq, response.status, duplicate);
    if (options_.log_requests) {
      log::info("sim request", {{"module", module},
                                {"method", method},
                                {"path", path},
                                {"status", std::to_string(response.status)},
                                {"duplicate", duplicate ? "true" : "false"},
                                {"correlationId", correlation_id}});
    }
    if (latency.count() > 0) {
      delayed_.schedule(latency, std::move(respond), std::move(response));
    } else {
      respond(std::move(response));
    }
  };
  switch (decision.action) {
    case FaultInjector::Action::kHang:
      faults_.hold(std::move(answer));
      return;
    case FaultInjector::Action::kFail:
      answer(std::move(decision.response));
      return;
    case FaultInjector::Action::kPass:
      mounted.router.route(std::move(request), std::move(answer));
      return;
  }
}

void SimCore::reset() {
  faults_.clear();
  for (auto& mounted : modules_) mounted->module->reset();
  log_.clear();
  clock_.reset();
}

boost::json::value SimCore::state() const {
  boost::json::object o;
  for (const auto& mounted : modules_) o[mounted->name] = mounted->module->inspect();
  return o;
}

boost::json::value SimCore::clock_json() const {
  int64_t now = clock_.now_ms();
  return boost::json::object{
      {"nowMs", now}, {"now", format_utc(now)}, {"offsetMs", clock_.offset_ms()}};
}

}  // namespace portier::sim
