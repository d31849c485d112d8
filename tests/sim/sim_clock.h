#pragma once
// The simulators' controllable clock: a base clock (the system clock in `portier-sim`, a
// ManualClock in unit tests) plus an offset that POST /_sim/clock and POST /_sim/advance move.
// Token lifetimes and timestamps in every module read this clock; injected latency does not
// (it is real waiting). Thread-safe.
#include <atomic>
#include <cstdint>

#include "core/base/clock.h"

namespace portier::sim {

class SimClock final : public Clock {
 public:
  // `base` must outlive this clock.
  explicit SimClock(const Clock& base) : base_(base) {}

  int64_t now_ms() const override { return base_.now_ms() + offset_ms_.load(); }
  // From now on the clock reads `epoch_ms` and runs on from there at the base clock's pace.
  void set(int64_t epoch_ms) { offset_ms_ = epoch_ms - base_.now_ms(); }
  void advance(Millis by) { offset_ms_ += by.count(); }
  // Back to the base clock's time.
  void reset() { offset_ms_ = 0; }
  int64_t offset_ms() const { return offset_ms_.load(); }

 private:
  const Clock& base_;
  std::atomic<int64_t> offset_ms_{0};
};

}  // namespace portier::sim
