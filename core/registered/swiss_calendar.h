#pragma once
// Calendar days as Swiss law counts them: the civil date in Switzerland (CET, CEST in summer)
// of an instant, day arithmetic, and the optional rule that a day on a weekend or a holiday
// moves to the next working day.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace portier::registered {

// Days since 1970-01-01 of a civil date.
using Day = int64_t;

// The civil date in Switzerland of an instant (EU summer time: last Sunday of March 01:00 UTC
// to last Sunday of October 01:00 UTC).
Day swiss_day(int64_t epoch_ms);

std::string format_day(Day day);                      // 2026-11-29
std::optional<Day> parse_day(std::string_view text);  // nothing unless a real yyyy-mm-dd
bool is_weekend(Day day);

struct CalendarRule {
  bool shift_weekends = false;  // a Saturday or Sunday counts as the next working day
  std::set<Day> holidays;       // as do these days
};

// `day`, or the next working day under `rule`.
Day next_working_day(Day day, const CalendarRule& rule);

}  // namespace portier::registered
