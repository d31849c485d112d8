#pragma once
// Requests per key and minute, counted in fixed one-minute windows: enough to keep one
// department from crowding out the others, cheap enough for the I/O threads. Thread-safe.
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace portier {

class RateLimiter {
 public:
  // True if one more request of `key` fits in `per_minute` within the minute of `now_ms`.
  bool admit(const std::string& key, uint32_t per_minute, int64_t now_ms);

 private:
  struct Window {
    int64_t minute = 0;
    uint32_t count = 0;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace portier
