#include "core/registered/swiss_calendar.h"

#include <chrono>
#include <cstdio>

namespace portier::registered {
namespace {

using namespace std::chrono;

constexpr int64_t kMsPerDay = 86'400'000;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// 01:00 UTC on the last Sunday of `m` in `y`: when Swiss summer time starts or ends.
int64_t switch_ms(int y, unsigned m) {
  sys_days sunday{year{y} / month{m} / Sunday[std::chrono::last]};
  return (sunday.time_since_epoch().count() * kMsPerDay) + 3'600'000;
}

}  // namespace

Day swiss_day(int64_t epoch_ms) {
  int y = static_cast<int>(year_month_day{sys_days{days{floor_div(epoch_ms, kMsPerDay)}}}.year());
  bool summer = epoch_ms >= switch_ms(y, 3) && epoch_ms < switch_ms(y, 10);
  return floor_div(epoch_ms + (summer ? 2 : 1) * 3'600'000, kMsPerDay);
}

std::string format_day(Day day) {
  year_month_day d{sys_days{days{day}}};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return out;
}

std::optional<Day> parse_day(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&text](size_t from, size_t n) -> std::optional<int> {
    int v = 0;
    for (size_t i = from; i < from + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  auto y = number(0, 4), m = number(5, 2), d = number(8, 2);
  if (!y || !m || !d) return std::nullopt;
  year_month_day ymd{year{*y}, month{static_cast<unsigned>(*m)}, day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd}.time_since_epoch().count();
}

bool is_weekend(Day day) {
  weekday w{sys_days{days{day}}};
  return w == Saturday || w == Sunday;
}

Day next_working_day(Day day, const CalendarRule& rule) {
  while (is_weekend(day) || rule.holidays.count(day) != 0) ++day;
  return day;
}

Day deadline_last_day(Day delivered, int days, const CalendarRule& rule) {
  // Day 1 is the day after delivery, so day `days` is `delivered + days`.
  return next_working_day(delivered + days, rule);
}

}  // namespace portier::registered
