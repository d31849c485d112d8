#pragma once
// Timers on the injected clock: callbacks due at a time of a `Clock`, fired in due order by one
// thread; or, in tests (Mode::kDriven), by run_due() after a ManualClock was moved, so periodic
// work is tested without real sleeps. A callback runs on the timer thread (or in run_due()) and
// must only post work elsewhere, e.g. to a WorkPool.
//
// The clock is wall time in production: the thread looks again at least once a second, so a
// clock that jumps fires what became due within a second.
//
// Threads: every method from any thread (callbacks may set and cancel timers). The destructor
// stops the thread; timers not fired by then are dropped.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "core/base/clock.h"

namespace portier::runtime {

class Timers {
 public:
  enum class Mode { kThread, kDriven };
  using Id = uint64_t;

  explicit Timers(const Clock& clock, Mode mode = Mode::kThread);
  ~Timers();
  Timers(const Timers&) = delete;
  Timers& operator=(const Timers&) = delete;

  // `fire` runs once the clock reads `due_ms` or later. Never returns 0.
  Id at(int64_t due_ms, std::function<void()> fire);
  Id after(Millis delay, std::function<void()> fire);
  // False if the timer fired already (or is firing) or was cancelled before.
  bool cancel(Id id);

  // Fires every timer due by the clock now, in due order (also those set by a callback if they
  // are due). For Mode::kDriven; returns how many fired.
  size_t run_due();
  const Clock& clock() const { return clock_; }

 private:
  void loop();
  // Takes the earliest timer if it is due; an empty function if none is. mutex_ held.
  std::function<void()> take_due_locked();

  const Clock& clock_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::pair<int64_t, Id>, std::function<void()>> queue_;  // by due time, then order
  std::map<Id, int64_t> due_of_;
  Id next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace portier::runtime
