// The portal simulator through Router::route: token flow, bearer checks, business cases,
// activities, notifications, inbox messages and the event feed, idempotency, validation, 404,
// token expiry on the sim clock, inspect().
#include "tests/sim/portal_sim.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/sim/replies.h"
#include "tests/sim/sim_test_support.h"

namespace portier::sim::testing {
namespace {

using boost::json::object;
using boost::json::value;

constexpr const char* kCaseId = "6f1c9a52-3b7e-4d21-9c0a-8e5b2f7d4a10";
constexpr const char* kOtherCaseId = "0b8e2d34-9a61-4f7c-b3d5-1c2e4f6a8b90";
constexpr const char* kStart = "2023-11-14T22:13:20.000Z";  // ManualClock's start

std::string base64(const std::string& in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3f]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

// An RFC 7807 body with the real egov4 members; returns it for further checks.
object expect_problem(const http::Response& r, unsigned status) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.content_type, "application/problem+json");
  boost::system::error_code ec;
  value v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "not a problem+json object: " << r.body;
    return {};
  }
  object& o = v.as_object();
  EXPECT_TRUE(o.contains("type"));
  EXPECT_TRUE(o.contains("title"));
  EXPECT_EQ(o.at("status"), status);
  EXPECT_TRUE(o.at("detail").is_string());
  EXPECT_TRUE(o.contains("traceId") && is_uuid(o.at("traceId").as_string())) << r.body;
  return o;
}

// The 422 names `field` in `errors` and in the detail.
void expect_names_field(const http::Response& r, const std::string& field) {
  object o = expect_problem(r, 422);
  ASSERT_TRUE(o.contains("errors")) << r.body;
  EXPECT_TRUE(o.at("errors").as_object().contains(field)) << r.body;
  EXPECT_NE(std::string(o.at("detail").as_string()).find(field), std::string::npos) << r.body;
}

using PortalSimTest = SimTest;

// --- token endpoint --------------------------------------------------------------------------

