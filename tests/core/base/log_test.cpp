#include "core/base/log.h"

#include <gtest/gtest.h>

#include <string>

#include "core/base/digest.h"

namespace portier::log {
namespace {

TEST(Log, PersonalNeverContainsTheValue) {
  const std::string values[] = {"756.1234.5678.97", "Meier", "anna.meier@example.ch", "x"};
  for (const std::string& value : values) {
    SCOPED_TRACE(value);
    Field f = personal("vn", value);
    EXPECT_EQ(f.key, "vn");
    EXPECT_EQ(f.value.find(value), std::string::npos) << f.value;
    EXPECT_TRUE(f.value.starts_with("redacted:")) << f.value;
  }
}

TEST(Log, PersonalIsAStableShortDigest) {
  Field a = personal("owner", "Meier");
  Field b = personal("other_key", "Meier");
  Field c = personal("owner", "Müller");
  EXPECT_EQ(a.value, b.value);  // the same person can be followed across lines
  EXPECT_NE(a.value, c.value);
  EXPECT_EQ(a.value, "redacted:" + sha256_hex("Meier").substr(0, 8));
  EXPECT_EQ(a.value.size(), std::string("redacted:").size() + 8);
}

TEST(Log, PersonalValueIsNotWrittenToTheLog) {
  ::testing::internal::CaptureStderr();
  write(Level::kError, "identity check failed", {personal("vn", "756.9999.8888.77")});
  std::string line = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(line.find("756.9999.8888.77"), std::string::npos) << line;
  EXPECT_NE(line.find("redacted:"), std::string::npos) << line;
  EXPECT_NE(line.find("identity check failed"), std::string::npos) << line;
}

TEST(Log, ParsesLevels) {
  Level l = Level::kInfo;
  EXPECT_TRUE(parse_level("debug", l));
  EXPECT_EQ(l, Level::kDebug);
  EXPECT_TRUE(parse_level("error", l));
  EXPECT_EQ(l, Level::kError);
  EXPECT_FALSE(parse_level("verbose", l));
  EXPECT_EQ(l, Level::kError);
}

}  // namespace
}  // namespace portier::log
