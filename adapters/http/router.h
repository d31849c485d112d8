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

  // Whether the handler that would serve `method` and `path` reads a spooled body.
  bool reads_spooled_body(const std::string& method, const std::string& path) const;

  // Routes the request, or answers 404 / 405 as problem+json.
  void route(Request request, Respond respond) const;

  // How a request below `path_prefix` is refused before it reaches its handler (too large,
  // malformed HTTP): each protocol answers in its own error format, e.g. a SOAP Fault.
  using Refusal = std::function<Response(const Request& partial, unsigned status,
                                         const std::string& title, const std::string& detail)>;
  void on_refusal(std::string path_prefix, Refusal refusal);
  // The refusal for `partial` (only its headers are known): problem+json unless a protocol
  // registered its own for the path.
  Response refuse(const Request& partial, unsigned status, const std::string& title,
                  const std::string& detail) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    std::shared_ptr<Handler> handler;
  };
  std::vector<Route> routes_;
  std::vector<std::pair<std::string, Refusal>> refusals_;
};

// An RFC 7807 problem+json response.
Response problem(unsigned status, std::string title, std::string detail = {});

}  // namespace portier::http
