#include "adapters/http/router.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <optional>
#include <string>

namespace portier::http {
namespace {

namespace json = boost::json;

Request request(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  return r;
}

// Routes and returns the (synchronous) response.
Response route(const Router& router, Request r) {
  std::optional<Response> out;
  router.route(std::move(r), [&out](Response response) { out = std::move(response); });
  EXPECT_TRUE(out.has_value()) << "respond was not called";
  return out.value_or(Response{});
}

// A handler that answers with its own name, so the test sees which one was chosen.
std::function<void(Request, Respond)> named(std::string name) {
  return [name](Request r, Respond respond) {
    respond(Response::text(200, name + " " + r.method + " " + r.path));
  };
}

json::object problem_body(const Response& r) {
  EXPECT_EQ(r.content_type, "application/problem+json");
  json::error_code ec;
  json::value v = json::parse(r.body, ec);
  EXPECT_FALSE(ec) << r.body;
  if (ec || !v.is_object()) return {};
  return v.as_object();
}

TEST(Router, ExactRouteMatchesOnlyItsPath) {
  Router router;
  router.add("GET", "/health", named("health"));
  EXPECT_EQ(route(router, request("GET", "/health")).body, "health GET /health");
  EXPECT_EQ(route(router, request("GET", "/health/more")).status, 404u);
  EXPECT_EQ(route(router, request("GET", "/healthz")).status, 404u);
  EXPECT_EQ(route(router, request("GET", "/")).status, 404u);
}

TEST(Router, PrefixRouteMatchesEverythingBelowIt) {
  Router router;
  router.add("PATCH", "/api/v9/businesscases/", named("cases"));
  EXPECT_EQ(route(router, request("PATCH", "/api/v9/businesscases/abc")).body,
            "cases PATCH /api/v9/businesscases/abc");
  EXPECT_EQ(route(router, request("PATCH", "/api/v9/businesscases/a/b")).status, 200u);
  EXPECT_EQ(route(router, request("PATCH", "/api/v9/businesscases")).status, 404u);
  EXPECT_EQ(route(router, request("PATCH", "/api/v9/other/abc")).status, 404u);
}

TEST(Router, EmptyMethodMatchesEveryMethod) {
  Router router;
  router.add("", "/soap/v1", named("soap"));
  for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
    SCOPED_TRACE(method);
    Response r = route(router, request(method, "/soap/v1"));
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, std::string("soap ") + method + " /soap/v1");
  }
}

TEST(Router, SamePathDifferentMethodsGoToTheirHandlers) {
  Router router;
  router.add("GET", "/items", named("list"));
  router.add("POST", "/items", named("create"));
  EXPECT_EQ(route(router, request("GET", "/items")).body, "list GET /items");
  EXPECT_EQ(route(router, request("POST", "/items")).body, "create POST /items");
}

TEST(Router, FirstMatchingRouteWins) {
  Router router;
  router.add("GET", "/a/special", named("special"));
  router.add("GET", "/a/", named("prefix"));
  EXPECT_EQ(route(router, request("GET", "/a/special")).body, "special GET /a/special");
  EXPECT_EQ(route(router, request("GET", "/a/other")).body, "prefix GET /a/other");
}

TEST(Router, KnownPathWithWrongMethodIs405ProblemJson) {
  Router router;
  router.add("POST", "/soap/v1", named("soap"));
  router.add("GET", "/metrics", named("metrics"));
  Response r = route(router, request("DELETE", "/soap/v1"));
  EXPECT_EQ(r.status, 405u);
  json::object body = problem_body(r);
  EXPECT_EQ(body["status"], 405);
  EXPECT_EQ(body["title"], "Method Not Allowed");
  ASSERT_TRUE(body["detail"].is_string());
  EXPECT_NE(std::string(body["detail"].as_string()).find("DELETE"), std::string::npos);
}

TEST(Router, MethodNotAllowedNamesTheAllowedMethods) {
  // RFC 9110, 15.5.6: a 405 response MUST carry an Allow header with the methods served there.
  Router router;
  router.add("GET", "/items", named("list"));
  router.add("POST", "/items", named("create"));
  Response r = route(router, request("DELETE", "/items"));
  ASSERT_EQ(r.status, 405u);
  std::string allow;
  for (const auto& [name, value] : r.headers) {
    if (name == "Allow") allow = value;
  }
  EXPECT_NE(allow.find("GET"), std::string::npos) << "Allow: " << allow;
  EXPECT_NE(allow.find("POST"), std::string::npos) << "Allow: " << allow;
  EXPECT_EQ(allow.find("DELETE"), std::string::npos) << "Allow: " << allow;
}

TEST(Router, MethodNotAllowedUnderAPrefixIs405) {
  Router router;
  router.add("PATCH", "/api/v9/businesscases/", named("cases"));
  EXPECT_EQ(route(router, request("GET", "/api/v9/businesscases/abc")).status, 405u);
}

