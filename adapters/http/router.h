#pragma once
// Maps method and path to a Handler. Built once before the server starts, then read-only, so
// any I/O thread may route concurrently.
#include <memory>
#include <string>
#include <vector>

#include "adapters/http/message.h"

namespace portier::http {

class Router {
 public:
  // `path` matches exactly, or as a prefix when it ends with '/' ("/api/v9/businesscases/").
  // An empty method matches every method.
  void add(std::string method, std::string path, std::shared_ptr<Handler> handler);
  // Convenience for a lambda handler.
  void add(std::string method, std::string path, std::function<void(Request, Respond)> fn);

  // Routes the request, or answers 404 / 405 as problem+json.
  void route(Request request, Respond respond) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    std::shared_ptr<Handler> handler;
  };
  std::vector<Route> routes_;
};

// An RFC 7807 problem+json response.
Response problem(unsigned status, std::string title, std::string detail = {});

}  // namespace portier::http
