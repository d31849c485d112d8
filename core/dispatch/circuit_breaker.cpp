#include "core/dispatch/circuit_breaker.h"

namespace portier::dispatch {

CircuitBreaker::State CircuitBreaker::state(int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (state_ == State::kOpen && now_ms - opened_at_ms_ >= settings_.open_for.count()) {
    state_ = State::kHalfOpen;
  }
  return state_;
}

uint32_t CircuitBreaker::admissible(int64_t now_ms, uint32_t in_flight, uint32_t concurrency) {
  switch (state(now_ms)) {
    case State::kOpen: return 0;
    case State::kHalfOpen: return in_flight == 0 ? 1 : 0;
    case State::kClosed: return concurrency > in_flight ? concurrency - in_flight : 0;
  }
  return 0;
}

void CircuitBreaker::on_success() {
  std::lock_guard lock(mutex_);
  consecutive_failures_ = 0;
  state_ = State::kClosed;
}

void CircuitBreaker::on_failure(int64_t now_ms) {
  std::lock_guard lock(mutex_);
  ++consecutive_failures_;
  if (state_ == State::kHalfOpen || consecutive_failures_ >= settings_.failure_threshold) {
    state_ = State::kOpen;
    opened_at_ms_ = now_ms;
  }
}

}  // namespace portier::dispatch
