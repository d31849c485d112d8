#include "core/base/clock.h"

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace portier {

int64_t SystemClock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_utc(int64_t epoch_ms) {
  std::time_t seconds = epoch_ms / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(epoch_ms % 1000));
  return buf;
}

std::optional<int64_t> parse_rfc3339(std::string_view text) {
  size_t pos = 0;
  // `digits` decimal digits at pos, or -1.
  auto number = [&](size_t digits) -> int {
    if (pos + digits > text.size()) return -1;
    int n = 0;
    for (size_t i = 0; i < digits; ++i) {
      char c = text[pos + i];
      if (c < '0' || c > '9') return -1;
      n = n * 10 + (c - '0');
    }
    pos += digits;
    return n;
  };
  auto expect = [&](std::string_view one_of) {
    if (pos >= text.size() || one_of.find(text[pos]) == std::string_view::npos) return false;
    ++pos;
    return true;
  };
  std::tm tm{};
  int year = number(4);
  if (year < 0 || !expect("-")) return std::nullopt;
  int month = number(2);
  if (month < 1 || month > 12 || !expect("-")) return std::nullopt;
  int day = number(2);
  if (day < 1 || !expect("Tt")) return std::nullopt;
  int hour = number(2);
  if (hour < 0 || hour > 23 || !expect(":")) return std::nullopt;
  int minute = number(2);
  if (minute < 0 || minute > 59 || !expect(":")) return std::nullopt;
  int second = number(2);
  if (second < 0 || second > 60) return std::nullopt;  // 60: a leap second, read as :59 + 1 s
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (size_t d = digits; d < 3; ++d) millis *= 10;
  }
  int offset_minutes = 0;
  if (expect("Zz")) {
    // UTC
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = number(2);
    if (oh < 0 || !expect(":")) return std::nullopt;
    int om = number(2);
    if (om < 0 || om > 59 || oh * 60 + om > 14 * 60) return std::nullopt;  // real zones: ±14:00
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = 0;
  time_t seconds = timegm(&tm);
  if (tm.tm_mday != day || tm.tm_mon != month - 1) return std::nullopt;  // e.g. 2026-02-30
  return (static_cast<int64_t>(seconds) + second - int64_t{offset_minutes} * 60) * 1000 + millis;
}

}  // namespace portier
