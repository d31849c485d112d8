#pragma once
// The registered-delivery rule (acceptance window, warning, calendar) as configured.
#include "core/config/config.h"
#include "core/registered/lifecycle.h"

namespace portier::app {

inline registered::LifecycleRule lifecycle_rule(const config::RegisteredMail& m) {
  registered::LifecycleRule rule;
  rule.acceptance_days = static_cast<int>(m.acceptance_days);
  rule.warn_before_ms = int64_t{m.warn_before_hours} * 3'600'000;
  for (const std::string& day : m.holidays) {
    if (auto parsed = registered::parse_day(day)) rule.calendar.holidays.insert(*parsed);
  }
  return rule;
}

}  // namespace portier::app
