#pragma once
// Dispatch: moves accepted work from the journal to the counterparts. One scheduling thread
// claims due items per destination (within its concurrency limit and circuit breaker) and hands
// them to a pool of worker threads, which call the destination's Connector and settle the
// outcome in the journal: delivered; retry later (backoff with jitter, Retry-After honoured);
// or parked as a dead letter when the counterpart refuses it or attempts run out. A parked item
// never holds up the others. A worker that delivered an item claims the destination's next due
// item itself (a pipeline: the next item of a case goes as soon as the previous one is settled,
// without waiting for the scheduler). The scheduler also refreshes the journal-depth gauges.
//
// Threads: add_destination() before start(); wake() from any thread; start()/stop() from the
// owning thread. stop() lets calls in flight finish and settle.
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "core/base/clock.h"
#include "core/base/metrics.h"
#include "core/config/config.h"
#include "core/dispatch/circuit_breaker.h"
#include "core/dispatch/connector.h"
#include "core/journal/journal.h"

namespace portier::dispatch {

class Dispatcher {
 public:
  Dispatcher(journal::Journal& journal, const Clock& clock, metrics::Registry& metrics,
             unsigned worker_threads);
  ~Dispatcher();

  void add_destination(const config::Destination& settings, std::shared_ptr<Connector> connector);
  void start();
  void stop();
  // New work may be due: look now rather than at the next poll.
  void wake();

 private:
  struct Destination {
    config::Destination settings;
    std::shared_ptr<Connector> connector;
    std::unique_ptr<CircuitBreaker> breaker;
    uint32_t in_flight = 0;  // guarded by mutex_
  };

  void schedule_loop();
  // Claims what `d` may take now; returns when it should be looked at again.
  int64_t schedule(Destination& d, int64_t now_ms);
  // Delivers `item`, then (pipeline) the destination's next due items on the same worker while
  // they come, so a case's next item goes as soon as the previous one is settled.
  void deliver(Destination& d, model::WorkItem item);
  // One delivery attempt, settled together with the claim of the destination's next due item
  // (if it was delivered and the destination may take one more call now); that item, if any.
  std::optional<model::WorkItem> attempt(Destination& d, const model::WorkItem& item);
  journal::AttemptRecord judge(Destination& d, const model::WorkItem& item,
                               const DeliveryResult& result);
  void refresh_depth_gauges();
  void run_on_worker(std::function<void()> job);

  journal::Journal& journal_;
  const Clock& clock_;
  metrics::Registry& metrics_;
  unsigned worker_count_;
  std::map<std::string, Destination> destinations_;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool running_ = false;
  bool woken_ = false;
  std::deque<std::function<void()>> jobs_;  // first in, first out
  std::condition_variable job_ready_;
  std::vector<std::thread> workers_;
  std::thread scheduler_;
  std::mt19937_64 random_{std::random_device{}()};
  int64_t next_depth_refresh_ms_ = 0;
};

}  // namespace portier::dispatch
