#include "core/runtime/periodic_task.h"

namespace portier::runtime {

PeriodicTask::PeriodicTask(Timers& timers, WorkPool& pool, Turn turn)
    : timers_(timers), pool_(pool), turn_(std::move(turn)) {}

PeriodicTask::~PeriodicTask() { stop(); }

void PeriodicTask::start(Millis first_delay) {
  std::lock_guard lock(mutex_);
  if (started_ || stopped_) return;
  started_ = true;
  schedule_locked(timers_.clock().now_ms() + first_delay.count());
}

void PeriodicTask::wake() {
  std::lock_guard lock(mutex_);
  if (!started_ || stopped_) return;
  if (turning_) {
    woken_ = true;
    return;
  }
  schedule_locked(timers_.clock().now_ms());
}

void PeriodicTask::stop() {
  std::unique_lock lock(mutex_);
  stopped_ = true;
  if (timer_ != 0) {
    timers_.cancel(timer_);
    timer_ = 0;
  }
  turn_ended_.wait(lock, [this] { return !turning_; });
}

void PeriodicTask::schedule_locked(int64_t due_ms) {
  if (timer_ != 0) {
    if (timer_due_ms_ <= due_ms) return;  // the timer set already comes first
    if (!timers_.cancel(timer_)) return;  // it is firing now: that turn comes first
  }
  timer_due_ms_ = due_ms;
  timer_ = timers_.at(due_ms, [this] { fire(); });
}

void PeriodicTask::fire() {
  std::lock_guard lock(mutex_);
  timer_ = 0;
  if (stopped_) return;
  if (turning_) {  // a wake() raced with the turn's own scheduling: one more turn after it
    woken_ = true;
    return;
  }
  turning_ = true;
  pool_.post([this] { run(); });
}

void PeriodicTask::run() {
  Millis delay = turn_();
  std::lock_guard lock(mutex_);
  turning_ = false;
  if (!stopped_) {
    const int64_t now = timers_.clock().now_ms();
    schedule_locked(woken_ ? now : now + delay.count());
    woken_ = false;
  }
  turn_ended_.notify_all();
}

}  // namespace portier::runtime
