#include "core/base/rate_limit.h"

namespace portier {

bool RateLimiter::admit(const std::string& key, uint32_t per_minute, int64_t now_ms) {
  const int64_t minute = now_ms / 60'000;
  std::lock_guard lock(mutex_);
  Window& w = windows_[key];
  if (w.minute != minute) w = Window{minute, 0};
  if (w.count >= per_minute) return false;
  ++w.count;
  return true;
}

}  // namespace portier