TEST_F(PortalSimTest, IssuesTokenForFormCredentials) {
  http::Response r = call("POST", "/oauth2/token",
                          "grant_type=client_credentials&client_id=portier-test"
                          "&client_secret=s3cret%3Awith%2Bodd%3Dchars",
                          {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  value v = json(r);
  EXPECT_FALSE(v.at("access_token").as_string().empty());
  EXPECT_EQ(v.at("token_type"), "Bearer");
  EXPECT_EQ(v.at("expires_in"), 300);
  EXPECT_NE(std::string(v.at("scope").as_string()).find("businesscases.write"), std::string::npos);
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
}

TEST_F(PortalSimTest, IssuesTokenForBasicCredentialsEncodedOrNot) {
  for (const std::string& credentials :
       {std::string("portier-test:s3cret%3Awith%2Bodd%3Dchars"),  // RFC 6749 §2.3.1
        std::string("portier-test:s3cret:with+odd=chars")}) {     // as libcurl sends it
    http::Response r =
        call("POST", "/oauth2/token", "grant_type=client_credentials&scope=businesscases.write",
             {{"Content-Type", "application/x-www-form-urlencoded"},
              {"Authorization", "Basic " + base64(credentials)}});
    ASSERT_EQ(r.status, 200u) << credentials << ": " << r.body;
    EXPECT_EQ(json(r).at("scope"), "businesscases.write");
  }
}

TEST_F(PortalSimTest, WrongCredentialsAre401InvalidClient) {
  http::Response form = call("POST", "/oauth2/token",
                             "grant_type=client_credentials&client_id=portier-test&client_secret=x",
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 401u);
  EXPECT_EQ(json(form).at("error"), "invalid_client");

  http::Response basic = call("POST", "/oauth2/token", "grant_type=client_credentials",
                              {{"Content-Type", "application/x-www-form-urlencoded"},
                               {"Authorization", "Basic " + base64("portier-test:wrong")}});
  EXPECT_EQ(basic.status, 401u);
  EXPECT_EQ(json(basic).at("error"), "invalid_client");
  EXPECT_NE(header(basic, "WWW-Authenticate").find("Basic"), std::string::npos);

  http::Response none = call("POST", "/oauth2/token", "grant_type=client_credentials",
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(none.status, 401u);
  EXPECT_EQ(portal_state().at("tokens").at("issued"), 0);
}

TEST_F(PortalSimTest, MalformedTokenRequestsAre400) {
  const std::string creds = "&client_id=portier-test&client_secret=s3cret%3Awith%2Bodd%3Dchars";
  const http::Headers form{{"Content-Type", "application/x-www-form-urlencoded"}};
  struct Case {
    std::string body;
    http::Headers headers;
    std::string error;
  } cases[] = {
      {"grant_type=password" + creds, form, "unsupported_grant_type"},
      {creds.substr(1), form, "invalid_request"},
      {"grant_type=client_credentials" + creds,
       {{"Content-Type", "application/json"}},
       "invalid_request"},
      {"grant_type=client_credentials&scope=admin" + creds, form, "invalid_scope"},
      {"grant_type=client_credentials%zz" + creds, form, "invalid_request"},
  };
  for (const Case& c : cases) {
    http::Response r = call("POST", "/oauth2/token", c.body, c.headers);
    EXPECT_EQ(r.status, 400u) << c.body;
    EXPECT_EQ(json(r).at("error"), c.error.c_str()) << c.body;
  }
}

// --- bearer tokens ---------------------------------------------------------------------------

TEST_F(PortalSimTest, ApiCallsWithoutValidTokenAre401) {
  http::Response missing =
      call("POST", "/api/v9/businesscases", boost::json::serialize(case_body(kCaseId)),
           {{"Content-Type", "application/json"}, {"Idempotency-Key", "k1"}});
  expect_problem(missing, 401);
  EXPECT_NE(header(missing, "WWW-Authenticate").find("Bearer"), std::string::npos);

  http::Response unknown = call("GET", std::string("/api/v9/businesscases/") + kCaseId, {},
                                {{"Authorization", "Bearer not-a-token"}});
  expect_problem(unknown, 401);
  EXPECT_NE(header(unknown, "WWW-Authenticate").find("invalid_token"), std::string::npos);
  EXPECT_EQ(portal_state().at("effects"), 0);
}

TEST_F(PortalSimTest, MutationWithoutWriteScopeIs403) {
  std::string read_only = token("activities.read");
  expect_problem(create(read_only, "k1", case_body(kCaseId)), 403);
  EXPECT_EQ(portal_state().at("effects"), 0);
}

TEST_F(PortalSimTest, TokenExpiresWhenSimClockAdvances) {
  std::string bearer = token();
  const std::string path = std::string("/api/v9/businesscases/") + kCaseId;
  EXPECT_EQ(call("GET", path, {}, api_headers(bearer)).status, 404u);  // authorised, unknown id

  EXPECT_EQ(call("POST", "/_sim/advance", R"({"seconds":299})").status, 200u);
  EXPECT_EQ(call("GET", path, {}, api_headers(bearer)).status, 404u);

  EXPECT_EQ(call("POST", "/_sim/advance", R"({"seconds":1})").status, 200u);
  expect_problem(call("GET", path, {}, api_headers(bearer)), 401);
  EXPECT_EQ(portal_state().at("tokens").at("active"), 0);

  std::string fresh = token();  // a client recovers by asking again
  EXPECT_EQ(call("GET", path, {}, api_headers(fresh)).status, 404u);
}

// --- business cases --------------------------------------------------------------------------

TEST_F(PortalSimTest, CreatePatchGet) {
  std::string bearer = token();
  http::Response created = create(bearer, "create-1", case_body(kCaseId));
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(json(created), (value{{"businessCaseId", kCaseId}, {"status", "OPEN"}}));
  EXPECT_EQ(header(created, "Location"), std::string("/api/v9/businesscases/") + kCaseId);

  base_clock_.advance(std::chrono::minutes(4));
  const std::string path = std::string("/api/v9/businesscases/") + kCaseId;
  http::Response patched =
      call("PATCH", path, R"({"status":"IN_PROGRESS","statusText":"Gesuch in Prüfung"})",
           api_headers(bearer, "patch-1"));
  ASSERT_EQ(patched.status, 200u) << patched.body;
  EXPECT_EQ(json(patched).at("status"), "IN_PROGRESS");
  EXPECT_FALSE(json(patched).as_object().contains("history")) << "GET gives the history";

  http::Response got = call("GET", path, {}, api_headers(bearer));
  ASSERT_EQ(got.status, 200u) << got.body;
  value c = json(got);
  EXPECT_EQ(c.at("businessCaseId"), kCaseId);
  EXPECT_EQ(c.at("ownerId"), "owner-42");
  EXPECT_EQ(c.at("serviceId"), 1201);
  EXPECT_EQ(c.at("title"), "Handelsregisterauszug");
  EXPECT_EQ(c.at("businessProcessId"), "bp-2019-12-04-0001");
  EXPECT_EQ(c.at("externalReference"), "HR-4711");
  EXPECT_EQ(c.at("status"), "IN_PROGRESS");
  EXPECT_EQ(c.at("statusText"), "Gesuch in Prüfung");
  const auto& history = c.at("history").as_array();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].at("status"), "OPEN");
  EXPECT_TRUE(history[0].at("statusText").is_null());
  EXPECT_EQ(history[0].at("at"), "2023-11-14T22:13:20.000Z");  // ManualClock's start
  EXPECT_EQ(history[1].at("status"), "IN_PROGRESS");
  EXPECT_EQ(history[1].at("at"), "2023-11-14T22:17:20.000Z");

  // Ids are UUIDs: upper case finds the same case.
  std::string upper = path;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(
      call("GET", "/api/v9/businesscases/" + upper.substr(22), {}, api_headers(bearer)).status,
      200u);
  EXPECT_EQ(portal_state().at("effects"), 2);
}

TEST_F(PortalSimTest, EveryStatusOfTheEnumIsAccepted) {
  std::string bearer = token();
  ASSERT_EQ(create(bearer, "c", case_body(kCaseId)).status, 201u);
  int n = 0;
  for (const std::string& status : PortalSim::statuses()) {
    http::Response r = call("PATCH", std::string("/api/v9/businesscases/") + kCaseId,
                            boost::json::serialize(object{{"status", status}}),
                            api_headers(bearer, "p" + std::to_string(++n)));
    EXPECT_EQ(r.status, 200u) << status << ": " << r.body;
  }
  EXPECT_EQ(portal_state().at("businessCases").at(0).at("history").as_array().size(), 7u);
}

// --- idempotency -----------------------------------------------------------------------------

TEST_F(PortalSimTest, RepeatedKeyReturnsFirstAnswerAndChangesNothing) {
  std::string bearer = token();
  http::Response first = create(bearer, "create-1", case_body(kCaseId));
  ASSERT_EQ(first.status, 201u);
  // The retry may carry a refreshed token: the key alone decides.
  http::Response again = create(token(), "create-1", case_body(kCaseId));
  EXPECT_EQ(again.status, 201u);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(header(again, "Idempotent-Replayed"), "true");

  const std::string path = std::string("/api/v9/businesscases/") + kCaseId;
  const std::string patch = R"({"status":"DECIDED","statusText":"Verfügung erlassen"})";
  http::Response p1 = call("PATCH", path, patch, api_headers(bearer, "patch-1"));
  http::Response p2 = call("PATCH", path, patch, api_headers(bearer, "patch-1"));
  EXPECT_EQ(p1.status, 200u);
  EXPECT_EQ(p2.status, 200u);
  EXPECT_EQ(p2.body, p1.body);

  value state = portal_state();
  EXPECT_EQ(state.at("effects"), 2);
  EXPECT_EQ(state.at("businessCases").as_array().size(), 1u);
  EXPECT_EQ(state.at("businessCases").at(0).at("history").as_array().size(), 2u);
  EXPECT_EQ(state.at("keys").at("create-1"),
            (value{{"received", 2}, {"applied", 1}, {"status", 201}}));
  EXPECT_EQ(state.at("keys").at("patch-1"),
            (value{{"received", 2}, {"applied", 1}, {"status", 200}}));

  std::vector<bool> duplicates;
  value log = json(call("GET", "/_sim/log"));
  for (const value& e : log.at("entries").as_array()) {
    if (e.at("path") != "/oauth2/token") duplicates.push_back(e.at("duplicate").as_bool());
  }
  EXPECT_EQ(duplicates, (std::vector<bool>{false, true, false, true}));
}

TEST_F(PortalSimTest, RepeatedKeyReplaysAnErrorAnswerToo) {
  std::string bearer = token();
  object bad = case_body(kCaseId);
  bad.erase("ownerId");
  http::Response first = create(bearer, "k", bad);
  http::Response again = create(bearer, "k", bad);
  expect_problem(again, 422);
  EXPECT_EQ(again.body, first.body);  // same traceId: the very same answer
  EXPECT_EQ(portal_state().at("keys").at("k"),
            (value{{"received", 2}, {"applied", 0}, {"status", 422}}));
}

TEST_F(PortalSimTest, KeyReusedForADifferentRequestIs422) {
  std::string bearer = token();
  ASSERT_EQ(create(bearer, "k", case_body(kCaseId)).status, 201u);
  expect_names_field(create(bearer, "k", case_body(kOtherCaseId)), "Idempotency-Key");
  EXPECT_EQ(portal_state().at("effects"), 1);
}

TEST_F(PortalSimTest, MissingIdempotencyKeyIs400NamingTheHeader) {
  std::string bearer = token();
  object o = expect_problem(create(bearer, "", case_body(kCaseId)), 400);
  EXPECT_NE(std::string(o.at("detail").as_string()).find("Idempotency-Key"), std::string::npos);
  o = expect_problem(call("PATCH", std::string("/api/v9/businesscases/") + kCaseId,
                          R"({"status":"OPEN"})", api_headers(bearer)),
                     400);
  EXPECT_TRUE(o.at("errors").as_object().contains("Idempotency-Key"));
  EXPECT_EQ(portal_state().at("effects"), 0);
}

TEST_F(PortalSimTest, ExistingCaseUnderAnotherKeyIs409) {
  std::string bearer = token();
  ASSERT_EQ(create(bearer, "k1", case_body(kCaseId)).status, 201u);
  expect_problem(create(bearer, "k2", case_body(kCaseId)), 409);
  EXPECT_EQ(portal_state().at("effects"), 1);
}

TEST_F(PortalSimTest, ConcurrentRepeatsOfOneKeyApplyOnce) {
  std::string bearer = token();
  std::vector<std::thread> threads;
  std::vector<unsigned> statuses(8);
  for (size_t i = 0; i < statuses.size(); ++i) {
    threads.emplace_back([&, i] {
      auto f = start("POST", "/api/v9/businesscases", boost::json::serialize(case_body(kCaseId)),
                     api_headers(bearer, "same-key"));
      statuses[i] = f.get().status;
    });
  }
  for (std::thread& t : threads) t.join();
  for (unsigned s : statuses) EXPECT_EQ(s, 201u);
  value state = portal_state();
  EXPECT_EQ(state.at("effects"), 1);
  EXPECT_EQ(state.at("keys").at("same-key").at("received"), 8);
  EXPECT_EQ(state.at("keys").at("same-key").at("applied"), 1);
}

// --- validation and unknown ids --------------------------------------------------------------

TEST_F(PortalSimTest, InvalidCreateIs422NamingTheField) {
  std::string bearer = token();
  struct Case {
    std::string field;
    value bad;  // null: remove the field
  } cases[] = {
      {"businessCaseId", nullptr},
      {"businessCaseId", "BC-2024-0001"},
      {"ownerId", nullptr},
      {"ownerId", 42},
      {"serviceId", nullptr},
      {"serviceId", "1201"},
      {"serviceId", 12.5},
      {"serviceId", int64_t{1} << 31},
      {"title", ""},
      {"businessProcessId", nullptr},
      {"businessProcessId", boost::json::string(std::string(129, 'x'))},
      {"externalReference", 4711},
  };
  int n = 0;
  for (const Case& c : cases) {
    object body = case_body(kCaseId);
    if (c.bad.is_null()) {
      body.erase(c.field);
    } else {
      body[c.field] = c.bad;
    }
    SCOPED_TRACE(c.field + " = " + boost::json::serialize(c.bad));
    expect_names_field(create(bearer, "k" + std::to_string(++n), body), c.field);
  }
  EXPECT_EQ(portal_state().at("effects"), 0);
}

TEST_F(PortalSimTest, BusinessProcessIdLimitCountsCharactersNotBytes) {
  std::string bearer = token();
  object body = case_body(kCaseId);
  std::string bpid;
  for (int i = 0; i < 64; ++i) bpid += "ä";  // 128 bytes, 64 characters
  bpid += std::string(64, 'x');              // 128 characters
  body["businessProcessId"] = bpid;
  EXPECT_EQ(create(bearer, "k", body).status, 201u);
}

TEST_F(PortalSimTest, PatchWithStatusOutsideTheEnumIs422NamingStatus) {
  std::string bearer = token();
  ASSERT_EQ(create(bearer, "c", case_body(kCaseId)).status, 201u);
  const std::string path = std::string("/api/v9/businesscases/") + kCaseId;
  expect_names_field(call("PATCH", path, R"({"status":"DONE"})", api_headers(bearer, "p1")),
                     "status");
  expect_names_field(call("PATCH", path, R"({"statusText":"x"})", api_headers(bearer, "p2")),
                     "status");
  expect_names_field(
      call("PATCH", path, R"({"status":"OPEN","statusText":7})", api_headers(bearer, "p3")),
      "statusText");
  EXPECT_EQ(portal_state().at("effects"), 1);
}

TEST_F(PortalSimTest, UnknownIdIs404) {
  std::string bearer = token();
  const std::string path = std::string("/api/v9/businesscases/") + kOtherCaseId;
  expect_problem(call("GET", path, {}, api_headers(bearer)), 404);
  expect_problem(call("PATCH", path, R"({"status":"CLOSED"})", api_headers(bearer, "p")), 404);
  expect_problem(call("GET", "/api/v9/businesscases/", {}, api_headers(bearer)), 404);
  EXPECT_EQ(portal_state().at("effects"), 0);
}

TEST_F(PortalSimTest, BodiesThatAreNotJsonAreRefused) {
  std::string bearer = token();
  http::Headers form = api_headers(bearer, "k1");
  form["Content-Type"] = "application/x-www-form-urlencoded";
  expect_problem(
      call("POST", "/api/v9/businesscases", boost::json::serialize(case_body(kCaseId)), form), 415);
  expect_problem(
      call("POST", "/api/v9/businesscases", "{\"businessCaseId\":", api_headers(bearer, "k2")),
      400);
  expect_problem(call("POST", "/api/v9/businesscases", "[]", api_headers(bearer, "k3")), 400);
  EXPECT_EQ(portal_state().at("effects"), 0);
}

TEST_F(PortalSimTest, WrongMethodIs405) {
  std::string bearer = token();
  EXPECT_EQ(
      call("DELETE", std::string("/api/v9/businesscases/") + kCaseId, {}, api_headers(bearer, "k"))
          .status,
      405u);
}

// --- activities ------------------------------------------------------------------------------

object activity_body() {
  return {{"ownerId", "owner-42"},
          {"title", "Gesuch eingegangen"},
          {"body", "Ihr Gesuch ist eingegangen."},
          {"type", "info"},
          {"target", "citizen"},
          {"event", "received"},
          {"module", "baugesuch"},
          {"objectId", "AZ-2026-1"},
          {"businessCaseId", "6F1C9A52-3B7E-4D21-9C0A-8E5B2F7D4A10"},
          {"serviceId", 1201},
          {"relatedProfileId", 77},
          {"displayStamp", "2026-01-05T09:00:00+01:00"}};
}

class PortalActivitiesTest : public PortalSimTest {
 protected:
  http::Response add(const std::string& bearer, const std::string& key, const object& body) {
    return call("POST", "/api/v9/activities", boost::json::serialize(body),
                api_headers(bearer, key));
  }
  value list(const std::string& bearer, const std::string& query) {
    http::Response r = call("GET", "/api/v9/activities?" + query, {}, api_headers(bearer));
    EXPECT_EQ(r.status, 200u) << query << ": " << r.body;
    return json(r);
  }
};

TEST_F(PortalActivitiesTest, CreateGetListDelete) {
  std::string bearer = token();
  http::Response created = add(bearer, "a1", activity_body());
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(header(created, "Location"), "/api/v9/activities/1");
  value expected = {{"id", 1},
                    {"ownerId", "owner-42"},
                    {"title", "Gesuch eingegangen"},
                    {"body", "Ihr Gesuch ist eingegangen."},
                    {"type", "info"},
                    {"target", "citizen"},
                    {"event", "received"},
                    {"module", "baugesuch"},
                    {"objectId", "AZ-2026-1"},
                    {"businessCaseId", kCaseId},  // lower case
                    {"serviceId", 1201},
                    {"relatedProfileId", 77},
                    {"displayStamp", "2026-01-05T08:00:00.000Z"},
                    {"createdBy", kClientId},
                    {"creationStamp", kStart}};
  EXPECT_EQ(json(created), expected);
  EXPECT_EQ(json(created).as_object().size(), 15u);  // exactly the real fields

  http::Response got = call("GET", "/api/v9/activities/1", {}, api_headers(bearer));
  ASSERT_EQ(got.status, 200u) << got.body;
  EXPECT_EQ(json(got), expected);

  value listed = list(bearer, "OwnerId=owner-42&PageNumber=1&PageSize=50");
  EXPECT_EQ(listed, (value{{"items", boost::json::array{expected}}, {"totalCount", 1}}));

  http::Response deleted = call("DELETE", "/api/v9/activities/1", {}, api_headers(bearer, "d1"));
  EXPECT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_TRUE(deleted.body.empty());
  expect_problem(call("GET", "/api/v9/activities/1", {}, api_headers(bearer)), 404);
  expect_problem(call("DELETE", "/api/v9/activities/1", {}, api_headers(bearer, "d2")), 404);
  EXPECT_EQ(list(bearer, "OwnerId=owner-42").at("totalCount"), 0);
  EXPECT_EQ(portal_state().at("effects"), 2);
}

TEST_F(PortalActivitiesTest, OptionalFieldsAreNullAndDisplayStampDefaultsToCreation) {
  std::string bearer = token();
  http::Response r = add(bearer, "a", object{{"ownerId", "o"}, {"title", "t"}, {"type", "info"}});
  ASSERT_EQ(r.status, 201u) << r.body;
  value a = json(r);
  EXPECT_EQ(a.as_object().size(), 15u);
  for (const char* field : {"body", "target", "event", "module", "objectId", "businessCaseId",
                            "serviceId", "relatedProfileId"}) {
    EXPECT_TRUE(a.at(field).is_null()) << field;
  }
  EXPECT_EQ(a.at("displayStamp"), kStart);
  EXPECT_EQ(a.at("creationStamp"), kStart);
}

TEST_F(PortalActivitiesTest, ListingFiltersByOwnerAndCaseAndPages) {
  std::string bearer = token();
  int n = 0;
  auto add_one = [&](const char* owner, const char* case_id) {
    object body = activity_body();
    body["ownerId"] = owner;
    body["title"] = "t" + std::to_string(n + 1);
    if (case_id == nullptr) {
      body.erase("businessCaseId");
    } else {
      body["businessCaseId"] = case_id;
    }
    ASSERT_EQ(add(bearer, "a" + std::to_string(++n), body).status, 201u);
  };
  add_one("A", kCaseId);
  add_one("B", kCaseId);
  add_one("A", kOtherCaseId);
  add_one("A", nullptr);
  add_one("A", kCaseId);

  auto ids = [](const value& page) {
    std::vector<int64_t> out;
    for (const value& item : page.at("items").as_array()) out.push_back(item.at("id").as_int64());
    return out;
  };
  value all = list(bearer, "OwnerId=A");
  EXPECT_EQ(all.at("totalCount"), 4);
  EXPECT_EQ(ids(all), (std::vector<int64_t>{1, 3, 4, 5}));  // in order of creation
  value of_case = list(bearer, std::string("OwnerId=A&BusinessCaseId=") + kCaseId);
  EXPECT_EQ(ids(of_case), (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(of_case.at("totalCount"), 2);

  value page2 = list(bearer, "OwnerId=A&PageNumber=2&PageSize=3");
  EXPECT_EQ(ids(page2), (std::vector<int64_t>{5}));
  EXPECT_EQ(page2.at("totalCount"), 4);  // of every page
  EXPECT_TRUE(list(bearer, "OwnerId=A&PageNumber=3&PageSize=3").at("items").as_array().empty());
  EXPECT_EQ(ids(list(bearer, "OwnerId=A&PageSize=-1")).size(), 4u);
  EXPECT_TRUE(list(bearer, "OwnerId=A&PageSize=0").at("items").as_array().empty());
  // ASP.NET Core binds query parameters whatever their case; values are percent-decoded.
  EXPECT_EQ(ids(list(bearer, "ownerid=B&pagesize=10")), (std::vector<int64_t>{2}));
  EXPECT_EQ(list(bearer, "OwnerId=nobody").at("totalCount"), 0);
}

TEST_F(PortalActivitiesTest, ListingWithoutOwnerIdIs422NamingIt) {
  std::string bearer = token();
  expect_names_field(call("GET", "/api/v9/activities", {}, api_headers(bearer)), "OwnerId");
  expect_names_field(call("GET", "/api/v9/activities?OwnerId=&PageSize=5", {}, api_headers(bearer)),
                     "OwnerId");
  const std::pair<const char*, const char*> table[] = {
      {"OwnerId=o&PageNumber=0", "PageNumber"},
      {"OwnerId=o&PageNumber=x", "PageNumber"},
      {"OwnerId=o&PageSize=-2", "PageSize"},
      {"OwnerId=o&PageSize=2147483648", "PageSize"},
      {"OwnerId=o&BusinessCaseId=42", "BusinessCaseId"},
  };
  for (const auto& [query, field] : table) {
    SCOPED_TRACE(query);
    expect_names_field(
        call("GET", std::string("/api/v9/activities?") + query, {}, api_headers(bearer)), field);
  }
  expect_problem(call("GET", "/api/v9/activities?OwnerId=%zz", {}, api_headers(bearer)), 400);
}

TEST_F(PortalActivitiesTest, InvalidActivityIs422NamingTheField) {
  std::string bearer = token();
  struct Case {
    std::string field;
    value bad;  // null: remove the field
  } cases[] = {
      {"ownerId", nullptr},
      {"ownerId", ""},
      {"title", nullptr},
      {"type", nullptr},
      {"body", 5},
      {"target", false},
      {"module", 1},
      {"objectId", 2},
      {"businessCaseId", "42"},
      {"serviceId", "1201"},
      {"serviceId", 1.5},
      {"relatedProfileId", int64_t{1} << 31},
      {"displayStamp", "yesterday"},
      {"displayStamp", "2026-01-05"},
      {"id", 7},
      {"createdBy", "me"},
      {"creationStamp", "2026-01-05T08:00:00Z"},
  };
  int n = 0;
  for (const Case& c : cases) {
    object body = activity_body();
    if (c.bad.is_null()) {
      body.erase(c.field);
    } else {
      body[c.field] = c.bad;
    }
    SCOPED_TRACE(c.field + " = " + boost::json::serialize(c.bad));
    expect_names_field(add(bearer, "k" + std::to_string(++n), body), c.field);
  }
  EXPECT_TRUE(portal_state().at("activities").as_array().empty());
}

TEST_F(PortalActivitiesTest, IdsThatAreNotInt32Are422AndUnknownOnes404) {
  std::string bearer = token();
  expect_names_field(call("GET", "/api/v9/activities/abc", {}, api_headers(bearer)), "activityId");
  expect_names_field(call("DELETE", "/api/v9/activities/9999999999", {}, api_headers(bearer, "d")),
                     "activityId");
  expect_problem(call("GET", "/api/v9/activities/42", {}, api_headers(bearer)), 404);
}

TEST_F(PortalActivitiesTest, ScopesBearerAndIdempotencyKey) {
  expect_problem(add(token("activities.read"), "a1", activity_body()), 403);
  expect_problem(
      call("GET", "/api/v9/activities?OwnerId=o", {}, api_headers(token("activities.write"))), 403);
  expect_problem(call("GET", "/api/v9/activities?OwnerId=o"), 401);
  object o = expect_problem(add(token(), "", activity_body()), 400);
  EXPECT_TRUE(o.at("errors").as_object().contains("Idempotency-Key"));
  EXPECT_EQ(portal_state().at("effects"), 0);
}

TEST_F(PortalActivitiesTest, RepeatsAreIdempotent) {
  std::string bearer = token();
  http::Response first = add(bearer, "a1", activity_body());
  http::Response again = add(bearer, "a1", activity_body());
  ASSERT_EQ(first.status, 201u);
  EXPECT_EQ(again.status, 201u);
  EXPECT_EQ(again.body, first.body);  // the same id
  EXPECT_EQ(header(again, "Idempotent-Replayed"), "true");
  EXPECT_EQ(portal_state().at("activities").as_array().size(), 1u);

  http::Response d1 = call("DELETE", "/api/v9/activities/1", {}, api_headers(bearer, "d"));
  http::Response d2 = call("DELETE", "/api/v9/activities/1", {}, api_headers(bearer, "d"));
  EXPECT_EQ(d1.status, 204u);
  EXPECT_EQ(d2.status, 204u);
  EXPECT_EQ(header(d2, "Idempotent-Replayed"), "true");
  value state = portal_state();
  EXPECT_EQ(state.at("effects"), 2);
  EXPECT_EQ(state.at("keys").at("a1"), (value{{"received", 2}, {"applied", 1}, {"status", 201}}));
  EXPECT_EQ(state.at("keys").at("d"), (value{{"received", 2}, {"applied", 1}, {"status", 204}}));
}

// --- notifications ---------------------------------------------------------------------------

TEST_F(PortalSimTest, NotificationsAreCreatedOnceAndValidated) {
  std::string bearer = token();
  const std::string body = boost::json::serialize(object{{"ownerId", "owner-42"},
                                                         {"businessCaseId", kCaseId},
                                                         {"subject", "Neue Verfügung"},
                                                         {"body", "Bitte lesen."},
                                                         {"important", true}});
  http::Response r = call("POST", "/api/v9/notifications", body, api_headers(bearer, "n1"));
  ASSERT_EQ(r.status, 201u) << r.body;
  value v = json(r);
  EXPECT_EQ(v.as_object().size(), 1u);
  EXPECT_TRUE(is_uuid(v.at("notificationId").as_string()));
  http::Response again = call("POST", "/api/v9/notifications", body, api_headers(bearer, "n1"));
  EXPECT_EQ(again.body, r.body);

  value state = portal_state();
  const auto& notifications = state.at("notifications").as_array();
  ASSERT_EQ(notifications.size(), 1u);
  EXPECT_EQ(notifications[0], (value{{"notificationId", v.at("notificationId")},
                                     {"ownerId", "owner-42"},
                                     {"businessCaseId", kCaseId},
                                     {"subject", "Neue Verfügung"},
                                     {"body", "Bitte lesen."},
                                     {"important", true},
                                     {"createdAt", kStart}}));

  // Without a case and without `important` (false).
  ASSERT_EQ(call("POST", "/api/v9/notifications", R"({"ownerId":"o","subject":"s","body":"b"})",
                 api_headers(bearer, "n2"))
                .status,
            201u);
  value second = portal_state().at("notifications").at(1);
  EXPECT_TRUE(second.at("businessCaseId").is_null());
  EXPECT_EQ(second.at("important"), false);

  const std::pair<const char*, const char*> invalid[] = {
      {R"({"subject":"s","body":"b"})", "ownerId"},
      {R"({"ownerId":"o","body":"b"})", "subject"},
      {R"({"ownerId":"o","subject":"s"})", "body"},
      {R"({"ownerId":"o","subject":"s","body":"b","important":"yes"})", "important"},
      {R"({"ownerId":"o","subject":"s","body":"b","businessCaseId":"x"})", "businessCaseId"},
  };
  int n = 0;
  for (const auto& [request, field] : invalid) {
    SCOPED_TRACE(request);
    expect_names_field(call("POST", "/api/v9/notifications", request,
                            api_headers(bearer, "x" + std::to_string(++n))),
                       field);
  }
  expect_problem(
      call("POST", "/api/v9/notifications", body, api_headers(token("businesscases.write"), "n3")),
      403);
  EXPECT_EQ(portal_state().at("effects"), 2);
}

// --- inbox messages and the event feed -------------------------------------------------------

class PortalMessagesTest : public PortalSimTest {
 protected:
  // Sends a message; returns its id.
  std::string send(const std::string& bearer, const std::string& key, bool important,
                   const char* case_id = kCaseId) {
    object body{{"ownerId", "owner-42"},
                {"subject", "Verfügung"},
                {"body", "Ihre Verfügung liegt bei."},
                {"important", important},
                {"documents", boost::json::array{object{{"documentId", "doc-1"}}}}};
    if (case_id != nullptr) body["businessCaseId"] = case_id;
    http::Response r =
        call("POST", "/api/v9/messages", boost::json::serialize(body), api_headers(bearer, key));
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.status == 201 ? std::string(json(r).at("messageId").as_string()) : std::string();
  }
  http::Response read_by_citizen(const std::string& message_id) {
    return call("POST", "/_sim/portal/read",
                boost::json::serialize(object{{"messageId", message_id}}));
  }
  value feed(const std::string& bearer, const std::string& query = {}) {
    http::Response r = call("GET", "/api/v9/notifications/feed" + query, {}, api_headers(bearer));
    EXPECT_EQ(r.status, 200u) << r.body;
    return json(r).at("events");
  }
};

TEST_F(PortalMessagesTest, ImportantMessagesMustBeReadAtNextLogin) {
  std::string bearer = token();
  std::string important = send(bearer, "m1", true);
  std::string plain = send(bearer, "m2", false, nullptr);
  ASSERT_TRUE(is_uuid(important));
  ASSERT_TRUE(is_uuid(plain));

  value state = portal_state();
  const auto& messages = state.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0], (value{{"messageId", important},
                                {"ownerId", "owner-42"},
                                {"businessCaseId", kCaseId},
                                {"subject", "Verfügung"},
                                {"body", "Ihre Verfügung liegt bei."},
                                {"important", true},
                                {"mustReadAtNextLogin", true},
                                {"documents", {object{{"documentId", "doc-1"}}}},
                                {"deliveredAt", kStart},
                                {"read", false},
                                {"readAt", nullptr}}));
  EXPECT_EQ(messages[1].at("mustReadAtNextLogin"), false);
  EXPECT_TRUE(messages[1].at("businessCaseId").is_null());
}

TEST_F(PortalMessagesTest, DeliveryAndReadingAppendEventsToTheFeed) {
  std::string bearer = token();
  std::string first = send(bearer, "m1", true);
  base_clock_.advance(std::chrono::minutes(1));
  std::string second = send(bearer, "m2", false, nullptr);
  base_clock_.advance(std::chrono::minutes(1));

  http::Response read = read_by_citizen(first);
  ASSERT_EQ(read.status, 200u) << read.body;
  EXPECT_EQ(json(read).at("read"), true);
  EXPECT_EQ(json(read).at("readAt"), "2023-11-14T22:15:20.000Z");
  // A second read is no new event.
  EXPECT_EQ(read_by_citizen(first).status, 200u);

  value events = feed(bearer);
  EXPECT_EQ(events, (value{{{"cursor", 1},
                            {"kind", "MESSAGE_DELIVERED"},
                            {"messageId", first},
                            {"businessCaseId", kCaseId},
                            {"at", kStart}},
                           {{"cursor", 2},
                            {"kind", "MESSAGE_DELIVERED"},
                            {"messageId", second},
                            {"businessCaseId", nullptr},
                            {"at", "2023-11-14T22:14:20.000Z"}},
                           {{"cursor", 3},
                            {"kind", "MESSAGE_READ"},
                            {"messageId", first},
                            {"businessCaseId", kCaseId},
                            {"at", "2023-11-14T22:15:20.000Z"}}}));
  EXPECT_EQ(portal_state().at("events").as_array().size(), 3u);
  EXPECT_EQ(portal_state().at("messages").at(0).at("read"), true);
  // The citizen's read is no call of Portier's: not in the request log.
  value log = json(call("GET", "/_sim/log"));
  for (const value& e : log.at("entries").as_array()) {
    EXPECT_NE(e.at("path"), "/_sim/portal/read");
  }
}

TEST_F(PortalMessagesTest, FeedPagesByCursorAndLimit) {
  std::string bearer = token();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(send(bearer, "m" + std::to_string(i), false));
  auto cursors = [](const value& events) {
    std::vector<int64_t> out;
    for (const value& e : events.as_array()) out.push_back(e.at("cursor").as_int64());
    return out;
  };
  EXPECT_EQ(cursors(feed(bearer, "?limit=2")), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(cursors(feed(bearer, "?after=2&limit=2")), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(cursors(feed(bearer, "?after=4&limit=2")), (std::vector<int64_t>{5}));
  EXPECT_TRUE(feed(bearer, "?after=5").as_array().empty());
  EXPECT_TRUE(feed(bearer, "?after=99").as_array().empty());
  ASSERT_EQ(read_by_citizen(ids[1]).status, 200u);
  value after5 = feed(bearer, "?after=5");
  ASSERT_EQ(after5.as_array().size(), 1u);
  EXPECT_EQ(after5.at(0).at("kind"), "MESSAGE_READ");
  EXPECT_EQ(after5.at(0).at("messageId"), ids[1].c_str());
  EXPECT_EQ(after5.at(0).at("cursor"), 6);

  for (const auto& [query, field] : {std::pair<const char*, const char*>{"?limit=0", "limit"},
                                     {"?limit=1001", "limit"},
                                     {"?after=-1", "after"},
                                     {"?after=x", "after"}}) {
    SCOPED_TRACE(query);
    expect_names_field(
        call("GET", std::string("/api/v9/notifications/feed") + query, {}, api_headers(bearer)),
        field);
  }
  expect_problem(call("GET", "/api/v9/notifications/feed"), 401);
}

TEST_F(PortalMessagesTest, RepeatedMessageIsDeliveredOnce) {
  std::string bearer = token();
  const std::string body = R"({"ownerId":"o","subject":"s","body":"b","important":true})";
  http::Response first = call("POST", "/api/v9/messages", body, api_headers(bearer, "m"));
  http::Response again = call("POST", "/api/v9/messages", body, api_headers(token(), "m"));
  ASSERT_EQ(first.status, 201u);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(header(again, "Idempotent-Replayed"), "true");
  value state = portal_state();
  EXPECT_EQ(state.at("messages").as_array().size(), 1u);
  EXPECT_EQ(state.at("events").as_array().size(), 1u);  // one MESSAGE_DELIVERED
  EXPECT_EQ(state.at("effects"), 1);
}

TEST_F(PortalMessagesTest, InvalidMessagesAndReads) {
  std::string bearer = token();
  const std::pair<const char*, const char*> invalid[] = {
      {R"({"subject":"s","body":"b"})", "ownerId"},
      {R"({"ownerId":"o","body":"b"})", "subject"},
      {R"({"ownerId":"o","subject":"s","body":""})", "body"},
      {R"({"ownerId":"o","subject":"s","body":"b","important":1})", "important"},
      {R"({"ownerId":"o","subject":"s","body":"b","documents":{}})", "documents"},
      {R"({"ownerId":"o","subject":"s","body":"b","documents":[{"id":"x"}]})", "documents"},
      {R"({"ownerId":"o","subject":"s","body":"b","businessCaseId":7})", "businessCaseId"},
  };
  int n = 0;
  for (const auto& [request, field] : invalid) {
    SCOPED_TRACE(request);
    expect_names_field(
        call("POST", "/api/v9/messages", request, api_headers(bearer, "x" + std::to_string(++n))),
        field);
  }
  expect_problem(call("POST", "/api/v9/messages", R"({"ownerId":"o","subject":"s","body":"b"})",
                      api_headers(token("activities.write"), "y")),
                 403);
  expect_problem(read_by_citizen("6f1c9a52-0000-4000-8000-000000000000"), 404);
  expect_names_field(call("POST", "/_sim/portal/read", "{}"), "messageId");
  expect_problem(call("POST", "/_sim/portal/read", "not json"), 400);
  value state = portal_state();
  EXPECT_TRUE(state.at("messages").as_array().empty());
  EXPECT_TRUE(state.at("events").as_array().empty());
}

TEST_F(PortalMessagesTest, ResetKeepsCursorsAndActivityIdsCounting) {
  std::string bearer = token();
  send(bearer, "m1", false);
  ASSERT_EQ(call("POST", "/api/v9/activities", R"({"ownerId":"o","title":"t","type":"info"})",
                 api_headers(bearer, "a1"))
                .status,
            201u);
  ASSERT_EQ(call("POST", "/_sim/reset").status, 200u);
  value state = portal_state();
  EXPECT_TRUE(state.at("messages").as_array().empty());
  EXPECT_TRUE(state.at("events").as_array().empty());
  EXPECT_TRUE(state.at("activities").as_array().empty());
  EXPECT_TRUE(state.at("notifications").as_array().empty());

  send(bearer, "m1", false);
  EXPECT_EQ(feed(bearer).at(0).at("cursor"), 2);  // a client reading after 1 misses nothing
  http::Response a =
      call("POST", "/api/v9/activities", R"({"ownerId":"o","title":"t","type":"info"})",
           api_headers(bearer, "a1"));
  EXPECT_EQ(json(a).at("id"), 2);
}

// --- business case history -------------------------------------------------------------------

TEST_F(PortalSimTest, CaseHistoryEntriesHaveStatusTextAndTime) {
  std::string bearer = token();
  ASSERT_EQ(create(bearer, "c", case_body(kCaseId)).status, 201u);
  const std::string path = std::string("/api/v9/businesscases/") + kCaseId;
  ASSERT_EQ(call("PATCH", path, R"({"status":"DECIDED","statusText":"Bewilligt"})",
                 api_headers(bearer, "p"))
                .status,
            200u);
  value history = json(call("GET", path, {}, api_headers(bearer))).at("history");
  EXPECT_EQ(history, (value{{{"status", "OPEN"}, {"statusText", nullptr}, {"at", kStart}},
                            {{"status", "DECIDED"}, {"statusText", "Bewilligt"}, {"at", kStart}}}));
}

// --- inspect and reset -----------------------------------------------------------------------

TEST_F(PortalSimTest, InspectShowsCasesEffectsKeysAndTokens) {
  std::string bearer = token();
  ASSERT_EQ(create(bearer, "c1", case_body(kCaseId)).status, 201u);
  ASSERT_EQ(create(bearer, "c2", case_body(kOtherCaseId)).status, 201u);
  value state = portal_state();
  const auto& cases = state.at("businessCases").as_array();
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].at("businessCaseId"), kCaseId);  // in order of creation
  EXPECT_EQ(cases[1].at("businessCaseId"), kOtherCaseId);
  EXPECT_EQ(cases[1].at("status"), "OPEN");
  EXPECT_EQ(cases[1].at("history").as_array().size(), 1u);
  EXPECT_EQ(state.at("effects"), 2);
  EXPECT_EQ(state.at("keys").as_object().size(), 2u);
  EXPECT_EQ(state.at("tokens"), (value{{"issued", 1}, {"active", 1}}));
}

TEST_F(PortalSimTest, ResetForgetsCasesButKeepsTokensValid) {
  std::string bearer = token();
  ASSERT_EQ(create(bearer, "c1", case_body(kCaseId)).status, 201u);
  ASSERT_EQ(call("POST", "/_sim/reset").status, 200u);
  value state = portal_state();
  EXPECT_TRUE(state.at("businessCases").as_array().empty());
  EXPECT_EQ(state.at("effects"), 0);
  EXPECT_TRUE(state.at("keys").as_object().empty());
  // The same key is fresh again, and the old token still works.
  EXPECT_EQ(create(bearer, "c1", case_body(kCaseId)).status, 201u);
  EXPECT_EQ(header(create(bearer, "c1", case_body(kCaseId)), "Idempotent-Replayed"), "true");
}

}  // namespace
}  // namespace portier::sim::testing
