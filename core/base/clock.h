#pragma once
// Time is injected (STYLE.md, 9): retry, backoff, leases and expiry read a Clock, so tests can
// move it. Both clocks are thread-safe.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace portier {

using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in milliseconds since the Unix epoch: stored in the journal and evidence.
  virtual int64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override;
};

// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  int64_t now_ms() const override { return now_.load(); }
  void advance(Millis by) { now_ += by.count(); }
  void set(int64_t ms) { now_ = ms; }

 private:
  std::atomic<int64_t> now_;
};

// RFC 3339 UTC timestamp with milliseconds, e.g. 2026-11-29T10:12:38.123Z.
std::string format_utc(int64_t epoch_ms);

// Milliseconds since the epoch of an RFC 3339 timestamp with a zone ("Z" or "+01:00"; fractions
// beyond milliseconds are dropped), or nothing if it is not one (e.g. 2026-02-30, no zone).
std::optional<int64_t> parse_rfc3339(std::string_view text);

}  // namespace portier