TEST(Router, UnknownPathIs404ProblemJson) {
  Router router;
  router.add("GET", "/health", named("health"));
  Response r = route(router, request("GET", "/nowhere"));
  EXPECT_EQ(r.status, 404u);
  json::object body = problem_body(r);
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["title"], "Not Found");
  EXPECT_EQ(body["type"], "about:blank");
}

TEST(Router, EmptyRouterAnswers404) {
  Router router;
  EXPECT_EQ(route(router, request("GET", "/")).status, 404u);
}

TEST(Router, MethodsAreCaseSensitive) {
  // RFC 9110: method names are case-sensitive; "get" is not GET.
  Router router;
  router.add("GET", "/health", named("health"));
  EXPECT_EQ(route(router, request("get", "/health")).status, 405u);
}

TEST(Router, HandlerReceivesTheWholeRequest) {
  Router router;
  std::optional<Request> seen;
  router.add("POST", "/in", [&seen](Request r, Respond respond) {
    seen = r;
    respond(Response::text(202, ""));
  });
  Request r = request("POST", "/in");
  r.body = "payload";
  r.headers["Content-Type"] = "text/xml";
  r.correlation_id = "corr-1";
  EXPECT_EQ(route(router, std::move(r)).status, 202u);
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->body, "payload");
  EXPECT_EQ(seen->header("content-type"), "text/xml");  // header names are case-insensitive
  EXPECT_EQ(seen->correlation_id, "corr-1");
}

TEST(Router, DefaultRefusalIsProblemJson) {
  Router router;
  router.add("POST", "/api/", named("api"));
  Response r = router.refuse(request("POST", "/api/x"), 413, "Payload Too Large",
                             "the body is larger than 1048576 bytes");
  EXPECT_EQ(r.status, 413u);
  json::object body = problem_body(r);
  EXPECT_EQ(body["status"], 413);
  EXPECT_EQ(body["title"], "Payload Too Large");
  EXPECT_EQ(body["detail"], "the body is larger than 1048576 bytes");
}

TEST(Router, RefusalPerPrefixIsUsedBelowItsPrefixOnly) {
  Router router;
  router.on_refusal("/soap/", [](const Request& partial, unsigned status, const std::string& title,
                                 const std::string& detail) {
    Response r;
    r.status = status;
    r.content_type = "text/xml; charset=utf-8";
    r.body = "<Fault>" + title + "|" + detail + "|" + partial.path + "</Fault>";
    return r;
  });
  Response soap = router.refuse(request("POST", "/soap/v1"), 413, "Payload Too Large", "big");
  EXPECT_EQ(soap.status, 413u);
  EXPECT_EQ(soap.content_type, "text/xml; charset=utf-8");
  EXPECT_EQ(soap.body, "<Fault>Payload Too Large|big|/soap/v1</Fault>");

  Response other = router.refuse(request("POST", "/api/v1"), 431, "Headers Too Large", "");
  EXPECT_EQ(other.status, 431u);
  json::object body = problem_body(other);
  EXPECT_EQ(body["status"], 431);
  EXPECT_EQ(body["title"], "Headers Too Large");
  EXPECT_FALSE(body.contains("detail"));  // an empty detail is left out
}

TEST(Router, EachPrefixHasItsOwnRefusal) {
  Router router;
  auto tagged = [](std::string tag) {
    return [tag](const Request&, unsigned status, const std::string&, const std::string&) {
      return Response::text(status, tag);
    };
  };
  router.on_refusal("/soap/", tagged("soap"));
  router.on_refusal("/rc/", tagged("rc"));
  EXPECT_EQ(router.refuse(request("POST", "/soap/v1"), 400, "Bad Request", "").body, "soap");
  EXPECT_EQ(router.refuse(request("POST", "/rc/upload"), 400, "Bad Request", "").body, "rc");
  EXPECT_EQ(router.refuse(request("POST", "/other"), 400, "Bad Request", "").content_type,
            "application/problem+json");
}

TEST(Problem, IsRfc7807) {
  Response r = problem(503, "Service Unavailable", "journal stopped");
  EXPECT_EQ(r.status, 503u);
  json::object body = problem_body(r);
  EXPECT_EQ(body["type"], "about:blank");
  EXPECT_EQ(body["title"], "Service Unavailable");
  EXPECT_EQ(body["status"], 503);
  EXPECT_EQ(body["detail"], "journal stopped");
}

TEST(Problem, EscapesItsTextAsJson) {
  Response r = problem(400, "Bad \"Request\"", "line1\nline2 \\ </script>");
  json::object body = problem_body(r);
  EXPECT_EQ(body["title"], "Bad \"Request\"");
  EXPECT_EQ(body["detail"], "line1\nline2 \\ </script>");
}

}  // namespace
}  // namespace portier::http
