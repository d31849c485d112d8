#pragma once
// A circuit breaker per destination: after `failure_threshold` consecutive failures it opens and
// lets nothing through for `open_for`; then it lets one trial call through (half-open). The
// trial's success closes it, its failure opens it again. Thread-safe.
#include <cstdint>
#include <mutex>

#include "core/config/config.h"

namespace portier::dispatch {

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  explicit CircuitBreaker(config::CircuitBreaker settings) : settings_(settings) {}

  // How many calls may start now, given how many are in flight and the concurrency limit.
  uint32_t admissible(int64_t now_ms, uint32_t in_flight, uint32_t concurrency);
  void on_success();
  void on_failure(int64_t now_ms);
  State state(int64_t now_ms);

 private:
  config::CircuitBreaker settings_;
  std::mutex mutex_;
  State state_ = State::kClosed;
  uint32_t consecutive_failures_ = 0;
  int64_t opened_at_ms_ = 0;
};

}  // namespace portier::dispatch
