#include "adapters/http/router.h"

#include <boost/json.hpp>
#include <strings.h>

namespace portier::http {
namespace {

class FunctionHandler final : public Handler {
 public:
  explicit FunctionHandler(std::function<void(Request, Respond)> fn) : fn_(std::move(fn)) {}
  void handle(Request request, Respond respond) override {
    fn_(std::move(request), std::move(respond));
  }

 private:
  std::function<void(Request, Respond)> fn_;
};

bool path_matches(const std::string& pattern, const std::string& path) {
  if (!pattern.empty() && pattern.back() == '/') return path.starts_with(pattern);
  return path == pattern;
}

}  // namespace

bool CaseInsensitiveLess::operator()(const std::string& a, const std::string& b) const {
  return strcasecmp(a.c_str(), b.c_str()) < 0;
}

void Router::add(std::string method, std::string path, std::shared_ptr<Handler> handler) {
  routes_.push_back({std::move(method), std::move(path), std::move(handler)});
}

void Router::add(std::string method, std::string path, std::function<void(Request, Respond)> fn) {
  add(std::move(method), std::move(path), std::make_shared<FunctionHandler>(std::move(fn)));
}

bool Router::reads_spooled_body(const std::string& method, const std::string& path) const {
  for (const Route& r : routes_) {
    if (path_matches(r.path, path) && (r.method.empty() || r.method == method)) {
      return r.handler->reads_spooled_body();
    }
  }
  return false;
}

void Router::route(Request request, Respond respond) const {
  std::string allowed;  // methods served at this path, for a 405's Allow header
  for (const Route& r : routes_) {
    if (!path_matches(r.path, request.path)) continue;
    if (r.method.empty() || r.method == request.method) {
      r.handler->handle(std::move(request), std::move(respond));
      return;
    }
    allowed += (allowed.empty() ? "" : ", ") + r.method;
  }
  if (allowed.empty()) {
    respond(problem(404, "Not Found", "nothing is served at " + request.path));
    return;
  }
  Response r = problem(405, "Method Not Allowed", request.method + " is not served at " + request.path);
  r.headers.emplace_back("Allow", allowed);
  respond(std::move(r));
}

void Router::on_refusal(std::string path_prefix, Refusal refusal) {
  refusals_.emplace_back(std::move(path_prefix), std::move(refusal));
}

Response Router::refuse(const Request& partial, unsigned status, const std::string& title,
                        const std::string& detail) const {
  for (const auto& [prefix, refusal] : refusals_) {
    if (partial.path.starts_with(prefix)) return refusal(partial, status, title, detail);
  }
  return problem(status, title, detail);
}

Response problem(unsigned status, std::string title, std::string detail) {
  boost::json::object o;
  o["type"] = "about:blank";
  o["title"] = std::move(title);
  o["status"] = status;
  if (!detail.empty()) o["detail"] = std::move(detail);
  return Response::json(status, boost::json::serialize(o), "application/problem+json");
}

}  // namespace portier::http
