#include "adapters/http/connection_registry.h"

#include <boost/asio/post.hpp>

namespace portier::http {

std::shared_ptr<ConnectionRegistry::Connection> ConnectionRegistry::add(
    boost::asio::any_io_executor executor, std::function<void()> close) {
  auto connection = std::make_shared<Connection>();
  connection->executor = std::move(executor);
  connection->close = std::move(close);
  std::lock_guard lock(mutex_);
  connections_.push_back(connection);
  return connection;
}

void ConnectionRegistry::remove(const std::shared_ptr<Connection>& connection) {
  connection->close = nullptr;  // on the connection's executor: no close runs meanwhile
  std::lock_guard lock(mutex_);
  connections_.remove(connection);
}

size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

void ConnectionRegistry::close_idle() {
  std::lock_guard lock(mutex_);
  for (const auto& connection : connections_) {
    boost::asio::post(connection->executor, [connection] {
      if (!connection->busy && connection->close) connection->close();
    });
  }
}

}  // namespace portier::http
