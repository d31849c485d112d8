#include "core/runtime/work_pool.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace portier::runtime {

WorkPool::WorkPool(unsigned threads) : threads_(std::max(1u, threads)), pool_(threads_) {}

WorkPool::~WorkPool() { stop(); }

void WorkPool::post(std::function<void()> job) { boost::asio::post(pool_, std::move(job)); }

void WorkPool::stop() { pool_.join(); }

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
  for (size_t h = 0; h < helpers; ++h) post([batch] { batch->work(); });
  batch->work();
  // Whatever is not done yet is being run by a helper that started: it will finish.
  std::unique_lock lock(batch->mutex);
  batch->all_done.wait(lock, [&] { return batch->done == batch->count; });
}

}  // namespace portier::runtime
