#include "core/dispatch/circuit_breaker.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace portier::dispatch {
namespace {

using State = CircuitBreaker::State;
constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kOpenFor = 30'000;

config::CircuitBreaker settings(uint32_t threshold = 3) {
  config::CircuitBreaker s;
  s.failure_threshold = threshold;
  s.open_for = std::chrono::milliseconds(kOpenFor);
  return s;
}

TEST(CircuitBreaker, ClosedAdmitsUpToTheConcurrencyLimit) {
  CircuitBreaker b(settings());
  EXPECT_EQ(b.state(kT0), State::kClosed);
  EXPECT_EQ(b.admissible(kT0, 0, 4), 4u);
  EXPECT_EQ(b.admissible(kT0, 1, 4), 3u);
  EXPECT_EQ(b.admissible(kT0, 3, 4), 1u);
  EXPECT_EQ(b.admissible(kT0, 4, 4), 0u);
  EXPECT_EQ(b.admissible(kT0, 6, 4), 0u);  // more in flight than allowed (limit lowered)
  EXPECT_EQ(b.admissible(kT0, 0, 1), 1u);
}

TEST(CircuitBreaker, OpensAfterThresholdConsecutiveFailures) {
  CircuitBreaker b(settings(3));
  b.on_failure(kT0);
  b.on_failure(kT0 + 1);
  EXPECT_EQ(b.state(kT0 + 2), State::kClosed);
  EXPECT_EQ(b.admissible(kT0 + 2, 0, 4), 4u);
  b.on_failure(kT0 + 2);
  EXPECT_EQ(b.state(kT0 + 2), State::kOpen);
}

TEST(CircuitBreaker, SuccessResetsTheFailureCount) {
  CircuitBreaker b(settings(3));
  b.on_failure(kT0);
  b.on_failure(kT0);
  b.on_success();
  b.on_failure(kT0);
  b.on_failure(kT0);
  EXPECT_EQ(b.state(kT0), State::kClosed);
  b.on_failure(kT0);
  EXPECT_EQ(b.state(kT0), State::kOpen);
}

TEST(CircuitBreaker, OpenAdmitsNothingUntilOpenForHasPassed) {
  CircuitBreaker b(settings(1));
  b.on_failure(kT0);
  for (int64_t t : {kT0, kT0 + 1, kT0 + kOpenFor / 2, kT0 + kOpenFor - 1}) {
    SCOPED_TRACE(t - kT0);
    EXPECT_EQ(b.state(t), State::kOpen);
    EXPECT_EQ(b.admissible(t, 0, 4), 0u);
  }
}

TEST(CircuitBreaker, HalfOpenAfterOpenForAdmitsExactlyOneTrial) {
  CircuitBreaker b(settings(1));
  b.on_failure(kT0);
  const int64_t t = kT0 + kOpenFor;
  EXPECT_EQ(b.state(t), State::kHalfOpen);
  EXPECT_EQ(b.admissible(t, 0, 4), 1u);
  // While the trial is in flight, nothing else.
  EXPECT_EQ(b.admissible(t, 1, 4), 0u);
  EXPECT_EQ(b.admissible(t + 60'000, 1, 4), 0u);
  EXPECT_EQ(b.state(t + 60'000), State::kHalfOpen);
}

TEST(CircuitBreaker, TrialSuccessCloses) {
  CircuitBreaker b(settings(1));
  b.on_failure(kT0);
  const int64_t t = kT0 + kOpenFor;
  ASSERT_EQ(b.admissible(t, 0, 4), 1u);
  b.on_success();
  EXPECT_EQ(b.state(t), State::kClosed);
  EXPECT_EQ(b.admissible(t, 0, 4), 4u);
}

TEST(CircuitBreaker, TrialFailureReopensForAnotherOpenFor) {
  CircuitBreaker b(settings(5));
  for (int i = 0; i < 5; ++i) b.on_failure(kT0);
  ASSERT_EQ(b.state(kT0), State::kOpen);
  const int64_t t = kT0 + kOpenFor;
  ASSERT_EQ(b.admissible(t, 0, 4), 1u);
  b.on_failure(t + 10);  // one failure is enough in half-open, whatever the threshold
  EXPECT_EQ(b.state(t + 10), State::kOpen);
  EXPECT_EQ(b.admissible(t + 10, 0, 4), 0u);
  EXPECT_EQ(b.admissible(t + 10 + kOpenFor - 1, 0, 4), 0u);
  EXPECT_EQ(b.state(t + 10 + kOpenFor), State::kHalfOpen);
  EXPECT_EQ(b.admissible(t + 10 + kOpenFor, 0, 4), 1u);
}

TEST(CircuitBreaker, AfterClosingItNeedsThresholdFailuresAgain) {
  CircuitBreaker b(settings(2));
  b.on_failure(kT0);
  b.on_failure(kT0);
  const int64_t t = kT0 + kOpenFor;
  ASSERT_EQ(b.state(t), State::kHalfOpen);
  b.on_success();
  b.on_failure(t);
  EXPECT_EQ(b.state(t), State::kClosed);
  b.on_failure(t);
  EXPECT_EQ(b.state(t), State::kOpen);
}

TEST(CircuitBreaker, ConcurrentFailuresOpenIt) {
  CircuitBreaker b(settings(1000));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&b] {
      for (int i = 0; i < 250; ++i) {
        b.on_failure(kT0);
        b.admissible(kT0, 0, 4);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(b.state(kT0), State::kOpen);
}

}  // namespace
}  // namespace portier::dispatch
