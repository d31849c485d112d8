#include "adapters/http/connection_registry.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

namespace portier::http {
namespace {

// drain() posts a close to a connection's strand; the connection may end (and free its
// socket) before that close runs. The close must then do nothing. Before, the close kept a
// reference to the freed stream and cancelled it (AddressSanitizer: heap-use-after-free).
TEST(ConnectionRegistry, ACloseQueuedBeforeTheConnectionEndedDoesNothing) {
  boost::asio::io_context io;
  auto strand = boost::asio::make_strand(io);
  ConnectionRegistry registry;
  int closed = 0;
  auto connection = registry.add(strand, [&closed] { ++closed; });
  registry.close_idle();        // drain: the close is queued on the strand
  registry.remove(connection);  // the connection ends first, on its strand
  EXPECT_EQ(registry.size(), 0u);
  io.run();  // now the queued close runs
  EXPECT_EQ(closed, 0);
}

TEST(ConnectionRegistry, ClosesIdleConnectionsAndSparesBusyOnes) {
  boost::asio::io_context io;
  ConnectionRegistry registry;
  int idle_closed = 0, busy_closed = 0;
  auto idle = registry.add(boost::asio::make_strand(io), [&] { ++idle_closed; });
  auto busy = registry.add(boost::asio::make_strand(io), [&] { ++busy_closed; });
  busy->busy = true;
  EXPECT_EQ(registry.size(), 2u);
  registry.close_idle();
  io.run();
  EXPECT_EQ(idle_closed, 1);
  EXPECT_EQ(busy_closed, 0);
}

}  // namespace
}  // namespace portier::http
