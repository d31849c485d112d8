#include "adapters/rest/problem_reply.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace portier::rest_adapter {
namespace {

TEST(ProblemReply, MapsEveryKindOfErrorToItsStatus) {
  struct Row {
    Status status;
    bool authentication;
    unsigned http;
  };
  const Row table[] = {
      {invalid_argument("x"), false, 400},     {failed_precondition("x"), false, 422},
      {not_found("x"), false, 404},            {Status(StatusCode::kAlreadyExists, "x"), false, 409},
      {permission_denied("x"), false, 403},    {permission_denied("x"), true, 401},
      {unavailable("x"), false, 503},          {Status(StatusCode::kDeadlineExceeded, "x"), false, 503},
      {internal_error("secret cause"), false, 500},
  };
  for (const Row& row : table) {
    EXPECT_EQ(http_status_of(row.status, row.authentication), row.http) << row.status.to_string();
    http::Response r = problem_reply({row.status, "", "", "trace-1", {}, row.authentication});
    EXPECT_EQ(r.status, row.http);
    EXPECT_EQ(r.content_type, "application/problem+json");
    auto body = boost::json::parse(r.body).as_object();
    EXPECT_EQ(body.at("status").as_int64(), row.http);
    EXPECT_EQ(body.at("traceId").as_string(), "trace-1");
    EXPECT_EQ(r.body.find("secret cause"), std::string::npos);
  }
}

TEST(ProblemReply, NamesTheFieldAndAddsRetryAfterAndWwwAuthenticate) {
  http::Response r = problem_reply({invalid_argument("bad vn"), "person.vn", "", "t"});
  auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body.at("field").as_string(), "person.vn");
  EXPECT_EQ(body.at("invalid-params").as_array()[0].as_object().at("name").as_string(), "person.vn");
  http::Response busy = problem_reply({unavailable("x"), "", "", "t", std::chrono::seconds(9)});
  ASSERT_EQ(busy.headers.size(), 1u);
  EXPECT_EQ(busy.headers[0], std::make_pair(std::string("Retry-After"), std::string("9")));
  http::Response who = problem_reply({permission_denied("x"), "", "", "t", {}, true});
  EXPECT_EQ(who.headers[0].first, "WWW-Authenticate");
}

}  // namespace
}  // namespace portier::rest_adapter
