#include "tests/sim/delayed_replies.h"

#include <utility>

namespace portier::sim {

DelayedReplies::DelayedReplies() : thread_([this] { run(); }) {}

DelayedReplies::~DelayedReplies() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void DelayedReplies::schedule(std::chrono::milliseconds delay, http::Respond respond,
                              http::Response response) {
  {
    std::lock_guard lock(mutex_);
    queue_.push(Item{std::chrono::steady_clock::now() + delay, next_order_++, std::move(respond),
                     std::move(response)});
  }
  wake_.notify_all();
}

size_t DelayedReplies::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void DelayedReplies::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_) return;
      wake_.wait(lock);
      continue;
    }
    if (!stopping_ && queue_.top().due > std::chrono::steady_clock::now()) {
      wake_.wait_until(lock, queue_.top().due);
      continue;
    }
    // priority_queue::top() is const; the item is popped right after, so moving out is safe.
    Item item = std::move(const_cast<Item&>(queue_.top()));
    queue_.pop();
    lock.unlock();  // never call out while holding the lock
    item.respond(std::move(item.response));
    lock.lock();
  }
}

}  // namespace portier::sim
