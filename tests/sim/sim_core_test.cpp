// The sim core through Router::route: fault injection, request log, clock, state, reset; and
// the small parsing helpers every module uses.
#include "tests/sim/sim_core.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/sim/replies.h"
#include "tests/sim/sim_test_support.h"

namespace portier::sim::testing {
namespace {

using boost::json::object;
using boost::json::value;
using namespace std::chrono_literals;

constexpr const char* kCaseId = "6f1c9a52-3b7e-4d21-9c0a-8e5b2f7d4a10";

class SimCoreTest : public SimTest {
 protected:
  http::Response faults(const std::string& plan) { return call("POST", "/_sim/faults", plan); }
  http::Response create_case(const std::string& bearer, const std::string& key,
                             const std::string& id = kCaseId) {
    return create(bearer, key, case_body(id));
  }
  value log_entries(const std::string& query = {}) {
    return json(call("GET", "/_sim/log" + query)).at("entries");
  }
};

// --- fault injection -------------------------------------------------------------------------

TEST_F(SimCoreTest, NextTwoCallsFailThenTheCallGoesThrough) {
  std::string bearer = token();
  ASSERT_EQ(faults(R"({"status":503,"count":2,"retryAfterSeconds":1})").status, 200u);
  for (int attempt = 0; attempt < 2; ++attempt) {
    http::Response r = create_case(bearer, "k1");
    EXPECT_EQ(r.status, 503u);
    EXPECT_EQ(r.content_type, "application/problem+json");
    EXPECT_EQ(header(r, "Retry-After"), "1");
    EXPECT_TRUE(is_uuid(json(r).at("traceId").as_string()));
  }
  EXPECT_EQ(portal_state().at("effects"), 0);  // injected failures never reach the module
  EXPECT_EQ(create_case(bearer, "k1").status, 201u);
  EXPECT_EQ(portal_state().at("effects"), 1);
  EXPECT_EQ(portal_state().at("keys").at("k1").at("received"), 1);

  value entries = log_entries();
  ASSERT_EQ(entries.as_array().size(), 4u);  // token, two injected failures, the success
  EXPECT_EQ(entries.at(1).at("fault"), "injected");
  EXPECT_EQ(entries.at(1).at("status"), 503);
  EXPECT_TRUE(entries.at(3).at("fault").is_null());
  EXPECT_EQ(entries.at(3).at("status"), 201);
}

TEST_F(SimCoreTest, PathPrefixLimitsWhichCallsFail) {
  ASSERT_EQ(faults(R"({"status":500,"count":1,"pathPrefix":"/api/v9/businesscases"})").status,
            200u);
  std::string bearer = token();  // not under the prefix: answered normally, count not used
  EXPECT_EQ(call("GET", "/_sim/faults").body.find("\"remaining\":1") != std::string::npos, true);
  EXPECT_EQ(create_case(bearer, "k1").status, 500u);
  EXPECT_EQ(create_case(bearer, "k1").status, 201u);
}

TEST_F(SimCoreTest, RulesAreUsedInOrderAndCanCarryAMalformedBody) {
  ASSERT_EQ(faults(R"({"status":200,"body":"{not json","pathPrefix":"/api/"})").status, 200u);
  ASSERT_EQ(faults(R"({"status":429,"retryAfterSeconds":7})").status, 200u);
  http::Response t = call("POST", "/oauth2/token");  // not under "/api/": the second rule
  EXPECT_EQ(t.status, 429u);
  EXPECT_EQ(header(t, "Retry-After"), "7");
  http::Response r = call("GET", "/api/v9/businesscases/x");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "{not json");
  EXPECT_EQ(json(call("GET", "/_sim/faults")).at("failures").as_array().size(), 0u);
}

TEST_F(SimCoreTest, LatencyDelaysTheAnswerButNotTheEffect) {
  std::string bearer = token();
  ASSERT_EQ(faults(R"({"latencyMs":150})").status, 200u);
  auto started = std::chrono::steady_clock::now();
  std::future<http::Response> answer =
      start("POST", "/api/v9/businesscases", boost::json::serialize(case_body(kCaseId)),
            api_headers(bearer, "k1"));
  EXPECT_EQ(answer.wait_for(50ms), std::future_status::timeout);
  // The portal has already applied it: a client that times out now must retry with the key.
  EXPECT_EQ(portal_state().at("effects"), 1);
  ASSERT_EQ(answer.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(answer.get().status, 201u);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 150ms);

  ASSERT_EQ(faults(R"({"latencyMs":0})").status, 200u);
  auto quick =
      start("GET", std::string("/api/v9/businesscases/") + kCaseId, {}, api_headers(bearer));
  EXPECT_EQ(quick.wait_for(0ms), std::future_status::ready);
}

TEST_F(SimCoreTest, HungCallsAreHeldUntilTheFaultsAreCleared) {
  std::string bearer = token();
  ASSERT_EQ(faults(R"({"hang":1})").status, 200u);
  std::future<http::Response> hung =
      start("POST", "/api/v9/businesscases", boost::json::serialize(case_body(kCaseId)),
            api_headers(bearer, "k1"));
  EXPECT_EQ(hung.wait_for(50ms), std::future_status::timeout);
  EXPECT_EQ(json(call("GET", "/_sim/faults")).at("held"), 1);
  EXPECT_EQ(portal_state().at("effects"), 0);  // never reached the module
  EXPECT_TRUE(log_entries().at(1).at("status").is_null());

  EXPECT_EQ(create_case(bearer, "k1").status, 201u);  // the next call is answered
  ASSERT_EQ(call("DELETE", "/_sim/faults").status, 200u);
  ASSERT_EQ(hung.wait_for(1s), std::future_status::ready);
  EXPECT_EQ(hung.get().status, 503u);
  value entries = log_entries();
  EXPECT_EQ(entries.at(1).at("fault"), "hang");
  EXPECT_EQ(entries.at(1).at("status"), 503);
}

TEST_F(SimCoreTest, ResetReleasesHungCalls) {
  ASSERT_EQ(faults(R"({"hang":2,"pathPrefix":"/api/"})").status, 200u);
  auto a = start("GET", "/api/v9/businesscases/x");
  auto b = start("GET", "/api/v9/businesscases/y");
  EXPECT_EQ(token().empty(), false);  // outside the prefix
  ASSERT_EQ(call("POST", "/_sim/reset").status, 200u);
  ASSERT_EQ(a.wait_for(1s), std::future_status::ready);
  ASSERT_EQ(b.wait_for(1s), std::future_status::ready);
  EXPECT_EQ(a.get().status, 503u);
}

TEST_F(SimCoreTest, InvalidFaultPlansAre422NamingTheField) {
  struct Case {
    std::string plan;
    std::string field;
  } cases[] = {
      {R"({"status":"503"})", "status"},
      {R"({"status":42})", "status"},
      {R"({"count":2})", "status"},
      {R"({"status":503,"count":0})", "count"},
      {R"({"latencyMs":-1})", "latencyMs"},
      {R"({"hang":true})", "hang"},
      {R"({"status":503,"pathPrefix":5})", "pathPrefix"},
      {R"({"statuss":503})", "statuss"},
      {R"({})", "status"},
  };
  for (const Case& c : cases) {
    http::Response r = faults(c.plan);
    EXPECT_EQ(r.status, 422u) << c.plan;
    EXPECT_EQ(std::string(json(r).at("detail").as_string()).rfind(c.field + ":", 0), 0u)
        << c.plan << " -> " << r.body;
  }
  EXPECT_EQ(faults("not json").status, 400u);
  value plan = json(call("GET", "/_sim/faults"));
  EXPECT_TRUE(plan.at("failures").as_array().empty());
  EXPECT_TRUE(plan.at("hangs").as_array().empty());
}

// --- request log -----------------------------------------------------------------------------

TEST_F(SimCoreTest, LogRecordsEveryModuleCallInOrder) {
  std::string bearer = token();
  http::Headers headers = api_headers(bearer, "k1");
  headers["X-Correlation-Id"] = "corr-create";
  ASSERT_EQ(
      call("POST", "/api/v9/businesscases", boost::json::serialize(case_body(kCaseId)), headers)
          .status,
      201u);
  ASSERT_EQ(
      call("POST", "/api/v9/businesscases", boost::json::serialize(case_body(kCaseId)), headers)
          .status,
      201u);
  call("GET", "/api/v9/businesscases/unknown?x=1", {}, api_headers(bearer));
  call("GET", "/_sim/state");  // control calls are not logged

  value entries = log_entries();
  ASSERT_EQ(entries.as_array().size(), 4u);
  const value& t = entries.at(0);
  EXPECT_EQ(t.at("seq"), 1);
  EXPECT_EQ(t.at("module"), "portal");
  EXPECT_EQ(t.at("path"), "/oauth2/token");
  EXPECT_EQ(t.at("status"), 200);
  EXPECT_TRUE(t.at("body").is_null());  // form body with the client secret: not kept
  EXPECT_EQ(call("GET", "/_sim/log").body.find("s3cret"), std::string::npos);

  const value& c = entries.at(1);
  EXPECT_EQ(c.at("seq"), 2);
  EXPECT_EQ(c.at("method"), "POST");
  EXPECT_EQ(c.at("path"), "/api/v9/businesscases");
  EXPECT_EQ(c.at("idempotencyKey"), "k1");
  EXPECT_EQ(c.at("correlationId"), "corr-create");
  EXPECT_EQ(c.at("status"), 201);
  EXPECT_EQ(c.at("duplicate"), false);
  EXPECT_EQ(c.at("body").at("businessCaseId"), kCaseId);
  EXPECT_EQ(c.at("at"), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(entries.at(2).at("duplicate"), true);

  const value& g = entries.at(3);
  EXPECT_EQ(g.at("status"), 404);
  EXPECT_EQ(g.at("query"), "x=1");
  EXPECT_TRUE(g.at("idempotencyKey").is_null());

  value newer = log_entries("?since=2");
  ASSERT_EQ(newer.as_array().size(), 2u);
  EXPECT_EQ(newer.at(0).at("seq"), 3);
  EXPECT_EQ(call("GET", "/_sim/log?since=abc").status, 400u);
}

TEST_F(SimCoreTest, LogIsBoundedAndCountsWhatItDropped) {
  ManualClock clock;
  SimCore small(clock, {.log_requests = false, .max_log_entries = 2});
  small.add(std::make_unique<PortalSim>(PortalSimOptions{}, small.clock()));
  http::Router router;
  small.register_routes(router);
  for (int i = 0; i < 5; ++i) {
    http::Request r;
    r.method = "GET";
    r.path = "/api/v9/businesscases/x";
    router.route(r, [](http::Response) {});
  }
  value log = small.log().to_json();
  EXPECT_EQ(log.at("entries").as_array().size(), 2u);
  EXPECT_EQ(log.at("dropped"), 3);
  EXPECT_EQ(log.at("entries").at(0).at("seq"), 4);
}

// --- clock, state, reset ---------------------------------------------------------------------

TEST_F(SimCoreTest, ClockCanBeSetAndAdvanced) {
  value c = json(call("POST", "/_sim/clock", R"({"nowMs":1735689600000})"));
  EXPECT_EQ(c.at("nowMs"), 1735689600000);
  EXPECT_EQ(c.at("now"), "2025-01-01T00:00:00.000Z");
  base_clock_.advance(1s);  // the sim clock runs on with its base
  c = json(call("POST", "/_sim/advance", R"({"days":7,"hours":1,"seconds":1,"ms":5})"));
  EXPECT_EQ(c.at("now"), "2025-01-08T01:00:02.005Z");
  EXPECT_EQ(json(call("GET", "/_sim/clock")).at("nowMs"), c.at("nowMs"));
  EXPECT_EQ(call("POST", "/_sim/advance", R"({"days":"7"})").status, 422u);
  EXPECT_EQ(call("POST", "/_sim/clock", R"({"now":"2025-01-01"})").status, 422u);
  EXPECT_EQ(call("GET", "/_sim/advance").status, 405u);
}

TEST_F(SimCoreTest, StateHasOneEntryPerModule) {
  value state = json(call("GET", "/_sim/state"));
  ASSERT_TRUE(state.is_object());
  EXPECT_EQ(state.as_object().size(), 1u);
  EXPECT_TRUE(state.at("portal").at("businessCases").is_array());
}

TEST_F(SimCoreTest, ResetClearsFaultsLogClockAndModules) {
  std::string bearer = token();
  ASSERT_EQ(create_case(bearer, "k1").status, 201u);
  ASSERT_EQ(faults(R"({"status":503,"count":5})").status, 200u);
  ASSERT_EQ(call("POST", "/_sim/advance", R"({"days":1})").status, 200u);
  ASSERT_EQ(call("POST", "/_sim/reset").status, 200u);

  EXPECT_TRUE(json(call("GET", "/_sim/faults")).at("failures").as_array().empty());
  EXPECT_TRUE(log_entries().as_array().empty());
  EXPECT_EQ(json(call("GET", "/_sim/clock")).at("offsetMs"), 0);
  EXPECT_EQ(portal_state().at("effects"), 0);
  // Sequence numbers keep counting, so an old `since` never hides new calls.
  EXPECT_EQ(create_case(bearer, "k1").status, 201u);
  EXPECT_EQ(log_entries().at(0).at("seq"), 3);
}

TEST_F(SimCoreTest, UnknownPathsAre404) {
  EXPECT_EQ(call("GET", "/_sim/nothing").status, 404u);
  EXPECT_EQ(call("GET", "/elsewhere").status, 404u);
}

// --- helpers ---------------------------------------------------------------------------------

TEST(SimReplies, ParsingHelpers) {
  EXPECT_EQ(form_decode("a+b%3Dc%2b"), "a b=c+");
  EXPECT_FALSE(form_decode("%4"));
  EXPECT_FALSE(form_decode("%zz"));
  EXPECT_EQ(base64_decode("cG9ydGllcjpzM2NyZXQ="), "portier:s3cret");
  EXPECT_EQ(base64_decode("cG9ydGllcjpzM2NyZXQ"), "portier:s3cret");
  EXPECT_FALSE(base64_decode("cG9y*GllcjpzM2NyZXQ="));
  EXPECT_TRUE(is_uuid("6F1C9A52-3b7e-4d21-9c0a-8e5b2f7d4a10"));
  EXPECT_FALSE(is_uuid("6f1c9a52-3b7e-4d21-9c0a-8e5b2f7d4a1"));
  EXPECT_FALSE(is_uuid("6f1c9a52_3b7e-4d21-9c0a-8e5b2f7d4a10"));
  EXPECT_FALSE(is_uuid("6f1c9a52-3b7e-4d21-9c0a-8e5b2f7d4a1g"));
}

TEST_F(SimCoreTest, ModuleControlEndpointsAreNeitherLoggedNorFaulted) {
  ASSERT_EQ(faults(R"({"status":503,"count":5})").status, 200u);
  // The portal's /_sim/portal/read: a 404 from the module itself, not an injected 503.
  http::Response r = call("POST", "/_sim/portal/read", R"({"messageId":"nope"})");
  EXPECT_EQ(r.status, 404u) << r.body;
  EXPECT_EQ(call("POST", "/_sim/portal/unknown", "{}").status, 404u);
  EXPECT_TRUE(log_entries().as_array().empty());
}

TEST(SimReplies, ProblemHasTheEgov4Shape) {
  http::Response r = problem_reply(404, "business case x not found");
  EXPECT_EQ(r.content_type, "application/problem+json");
  value v = boost::json::parse(r.body);
  EXPECT_EQ(v.at("type"), "about:blank");
  EXPECT_EQ(v.at("title"), "Not Found");
  EXPECT_EQ(v.at("status"), 404);
  EXPECT_EQ(v.at("detail"), "business case x not found");
  EXPECT_TRUE(is_uuid(v.at("traceId").as_string()));
}

}  // namespace
}  // namespace portier::sim::testing
