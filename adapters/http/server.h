#pragma once
// The one front door: an HTTP/1.1 server (Boost.Beast over Asio, TLS 1.2+ by OpenSSL with
// optional required client certificates) that hands every request to a Router.
//
// Threads: one io_context run by `io_threads` threads; each connection lives on its own strand,
// so its handlers never run concurrently. Limits apply per connection: header and body size,
// header/request/idle timeouts; beyond `max_in_flight` requests at once the server answers 503
// with Retry-After without calling the router. A body is read in chunks of 64 KiB; for
// handlers that read spooled bodies (Handler::reads_spooled_body) one larger than
// BodySpool::in_memory_max goes to an unlinked file instead of memory. start(), drain() and stop() are called from the
// owning (main) thread.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "adapters/http/router.h"
#include "core/base/metrics.h"
#include "core/base/status.h"
#include "core/config/config.h"

namespace portier::http {

// Where large request bodies are kept while they are read and handled.
struct BodySpool {
  std::string folder;                  // "" = $TMPDIR; best on the disk of the document store
  uint64_t in_memory_max = 256 * 1024;  // larger bodies are spooled
};

class Server {
 public:
  Server(std::vector<config::Listener> listeners, config::Limits limits, const Router& router,
         metrics::Registry& metrics, BodySpool spool = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every listener and starts the I/O threads. Fails (and binds nothing) if a listener
  // cannot be bound or its TLS files cannot be loaded.
  Status start(unsigned io_threads);
  // The bound port of each listener, in configuration order (useful with port 0).
  std::vector<uint16_t> ports() const;
  // Stops accepting, lets requests in flight finish (up to `timeout`), closes idle connections.
  void drain(std::chrono::milliseconds timeout);
  // Stops the I/O threads; after drain() for a graceful stop.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace portier::http
