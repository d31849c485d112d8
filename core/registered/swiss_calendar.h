#pragma once
// Calendar days as Swiss law counts them: the civil date in Switzerland (CET, CEST in summer)
// of an instant, day arithmetic, and the end of a deadline counted in days (Art. 20 VwVG).
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
  std::set<Day> holidays;  // federal and cantonal holidays: no deadline ends on them
};

// `day`, or the next day that is neither a Saturday, a Sunday nor a holiday.
Day next_working_day(Day day, const CalendarRule& rule);

// The last day of a deadline of `days` days set by a notice delivered on `delivered`: it starts
// on the following day (Art. 20 para. 1 VwVG) and, ending on a Saturday, a Sunday or a holiday,
// ends on the next working day instead (para. 3). The delivery date itself never moves.
Day deadline_last_day(Day delivered, int days, const CalendarRule& rule);

}  // namespace portier::registered
