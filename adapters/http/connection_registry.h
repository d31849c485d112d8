#pragma once
// The connections a Server holds open, as drain() sees them: each may be closed at once unless
// it is serving a request. A close is posted to the connection's own executor (its strand), and
// may still be queued there when the connection ends; remove() therefore clears the close on
// that same executor, so a late close finds nothing to cancel instead of a freed socket.
//
// Threads: add(), size() and close_idle() from any thread; remove() only on the connection's
// executor, where every close also runs.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <list>
#include <memory>
#include <mutex>

namespace portier::http {

class ConnectionRegistry {
 public:
  struct Connection {
    std::atomic<bool> busy{false};  // serving a request: drain lets it finish
    boost::asio::any_io_executor executor;
    std::function<void()> close;  // cancels the connection's socket; empty once it has ended
  };

  std::shared_ptr<Connection> add(boost::asio::any_io_executor executor,
                                  std::function<void()> close);
  void remove(const std::shared_ptr<Connection>& connection);
  size_t size() const;
  // Posts a close to every connection that is not busy when the close runs.
  void close_idle();

 private:
  mutable std::mutex mutex_;
  std::list<std::shared_ptr<Connection>> connections_;
};

}  // namespace portier::http
