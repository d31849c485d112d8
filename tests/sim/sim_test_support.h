#pragma once
// Test fixture for the simulators: a SimCore with the portal module on a ManualClock, driven
// through Router::route with crafted Requests; answers are captured through the Respond.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "adapters/http/router.h"
#include "core/base/clock.h"
#include "tests/sim/portal_sim.h"
#include "tests/sim/sim_core.h"

namespace portier::sim::testing {

class SimTest : public ::testing::Test {
 protected:
  static constexpr const char* kClientId = "portier-test";
  static constexpr const char* kClientSecret = "s3cret:with+odd=chars";

  SimTest() : core_(base_clock_) {
    PortalSimOptions options;
    options.client_id = kClientId;
    options.client_secret = kClientSecret;
    options.token_lifetime = std::chrono::seconds(300);
    core_.add(std::make_unique<PortalSim>(options, core_.clock()));
    core_.register_routes(router_);
  }

  // Routes a request; the future is ready once the handler (or a later thread) answered.
  std::future<http::Response> start(const std::string& method, const std::string& target,
                                    const std::string& body = {}, http::Headers headers = {}) {
    http::Request request;
    request.method = method;
    request.target = target;
    size_t q = target.find('?');
    request.path = target.substr(0, q);
    request.query = q == std::string::npos ? "" : target.substr(q + 1);
    request.headers = std::move(headers);
    request.body = body;
    request.correlation_id = request.header("X-Correlation-Id");
    if (request.correlation_id.empty()) request.correlation_id = "corr-" + std::to_string(++calls_);
    auto promise = std::make_shared<std::promise<http::Response>>();
    std::future<http::Response> answer = promise->get_future();
    router_.route(std::move(request),
                  [promise](http::Response r) { promise->set_value(std::move(r)); });
    return answer;
  }

  http::Response call(const std::string& method, const std::string& target,
                      const std::string& body = {}, http::Headers headers = {}) {
    std::future<http::Response> answer = start(method, target, body, std::move(headers));
    if (answer.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
      ADD_FAILURE() << method << " " << target << ": no answer within 5 s";
      return http::Response::text(0, "");
    }
    return answer.get();
  }

  // A form-encoded token request authenticated by form fields; returns the access token.
  std::string token(const std::string& scope = {}) {
    std::string form = std::string("grant_type=client_credentials&client_id=") + kClientId +
                       "&client_secret=s3cret%3Awith%2Bodd%3Dchars";
    if (!scope.empty()) form += "&scope=" + scope;
    http::Response r = call("POST", "/oauth2/token", form,
                            {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(r.status, 200u) << r.body;
    return std::string(json(r).at("access_token").as_string());
  }

  // Headers of an authorised JSON call, with an Idempotency-Key if `key` is not empty.
  static http::Headers api_headers(const std::string& bearer, const std::string& key = {}) {
    http::Headers h{{"Authorization", "Bearer " + bearer}, {"Content-Type", "application/json"}};
    if (!key.empty()) h["Idempotency-Key"] = key;
    return h;
  }

  static boost::json::object case_body(const std::string& id) {
    return {{"businessCaseId", id},
            {"ownerId", "owner-42"},
            {"serviceId", 1201},
            {"title", "Handelsregisterauszug"},
            {"businessProcessId", "bp-2019-12-04-0001"},
            {"externalReference", "HR-4711"}};
  }

  http::Response create(const std::string& bearer, const std::string& key,
                        const boost::json::value& body) {
    return call("POST", "/api/v9/businesscases", boost::json::serialize(body),
                api_headers(bearer, key));
  }

  static boost::json::value json(const http::Response& r) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(r.body, ec);
    EXPECT_FALSE(ec) << "not JSON: " << r.body;
    return v;
  }

  static std::string header(const http::Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return {};
  }

  boost::json::value portal_state() { return json(call("GET", "/_sim/state")).at("portal"); }

  ManualClock base_clock_;
  SimCore core_;
  http::Router router_;
  std::atomic<int> calls_{0};  // start() runs on several threads in the concurrency tests
};

}  // namespace portier::sim::testing
