#include "core/base/clock.h"

#include <gtest/gtest.h>

namespace portier {
namespace {

TEST(Clock, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(format_utc(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(parse_rfc3339(format_utc(1'700'000'000'123)), 1'700'000'000'123);
}

TEST(Clock, ParsesRfc3339WithAZone) {
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20Z"), 1'700'000'000'000);
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20.123Z"), 1'700'000'000'123);
  EXPECT_EQ(parse_rfc3339("2023-11-14t22:13:20.1z"), 1'700'000'000'100);
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20.123456789Z"), 1'700'000'000'123);
  EXPECT_EQ(parse_rfc3339("2023-11-14T23:13:20+01:00"), 1'700'000'000'000);
  EXPECT_EQ(parse_rfc3339("2023-11-14T21:43:20-00:30"), 1'700'000'000'000);
  EXPECT_EQ(parse_rfc3339("2023-11-14T21:13:20-01:00"), 1'700'000'000'000);
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00Z"), 1'709'164'800'000);
  for (const char* bad :
       {"", "2023-11-14", "2023-11-14T22:13:20", "2023-11-14 22:13:20Z", "2023-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z", "2023-11-14T24:00:00Z", "2023-11-14T22:13:20.Z",
        "2023-11-14T22:13:20+0100", "2023-11-14T22:13:20Zjunk", "yesterday"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

}  // namespace
}  // namespace portier
