#include "core/registered/swiss_calendar.h"

#include <gtest/gtest.h>

#include "core/base/clock.h"

namespace portier::registered {
namespace {

Day day_of(const char* instant) { return swiss_day(*parse_rfc3339(instant)); }

TEST(SwissCalendar, CivilDateIsSwissTimeNotUtc) {
  // Winter (CET, UTC+1): 23:30 UTC is already the next day in Solothurn.
  EXPECT_EQ(format_day(day_of("2026-11-29T22:59:59Z")), "2026-11-29");
  EXPECT_EQ(format_day(day_of("2026-11-29T23:00:00Z")), "2026-11-30");
  // Summer (CEST, UTC+2).
  EXPECT_EQ(format_day(day_of("2026-07-01T21:59:59Z")), "2026-07-01");
  EXPECT_EQ(format_day(day_of("2026-07-01T22:00:00Z")), "2026-07-02");
}

TEST(SwissCalendar, SummerTimeSwitchesOnTheLastSundays) {
  // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
  EXPECT_EQ(format_day(day_of("2026-03-28T22:30:00Z")), "2026-03-28");  // CET: 23:30
  EXPECT_EQ(format_day(day_of("2026-03-29T22:30:00Z")), "2026-03-30");  // CEST: 00:30
  EXPECT_EQ(format_day(day_of("2026-10-24T22:30:00Z")), "2026-10-25");  // CEST: 00:30
  EXPECT_EQ(format_day(day_of("2026-10-25T22:30:00Z")), "2026-10-25");  // CET: 23:30
}

TEST(SwissCalendar, ParsesOnlyRealDates) {
  EXPECT_EQ(format_day(*parse_day("2028-02-29")), "2028-02-29");
  EXPECT_FALSE(parse_day("2026-02-29"));
  EXPECT_FALSE(parse_day("2026-13-01"));
  EXPECT_FALSE(parse_day("2026-1-01"));
  EXPECT_FALSE(parse_day("yesterday!"));
}

TEST(SwissCalendar, NoWorkingDayIsAWeekendOrAHoliday) {
  Day saturday = *parse_day("2026-12-26");
  CalendarRule rule;
  EXPECT_EQ(format_day(next_working_day(saturday, rule)), "2026-12-28");
  rule.holidays.insert(*parse_day("2026-12-28"));
  EXPECT_EQ(format_day(next_working_day(saturday, rule)), "2026-12-29");
  Day christmas = *parse_day("2026-12-25");  // a Friday
  EXPECT_EQ(next_working_day(christmas, rule), christmas);
  rule.holidays.insert(christmas);
  EXPECT_EQ(format_day(next_working_day(christmas, rule)), "2026-12-29");
}

TEST(SwissCalendar, ADeadlineStartsTheDayAfterDelivery) {
  // Delivered Monday 30 November: a one-day deadline ends on Tuesday, ten days on Thursday
  // 10 December.
  Day monday = *parse_day("2026-11-30");
  EXPECT_EQ(format_day(deadline_last_day(monday, 1, {})), "2026-12-01");
  EXPECT_EQ(format_day(deadline_last_day(monday, 10, {})), "2026-12-10");
  // Five days end on Saturday 5 December: Monday 7 December instead.
  EXPECT_EQ(format_day(deadline_last_day(monday, 5, {})), "2026-12-07");
}

}  // namespace
}  // namespace portier::registered
