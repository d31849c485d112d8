#include "connectors/http/http_client.h"

#include <gtest/gtest.h>

#include <memory>

#include "adapters/http/router.h"
#include "adapters/http/server.h"
#include "core/base/metrics.h"

namespace portier::outbound {
namespace {

// A counterpart on a free loopback port whose answers the test chooses.
class Counterpart {
 public:
  Counterpart() {
    router_.add("GET", "/big", [](http::Request, http::Respond respond) {
      respond(http::Response::text(200, std::string(3 * 1024 * 1024, 'x')));
    });
    router_.add("GET", "/busy", [](http::Request, http::Respond respond) {
      http::Response r = http::Response::text(503, "busy");
      r.headers.emplace_back("Retry-After", "Wed, 21 Oct 2026 07:28:30 GMT");
      respond(std::move(r));
    });
    config::Listener listener;
    listener.name = "counterpart";
    listener.address = "127.0.0.1";
    listener.port = 0;
    server_ = std::make_unique<http::Server>(std::vector<config::Listener>{listener},
                                             config::Limits{}, router_, metrics_);
    started_ = server_->start(1);
  }
  ~Counterpart() {
    server_->drain(std::chrono::milliseconds(0));
    server_->stop();
  }
  const Status& started() const { return started_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->ports().at(0)) + path;
  }

 private:
  http::Router router_;
  metrics::Registry metrics_;
  std::unique_ptr<http::Server> server_;
  Status started_;
};

// Before, an answer of any size was read into memory.
TEST(HttpClient, AnAnswerLargerThanTheLimitIsRefused) {
  Counterpart counterpart;
  ASSERT_TRUE(counterpart.started().is_ok()) << counterpart.started().to_string();
  HttpCall call;
  call.url = counterpart.url("/big");
  call.max_reply_bytes = 1024 * 1024;
  auto refused = perform(call);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.status().message().find("larger than 1048576 bytes"), std::string::npos);

  call.max_reply_bytes = 4 * 1024 * 1024;
  auto read = perform(call);
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  EXPECT_EQ(read->body.size(), 3u * 1024 * 1024);
}

// Before, a Retry-After date was measured against the wall clock, not the injected one.
TEST(HttpClient, ARetryAfterDateIsMeasuredByTheInjectedClock) {
  Counterpart counterpart;
  ASSERT_TRUE(counterpart.started().is_ok()) << counterpart.started().to_string();
  ManualClock clock;
  clock.set(1'792'567'680'000);  // 2026-10-21T07:28:00Z, 30 s before the date
  HttpCall call;
  call.url = counterpart.url("/busy");
  call.clock = &clock;
  auto reply = perform(call);
  ASSERT_TRUE(reply.is_ok()) << reply.status().to_string();
  EXPECT_EQ(reply->status, 503);
  ASSERT_TRUE(reply->retry_after.has_value());
  EXPECT_EQ(*reply->retry_after, std::chrono::seconds(30));
}

}  // namespace
}  // namespace portier::outbound
