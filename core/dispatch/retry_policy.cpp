#include "core/dispatch/retry_policy.h"

#include <algorithm>

namespace portier::dispatch {

std::chrono::milliseconds backoff(uint32_t attempts, const config::Retry& retry,
                                  std::optional<std::chrono::milliseconds> retry_after,
                                  std::mt19937_64& random) {
  int64_t step = std::max<int64_t>(1, retry.initial_delay.count());
  const int64_t cap = std::max<int64_t>(step, retry.max_delay.count());
  for (uint32_t i = 1; i < attempts && step < cap; ++i) step *= 2;
  step = std::min(step, cap);
  std::uniform_int_distribution<int64_t> jitter(step / 2, step);
  std::chrono::milliseconds delay(jitter(random));
  if (retry_after && *retry_after > delay) delay = *retry_after;
  return delay;
}

}  // namespace portier::dispatch
