#include "core/runtime/work_pool.h"

#include <algorithm>
#include <atomic>
#include <memory>

namespace portier::runtime {

WorkPool::WorkPool(unsigned threads) {
  const unsigned count = std::max(1u, threads);
  threads_.reserve(count);
  for (unsigned t = 0; t < count; ++t) threads_.emplace_back([this] { work(); });
}

WorkPool::~WorkPool() { stop(); }

void WorkPool::post(std::function<void()> job) { enqueue(std::move(job), Place::kBack); }

void WorkPool::enqueue(std::function<void()> job, Place place) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (place == Place::kFront) {
      jobs_.push_front(std::move(job));
    } else {
      jobs_.push_back(std::move(job));
    }
  }
  wake_.notify_one();
}

void WorkPool::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and everything queued has run
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

void WorkPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void WorkPool::side_by_side(size_t count, size_t parallel, const std::function<void(size_t)>& job) {
  // Shared with the helpers, which may start after the caller returned (and find nothing).
  struct Batch {
    explicit Batch(const std::function<void(size_t)>& j, size_t n) : job(j), count(n) {}
    std::function<void(size_t)> job;
    size_t count;
    std::atomic<size_t> next{0};
    std::mutex mutex;
    std::condition_variable all_done;
    size_t done = 0;  // guarded by mutex

    void work() {
      for (size_t i = next++; i < count; i = next++) {
        job(i);
        std::lock_guard lock(mutex);
        if (++done == count) all_done.notify_all();
      }
    }
  };
  if (count == 0) return;
  auto batch = std::make_shared<Batch>(job, count);
  const size_t helpers = std::min(count, std::max<size_t>(parallel, 1)) - 1;
  for (size_t h = 0; h < helpers; ++h) enqueue([batch] { batch->work(); }, Place::kFront);
  batch->work();
  // Whatever is not done yet is being run by a helper that started: it will finish.
  std::unique_lock lock(batch->mutex);
  batch->all_done.wait(lock, [&] { return batch->done == batch->count; });
}

}  // namespace portier::runtime
