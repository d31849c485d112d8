#pragma once
// Protocol-neutral HTTP request and response as handlers see them, so that handlers compile
// without Beast. Value types.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace portier::http {

class SpooledBody;  // adapters/http/spooled_body.h

struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};
using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;                 // "GET", "POST", ...
  std::string target;                 // as sent: path and query
  std::string path;                   // target without the query
  std::string query;                  // after '?', without it; "" if none
  Headers headers;
  std::string body;
  // Set instead of `body` when the body was too large to keep in memory; only for handlers
  // that say they read one (Handler::reads_spooled_body).
  std::shared_ptr<const SpooledBody> spooled_body;
  std::string remote_address;
  std::string client_certificate_subject;  // verified TLS client certificate, "" if none
  std::string correlation_id;         // X-Correlation-Id if sent, else a fresh UUID
  bool tls = false;                   // arrived over TLS
  std::string listener;               // the configured listener's name it arrived on

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Response {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response text(unsigned status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static Response json(unsigned status, std::string body,
                       std::string content_type = "application/json") {
    Response r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
  }
};

// Called exactly once per request, from any thread; the server posts it back to the connection.
using Respond = std::function<void(Response)>;

// One endpoint's logic. handle() runs on an I/O thread: it must not block. Work that blocks
// (database, outbound calls) goes to a worker pool, which calls `respond` when done.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void handle(Request request, Respond respond) = 0;
  // True if handle() can take a large body as Request::spooled_body; otherwise every body
  // arrives in Request::body.
  virtual bool reads_spooled_body() const { return false; }
};

}  // namespace portier::http
