#include "core/runtime/periodic_task.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace portier::runtime {
namespace {

// Drives the timers from a ManualClock; the turns run on a real pool of one thread, so each step
// waits for the turn it started to end (turns are counted under `ended`).
struct Driven {
  ManualClock clock;
  Timers timers{clock, Timers::Mode::kDriven};
  WorkPool pool{1};
  std::mutex mutex;
  std::condition_variable changed;
  int ended = 0;

  PeriodicTask::Turn counting(std::function<Millis()> body) {
    return [this, body] {
      Millis next = body();
      std::lock_guard lock(mutex);
      ++ended;
      changed.notify_all();
      return next;
    };
  }
  // Fires what is due until `turns` turns have ended in all (a turn that just ended may set
  // its next timer a moment later, so firing is repeated; the clock does not move).
  void run_until(int turns) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      timers.run_due();
      std::unique_lock lock(mutex);
      if (changed.wait_for(lock, Millis(5), [&] { return ended >= turns; })) {
        lock.unlock();
        // One pool thread: a job after the turn's runs once the turn has set its next timer.
        std::promise<void> behind;
        pool.post([&behind] { behind.set_value(); });
        behind.get_future().wait();
        return;
      }
    }
    FAIL() << "only " << ended << " of " << turns << " turns ended";
  }
};

TEST(PeriodicTask, TurnsComeAfterTheDelayEachTurnReturns) {
  Driven d;
  std::atomic<int> turns{0};
  PeriodicTask task(d.timers, d.pool, d.counting([&] {
    return Millis(++turns == 1 ? 1000 : 5000);  // e.g. a poller backing off
  }));
  task.start();
  d.run_until(1);
  d.clock.advance(Millis(999));
  EXPECT_EQ(d.timers.run_due(), 0u);
  d.clock.advance(Millis(1));
  d.run_until(2);
  d.clock.advance(Millis(4999));
  EXPECT_EQ(d.timers.run_due(), 0u);
  d.clock.advance(Millis(1));
  d.run_until(3);
  task.stop();
  EXPECT_EQ(turns.load(), 3);
}

TEST(PeriodicTask, WakeRunsATurnNowAndAfterARunningOne) {
  Driven d;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> turns{0};
  PeriodicTask task(d.timers, d.pool, d.counting([&] {
    if (++turns == 2) released.wait();  // the second turn is still running when woken
    return Millis(60'000);
  }));
  task.start();
  d.run_until(1);
  task.wake();  // no turn running: one now
  d.timers.run_due();
  task.wake();  // the second turn is running: one more right after it
  release.set_value();
  d.run_until(2);
  d.run_until(3);
  EXPECT_EQ(turns.load(), 3);
  task.stop();
}

TEST(PeriodicTask, NoTurnStartsAfterStop) {
  Driven d;
  std::atomic<int> turns{0};
  PeriodicTask task(d.timers, d.pool, d.counting([&] {
    ++turns;
    return Millis(10);
  }));
  task.start();
  d.run_until(1);
  task.stop();
  task.wake();
  d.clock.advance(Millis(1000));
  EXPECT_EQ(d.timers.run_due(), 0u);
  d.pool.stop();
  EXPECT_EQ(turns.load(), 1);
}

}  // namespace
}  // namespace portier::runtime
