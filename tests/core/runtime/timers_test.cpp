#include "core/runtime/timers.h"

#include <gtest/gtest.h>

#include <vector>

namespace portier::runtime {
namespace {

TEST(Timers, FireInDueOrderOnceTheClockReachesThem) {
  ManualClock clock;
  Timers timers(clock, Timers::Mode::kDriven);
  std::vector<int> fired;
  timers.after(Millis(300), [&] { fired.push_back(3); });
  timers.after(Millis(100), [&] { fired.push_back(1); });
  timers.after(Millis(200), [&] { fired.push_back(2); });
  EXPECT_EQ(timers.run_due(), 0u);
  clock.advance(Millis(200));
  EXPECT_EQ(timers.run_due(), 2u);
  EXPECT_EQ(fired, (std::vector<int>{1, 2}));
  clock.advance(Millis(100));
  timers.run_due();
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 3}));
}

TEST(Timers, ACancelledTimerNeverFires) {
  ManualClock clock;
  Timers timers(clock, Timers::Mode::kDriven);
  bool fired = false;
  Timers::Id id = timers.after(Millis(10), [&] { fired = true; });
  EXPECT_TRUE(timers.cancel(id));
  EXPECT_FALSE(timers.cancel(id));
  clock.advance(Millis(10));
  EXPECT_EQ(timers.run_due(), 0u);
  EXPECT_FALSE(fired);
}

TEST(Timers, ACallbackMaySetATimerThatIsDueAlready) {
  ManualClock clock;
  Timers timers(clock, Timers::Mode::kDriven);
  int fired = 0;
  timers.after(Millis(0), [&] {
    ++fired;
    timers.after(Millis(0), [&] { ++fired; });
  });
  EXPECT_EQ(timers.run_due(), 2u);
  EXPECT_EQ(fired, 2);
}

TEST(Timers, TheThreadFiresOnTheSystemClock) {
  SystemClock clock;
  Timers timers(clock);
  std::mutex mutex;
  std::condition_variable cv;
  bool fired = false;
  timers.after(Millis(5), [&] {
    std::lock_guard lock(mutex);
    fired = true;
    cv.notify_all();
  });
  std::unique_lock lock(mutex);
  EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return fired; }));
}

}  // namespace
}  // namespace portier::runtime
