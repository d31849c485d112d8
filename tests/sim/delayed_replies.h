#pragma once
// Sends replies later without blocking the calling thread: one dedicated thread with a timer
// queue (earliest due first), used for injected latency. A thread per delayed reply would not
// survive load tests.
//
// Threads: schedule() from any thread; the replies are sent from the internal thread. The
// destructor sends every reply still queued at once (each Respond is called exactly once).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "adapters/http/message.h"

namespace portier::sim {

class DelayedReplies {
 public:
  DelayedReplies();
  ~DelayedReplies();
  DelayedReplies(const DelayedReplies&) = delete;
  DelayedReplies& operator=(const DelayedReplies&) = delete;

  // Calls `respond(response)` after `delay` (real time, not the sim clock).
  void schedule(std::chrono::milliseconds delay, http::Respond respond, http::Response response);
  // Number of replies waiting.
  size_t pending() const;

 private:
  struct Item {
    std::chrono::steady_clock::time_point due;
    uint64_t order;  // keeps replies with the same due time in scheduling order
    http::Respond respond;
    http::Response response;
  };
  struct Later {
    bool operator()(const Item& a, const Item& b) const {
      return a.due != b.due ? a.due > b.due : a.order > b.order;
    }
  };

  void run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::priority_queue<Item, std::vector<Item>, Later> queue_;
  uint64_t next_order_ = 0;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members above exist
};

}  // namespace portier::sim
