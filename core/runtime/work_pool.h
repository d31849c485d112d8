#pragma once
// The bounded pool of worker threads where Portier's blocking background work runs (deliveries,
// poller rounds, journal reads). Jobs run first in, first out, except the helpers of
// side_by_side(), which go to the front: their caller is already running and waits for them,
// so they must not queue behind deliveries that a busy dispatcher posted meanwhile.
//
// Threads: post() and side_by_side() from any thread, including the pool's own; stop() and the
// destructor from the owner, not from a job (they wait for the jobs queued to finish).
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace portier::runtime {

class WorkPool {
 public:
  explicit WorkPool(unsigned threads);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  void post(std::function<void()> job);

  // Runs `job(0)` .. `job(count - 1)`, up to `parallel` at once, and returns when all have run.
  // The calling thread takes part and jobs posted to the pool help; a helper that starts late
  // finds nothing left and returns, so the caller never waits for a thread that is not free.
  void side_by_side(size_t count, size_t parallel, const std::function<void(size_t)>& job);

  // Lets the jobs queued finish, then joins the threads. Later posts are dropped.
  void stop();
  unsigned threads() const { return static_cast<unsigned>(threads_.size()); }

 private:
  enum class Place { kBack, kFront };
  void enqueue(std::function<void()> job, Place place);
  void work();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;  // guarded by mutex_
  bool stopping_ = false;                   // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace portier::runtime
