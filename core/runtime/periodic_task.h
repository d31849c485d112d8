#pragma once
// A turn of periodic work (a poller's round, the dispatcher's scheduling, the mapping watcher)
// run on the work pool, never two turns at once, again after the delay the turn returns (a
// poller backs off by returning longer delays while its counterpart fails). wake() asks for a
// turn now: at once if none is running, else right after the running one.
//
// Threads: every method from any thread, except stop() and the destructor, which wait for a
// running turn and so must not be called from the turn itself.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>

#include "core/base/clock.h"
#include "core/runtime/timers.h"
#include "core/runtime/work_pool.h"

namespace portier::runtime {

class PeriodicTask {
 public:
  // Returns the delay before the next turn.
  using Turn = std::function<Millis()>;

  PeriodicTask(Timers& timers, WorkPool& pool, Turn turn);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void start(Millis first_delay = Millis(0));
  void wake();
  // No turn starts once it returns; a running one is waited for.
  void stop();

 private:
  void schedule_locked(int64_t due_ms);
  void fire();  // timer thread
  void run();   // pool thread

  Timers& timers_;
  WorkPool& pool_;
  const Turn turn_;

  std::mutex mutex_;
  std::condition_variable turn_ended_;
  bool started_ = false;
  bool stopped_ = false;
  bool turning_ = false;  // a turn is queued on the pool or running
  bool woken_ = false;    // wake() while turning: another turn right after
  Timers::Id timer_ = 0;  // 0: none set
  int64_t timer_due_ms_ = 0;
};

}  // namespace portier::runtime
