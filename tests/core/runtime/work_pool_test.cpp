#include "core/runtime/work_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <vector>

namespace portier::runtime {
namespace {

using namespace std::chrono_literals;

TEST(WorkPool, SideBySideRunsEveryJobOnce) {
  WorkPool pool(3);
  std::vector<std::atomic<int>> runs(100);
  pool.side_by_side(runs.size(), 4, [&](size_t i) { ++runs[i]; });
  for (auto& r : runs) EXPECT_EQ(r.load(), 1);
}

TEST(WorkPool, SideBySideFromEveryPoolThreadAtOnceDoesNotDeadlock) {
  // Each pool thread fans out while no thread is free to help: the callers do the work.
  WorkPool pool(2);
  std::atomic<int> done{0};
  std::promise<void> both_inside;
  std::atomic<int> inside{0};
  std::shared_future<void> gate = both_inside.get_future().share();
  std::vector<std::future<void>> finished;
  for (int t = 0; t < 2; ++t) {
    auto finished_one = std::make_shared<std::promise<void>>();
    finished.push_back(finished_one->get_future());
    pool.post([&, finished_one] {
      if (++inside == 2) both_inside.set_value();
      gate.wait();
      pool.side_by_side(10, 4, [&](size_t) { ++done; });
      finished_one->set_value();
    });
  }
  for (auto& f : finished) {
    ASSERT_EQ(f.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  }
  EXPECT_EQ(done.load(), 20);
}

TEST(WorkPool, HelpersGoBeforeJobsQueuedEarlier) {
  // A poller fans a page out while deliveries wait in the queue: its helpers must not wait for
  // them (the caller is blocked until its batch is done).
  WorkPool pool(1);
  std::promise<void> open_gate;
  pool.post([gate = open_gate.get_future().share()] { gate.wait(); });  // the only thread, busy
  std::atomic<bool> queued_job_ran{false};
  pool.post([&] { queued_job_ran = true; });
  std::promise<void> helped;
  bool queued_job_ran_before_helper = true;
  bool caller_saw_help = false;
  pool.side_by_side(2, 2, [&](size_t i) {
    if (i == 0) {  // the caller's share: free the pool thread, then wait for the helper
      open_gate.set_value();
      caller_saw_help = helped.get_future().wait_for(30s) == std::future_status::ready;
    } else {
      queued_job_ran_before_helper = queued_job_ran;
      helped.set_value();
    }
  });
  EXPECT_TRUE(caller_saw_help);
  EXPECT_FALSE(queued_job_ran_before_helper);
}

TEST(WorkPool, StopLetsQueuedJobsFinish) {
  std::atomic<int> ran{0};
  {
    WorkPool pool(1);
    for (int i = 0; i < 50; ++i) pool.post([&] { ++ran; });
    pool.stop();
  }
  EXPECT_EQ(ran.load(), 50);
}

}  // namespace
}  // namespace portier::runtime
