#pragma once
// Dispatch: moves accepted work from the journal to the counterparts. A periodic turn on the
// work pool claims due items per destination (within its concurrency limit and circuit breaker)
// and hands each to the pool, where the destination's Connector is called and the outcome
// settled in the journal: delivered; retry later (backoff with jitter, Retry-After honoured);
// or parked as a dead letter when the counterpart refuses it or attempts run out. A parked item
// never holds up the others. A worker that delivered an item claims the destination's next due
// item itself (a pipeline: the next item of a case goes as soon as the previous one is settled,
// without waiting for the next turn). The turn also refreshes the journal-depth gauges and tells
// the backlog bounds what the journal counts.
//
// Threads: add_destination() before start(); wake() from any thread; start()/stop() from the
// owning thread. stop() lets calls in flight finish and settle.
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>

#include "core/base/clock.h"
#include "core/base/metrics.h"
#include "core/config/config.h"
#include "core/dispatch/circuit_breaker.h"
#include "core/dispatch/connector.h"
#include "core/journal/backlog_bounds.h"
#include "core/journal/journal.h"
#include "core/runtime/periodic_task.h"
#include "core/runtime/timers.h"
#include "core/runtime/work_pool.h"

namespace portier::dispatch {

class Dispatcher {
 public:
  // Calls run on `pool`, turns are timed by `timers` (and its clock). `bounds` (may be null) is
  // told each destination's backlog as the journal counts it.
  Dispatcher(journal::Journal& journal, runtime::Timers& timers, runtime::WorkPool& pool,
             metrics::Registry& metrics, journal::BacklogBounds* bounds = nullptr);
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

  // One scheduling turn: claims what every destination may take now; the delay until the next.
  Millis schedule_turn();
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

  journal::Journal& journal_;
  const Clock& clock_;
  runtime::WorkPool& pool_;
  metrics::Registry& metrics_;
  journal::BacklogBounds* bounds_;
  std::map<std::string, Destination> destinations_;
  runtime::PeriodicTask scheduling_;

  std::mutex mutex_;
  std::condition_variable calls_ended_;
  bool running_ = false;
  uint32_t calls_in_flight_ = 0;  // over all destinations, guarded by mutex_
  std::mt19937_64 random_{std::random_device{}()};
  int64_t next_depth_refresh_ms_ = 0;  // scheduling turns only
};

}  // namespace portier::dispatch
