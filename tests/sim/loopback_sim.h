#pragma once
// The simulators served over real HTTP on a free loopback port, inside a test process: add the
// modules to core(), then start(). For end-to-end tests of connectors. Not thread-safe to set
// up; the server's threads serve requests once started.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "adapters/http/server.h"
#include "connectors/http/http_client.h"
#include "tests/sim/sim_core.h"

namespace portier::sim {

class LoopbackSim {
 public:
  explicit LoopbackSim(const Clock& clock) : core_(clock) {}
  ~LoopbackSim() { stop(); }

  SimCore& core() { return core_; }

  // Serves every module added so far; `base()` is then "http://127.0.0.1:<port>".
  ::testing::AssertionResult start(config::Limits limits = {}) {
    core_.register_routes(router_);
    config::Listener listener;
    listener.name = "sim";
    listener.address = "127.0.0.1";
    listener.port = 0;  // a free port
    server_ = std::make_unique<http::Server>(std::vector<config::Listener>{listener}, limits,
                                             router_, metrics_);
    Status started = server_->start(2);
    if (!started.is_ok()) return ::testing::AssertionFailure() << started.to_string();
    base_ = "http://127.0.0.1:" + std::to_string(server_->ports().at(0));
    return ::testing::AssertionSuccess();
  }

  void stop() {
    if (!server_) return;
    core_.release_held();
    server_->drain(std::chrono::milliseconds(0));
    server_->stop();
    server_.reset();
  }

  const std::string& base() const { return base_; }

  // A sim control call, as a test harness would make it.
  outbound::HttpReply control(const std::string& method, const std::string& path,
                              const std::string& body = {}) {
    outbound::HttpCall call;
    call.method = method;
    call.url = base_ + path;
    call.body = body;
    call.headers = {"Content-Type: application/json"};
    auto reply = outbound::perform(call);
    EXPECT_TRUE(reply.is_ok()) << reply.status().to_string();
    return reply.is_ok() ? *reply : outbound::HttpReply{};
  }

 private:
  SimCore core_;
  http::Router router_;
  metrics::Registry metrics_;
  std::unique_ptr<http::Server> server_;
  std::string base_;
};

}  // namespace portier::sim
