#include "core/base/rate_limit.h"

#include <gtest/gtest.h>

namespace portier {
namespace {

TEST(RateLimiter, AdmitsUpToTheLimitWithinAMinuteThenRefuses) {
  RateLimiter limiter;
  const int64_t t = 1'700'000'000'000;  // some moment in a minute
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.admit("steueramt", 3, t + i));
  EXPECT_FALSE(limiter.admit("steueramt", 3, t + 10));
}

TEST(RateLimiter, KeysAreCountedApart) {
  RateLimiter limiter;
  const int64_t t = 1'700'000'000'000;
  EXPECT_TRUE(limiter.admit("steueramt", 1, t));
  EXPECT_FALSE(limiter.admit("steueramt", 1, t));
  EXPECT_TRUE(limiter.admit("mfk", 1, t));
}

TEST(RateLimiter, ANewMinuteStartsAfresh) {
  RateLimiter limiter;
  const int64_t minute = 60'000;
  const int64_t t = 28'333'333 * minute;
  EXPECT_TRUE(limiter.admit("d", 1, t));
  EXPECT_FALSE(limiter.admit("d", 1, t + minute - 1));
  EXPECT_TRUE(limiter.admit("d", 1, t + minute));
}

}  // namespace
}  // namespace portier
