#include "tests/sim/department_intake_sim.h"

#include "tests/sim/replies.h"

namespace portier::sim {

namespace json = boost::json;

void DepartmentSim::register_routes(http::Router& router) {
  router.add("POST", "/department/",
             [this](http::Request request, http::Respond respond) { take(request, respond); });
}

void DepartmentSim::take(const http::Request& request, const http::Respond& respond) {
  const std::string rest = request.path.substr(std::string("/department/").size());
  const size_t slash = rest.find('/');
  if (slash == std::string::npos || slash == 0) {
    return respond(problem_reply(404, "expected /department/<name>/<path>"));
  }
  const std::string key = request.header("Idempotency-Key");
  if (key.empty()) return respond(problem_reply(400, "Idempotency-Key header is required"));
  const std::string content_type = request.header("Content-Type");
  if (content_type.find("json") != std::string::npos && !parse_json(request.body)) {
    return respond(validation_problem("body", "not JSON"));
  }
  std::lock_guard lock(mutex_);
  if (auto known = by_key_.find(key); known != by_key_.end()) {
    ++intakes_[known->second].received;
    ++replays_;
    http::Response r = json_reply(200, json::object{{"received", true}});
    r.headers.emplace_back("Idempotent-Replayed", "true");
    return respond(std::move(r));
  }
  Intake in{rest.substr(0, slash), rest.substr(slash), key, request.header("X-Business-Process-Id"),
            request.body,          content_type,       1,   clock_.now_ms()};
  by_key_.emplace(key, intakes_.size());
  intakes_.push_back(std::move(in));
  respond(json_reply(201, json::object{{"received", true}}));
}

boost::json::value DepartmentSim::inspect() const {
  std::lock_guard lock(mutex_);
  json::array all;
  for (const Intake& in : intakes_) {
    json::value body(json::string(in.body));
    if (in.content_type.find("json") != std::string::npos) {
      if (auto parsed = parse_json(in.body)) body = *parsed;
    }
    all.push_back(json::object{{"department", in.department},
                               {"path", in.path},
                               {"idempotencyKey", in.key},
                               {"businessProcessId", in.business_process_id},
                               {"body", body},
                               {"received", in.received},
                               {"at", in.at_ms}});
  }
  return json::object{{"intakes", std::move(all)},
                      {"effects", static_cast<int64_t>(intakes_.size())},
                      {"replays", replays_}};
}

void DepartmentSim::reset() {
  std::lock_guard lock(mutex_);
  intakes_.clear();
  by_key_.clear();
  replays_ = 0;
}

}  // namespace portier::sim
