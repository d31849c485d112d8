#include "core/dispatch/retry_policy.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

namespace portier::dispatch {
namespace {

using std::chrono::milliseconds;

config::Retry retry_settings(int64_t initial_ms, int64_t max_ms) {
  config::Retry r;
  r.initial_delay = milliseconds(initial_ms);
  r.max_delay = milliseconds(max_ms);
  return r;
}

TEST(Backoff, EachStepDoublesAndStaysInItsUpperHalf) {
  const config::Retry retry = retry_settings(100, 1'000'000);
  std::mt19937_64 random(42);
  for (uint32_t attempts = 1; attempts <= 10; ++attempts) {
    SCOPED_TRACE(attempts);
    const int64_t step = 100LL << (attempts - 1);
    int64_t lowest = std::numeric_limits<int64_t>::max();
    int64_t highest = 0;
    for (int i = 0; i < 2000; ++i) {
      int64_t d = backoff(attempts, retry, std::nullopt, random).count();
      ASSERT_GE(d, step / 2);
      ASSERT_LE(d, step);
      lowest = std::min(lowest, d);
      highest = std::max(highest, d);
    }
    // Jitter really spreads the delays over the half: not a constant.
    EXPECT_LT(lowest, step / 2 + step / 8);
    EXPECT_GT(highest, step - step / 8);
  }
}

TEST(Backoff, GrowsExponentially) {
  const config::Retry retry = retry_settings(10, 1'000'000);
  std::mt19937_64 random(7);
  auto mean = [&](uint32_t attempts) {
    double sum = 0;
    for (int i = 0; i < 1000; ++i) sum += backoff(attempts, retry, std::nullopt, random).count();
    return sum / 1000;
  };
  double previous = mean(1);
  for (uint32_t attempts = 2; attempts <= 12; ++attempts) {
    double m = mean(attempts);
    EXPECT_NEAR(m / previous, 2.0, 0.15) << "attempts " << attempts;
    previous = m;
  }
}

TEST(Backoff, IsCappedAtMaxDelay) {
  const config::Retry retry = retry_settings(1'000, 60'000);
  std::mt19937_64 random(1);
  for (uint32_t attempts : {7u, 8u, 20u, 64u, 1000u, std::numeric_limits<uint32_t>::max()}) {
    SCOPED_TRACE(attempts);
    for (int i = 0; i < 200; ++i) {
      int64_t d = backoff(attempts, retry, std::nullopt, random).count();
      ASSERT_GE(d, 30'000);
      ASSERT_LE(d, 60'000);
    }
  }
  // Just below the cap: 1000 * 2^5 = 32000.
  for (int i = 0; i < 200; ++i) {
    int64_t d = backoff(6, retry, std::nullopt, random).count();
    ASSERT_GE(d, 16'000);
    ASSERT_LE(d, 32'000);
  }
}

TEST(Backoff, NeverBelowRetryAfter) {
  const config::Retry retry = retry_settings(100, 10'000);
  std::mt19937_64 random(3);
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(backoff(1, retry, milliseconds(5'000), random), milliseconds(5'000));
    // Retry-After beyond max_delay is still honoured: the counterpart asked for it.
    EXPECT_EQ(backoff(30, retry, milliseconds(120'000), random), milliseconds(120'000));
  }
}

TEST(Backoff, ShortRetryAfterDoesNotShortenTheBackoff) {
  const config::Retry retry = retry_settings(1'000, 100'000);
  std::mt19937_64 random(4);
  for (int i = 0; i < 500; ++i) {
    int64_t d = backoff(3, retry, milliseconds(10), random).count();
    ASSERT_GE(d, 2'000);
    ASSERT_LE(d, 4'000);
  }
}

TEST(Backoff, IsDeterministicForASeed) {
  const config::Retry retry = retry_settings(10, 60'000);
  std::mt19937_64 a(2026);
  std::mt19937_64 b(2026);
  std::mt19937_64 c(2027);
  std::vector<int64_t> first, second, other;
  for (uint32_t attempts = 1; attempts <= 40; ++attempts) {
    first.push_back(backoff(attempts, retry, std::nullopt, a).count());
    second.push_back(backoff(attempts, retry, std::nullopt, b).count());
    other.push_back(backoff(attempts, retry, std::nullopt, c).count());
  }
  EXPECT_EQ(first, second);
  EXPECT_NE(first, other);
}

}  // namespace
}  // namespace portier::dispatch
