#include "core/base/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace portier {
namespace {

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.to_string(), "OK");
  EXPECT_TRUE(Status::ok().is_ok());
  EXPECT_FALSE(s.is_retryable());
}

TEST(Status, CarriesCodeAndMessage) {
  Status s = not_found("no such case");
  EXPECT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no such case");
  EXPECT_EQ(s.to_string(), "NOT_FOUND: no such case");
}

TEST(Status, HelpersSetTheirCodes) {
  EXPECT_EQ(invalid_argument("x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(unavailable("x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(internal_error("x").code(), StatusCode::kInternal);
  EXPECT_EQ(permission_denied("x").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(failed_precondition("x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(data_loss("x").code(), StatusCode::kDataLoss);
}

TEST(Status, OnlyTransientCodesAreRetryable) {
  const std::pair<StatusCode, bool> table[] = {
      {StatusCode::kOk, false},
      {StatusCode::kInvalidArgument, false},
      {StatusCode::kNotFound, false},
      {StatusCode::kAlreadyExists, false},
      {StatusCode::kPermissionDenied, false},
      {StatusCode::kFailedPrecondition, false},
      {StatusCode::kResourceExhausted, true},
      {StatusCode::kUnavailable, true},
      {StatusCode::kDeadlineExceeded, true},
      {StatusCode::kDataLoss, false},
      {StatusCode::kInternal, false},
  };
  for (const auto& [code, retryable] : table) {
    SCOPED_TRACE(to_string(code));
    EXPECT_EQ(Status(code, "m").is_retryable(), retryable);
  }
}

TEST(Status, EveryCodeHasAName) {
  EXPECT_STREQ(to_string(StatusCode::kOk), "OK");
  EXPECT_STREQ(to_string(StatusCode::kInvalidArgument), "INVALID_ARGUMENT");
  EXPECT_STREQ(to_string(StatusCode::kAlreadyExists), "ALREADY_EXISTS");
  EXPECT_STREQ(to_string(StatusCode::kResourceExhausted), "RESOURCE_EXHAUSTED");
  EXPECT_STREQ(to_string(StatusCode::kDeadlineExceeded), "DEADLINE_EXCEEDED");
  EXPECT_STREQ(to_string(StatusCode::kDataLoss), "DATA_LOSS");
  EXPECT_STREQ(to_string(StatusCode::kInternal), "INTERNAL");
}

TEST(Result, HoldsAValue) {
  Result<std::string> r = std::string("answer");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, "answer");
  EXPECT_EQ(r->size(), 6u);
  EXPECT_EQ(r.value(), "answer");
  EXPECT_TRUE(r.status().is_ok());
  r.value() += "!";
  EXPECT_EQ(*r, "answer!");
}

TEST(Result, HoldsAnError) {
  Result<int> r = unavailable("journal stopped");
  EXPECT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message(), "journal stopped");
  EXPECT_TRUE(r.status().is_retryable());
}

TEST(Result, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.is_ok());
  std::unique_ptr<int> taken = std::move(r.value());
  EXPECT_EQ(*taken, 7);
}

// Misuse that the compiler cannot refuse stops the process with a message, in release builds
// too (assert() would be compiled out under NDEBUG).
TEST(ResultDeathTest, MadeFromAnOkStatusIsAContractViolation) {
  EXPECT_DEATH(
      {
        Result<int> r = Status::ok();
        r.ignore();
      },
      "Result made from an ok Status");
}

TEST(ResultDeathTest, ValueOfAnErrorIsAContractViolation) {
  Result<std::string> r = not_found("no such case");
  EXPECT_DEATH(r->size(), "holds an error: NOT_FOUND: no such case");
  EXPECT_DEATH(*r, "holds an error");
  EXPECT_DEATH(r.value(), "holds an error");
  const Result<std::string>& c = r;
  EXPECT_DEATH(*c, "holds an error");
}

}  // namespace
}  // namespace portier
