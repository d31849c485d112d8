#include "core/runtime/timers.h"

#include <algorithm>

namespace portier::runtime {
namespace {

// The longest the thread sleeps before reading the clock again.
constexpr int64_t kLookAgainMs = 1000;

}  // namespace

Timers::Timers(const Clock& clock, Mode mode) : clock_(clock) {
  if (mode == Mode::kThread) thread_ = std::thread([this] { loop(); });
}

Timers::~Timers() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Timers::Id Timers::at(int64_t due_ms, std::function<void()> fire) {
  Id id;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    queue_.emplace(std::make_pair(due_ms, id), std::move(fire));
    due_of_.emplace(id, due_ms);
  }
  changed_.notify_all();
  return id;
}

Timers::Id Timers::after(Millis delay, std::function<void()> fire) {
  return at(clock_.now_ms() + delay.count(), std::move(fire));
}

bool Timers::cancel(Id id) {
  std::lock_guard lock(mutex_);
  auto due = due_of_.find(id);
  if (due == due_of_.end()) return false;
  queue_.erase({due->second, id});
  due_of_.erase(due);
  return true;
}

std::function<void()> Timers::take_due_locked() {
  if (queue_.empty() || queue_.begin()->first.first > clock_.now_ms()) return {};
  auto first = queue_.begin();
  std::function<void()> fire = std::move(first->second);
  due_of_.erase(first->first.second);
  queue_.erase(first);
  return fire;
}

size_t Timers::run_due() {
  size_t fired = 0;
  std::unique_lock lock(mutex_);
  while (std::function<void()> fire = take_due_locked()) {
    lock.unlock();
    fire();
    ++fired;
    lock.lock();
  }
  return fired;
}

void Timers::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (std::function<void()> fire = take_due_locked()) {
      lock.unlock();
      fire();
      lock.lock();
      continue;
    }
    const int64_t wait =
        queue_.empty()
            ? kLookAgainMs
            : std::clamp<int64_t>(queue_.begin()->first.first - clock_.now_ms(), 1, kLookAgainMs);
    changed_.wait_for(lock, std::chrono::milliseconds(wait));
  }
}

}  // namespace portier::runtime
