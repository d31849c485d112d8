#pragma once
// When to try again: exponential backoff with jitter, at least as long as the counterpart's
// Retry-After. Pure function of its inputs and the random source.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

#include "core/config/config.h"

namespace portier::dispatch {

// Delay before attempt `attempts + 1`, after `attempts` failed ones (attempts >= 1): the
// exponential step initial * 2^(attempts-1), capped at max_delay, then drawn uniformly from its
// upper half so that many items failing together do not come back together.
std::chrono::milliseconds backoff(uint32_t attempts, const config::Retry& retry,
                                  std::optional<std::chrono::milliseconds> retry_after,
                                  std::mt19937_64& random);

}  // namespace portier::dispatch
