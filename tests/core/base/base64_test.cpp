#include "core/base/base64.h"

#include <gtest/gtest.h>

namespace portier {
namespace {

// Portier had eight base64 helpers with different rules for whitespace and padding (a WS-Security
// nonce with a line break was refused, an APF attachment with one accepted). One table now.
TEST(Base64, DecodesByOneSetOfRules) {
  const std::pair<const char*, std::optional<std::string>> table[] = {
      {"", std::string()},
      {"SGFsbG8=", std::string("Hallo")},
      {"SGFs\nbG8=", std::string("Hallo")},  // wrapped, as in XML and MIME
      {" SGFs\r\n\tbG8= ", std::string("Hallo")},
      {"SGFsbG8", std::nullopt},    // padding is required
      {"SGFsbG8==", std::nullopt},  // too much of it
      {"SG=sbG8=", std::nullopt},   // data after padding
      {"SGFsbG8=SGFs", std::nullopt},
      {"SGF*bG8=", std::nullopt},  // outside the alphabet
      {"SGF-bG8=", std::nullopt},  // the URL alphabet is not this one
      {"AA==", std::string("\0", 1)},
      {"AAA=", std::string("\0\0", 2)},
      {"====", std::nullopt},
  };
  for (const auto& [text, expected] : table) {
    EXPECT_EQ(base64_decode(text), expected) << "'" << text << "'";
  }
}

TEST(Base64, UrlFormHasNoPaddingAndNoWhitespace) {
  EXPECT_EQ(base64url_decode("SGFsbG8"), std::string("Hallo"));
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xfb\xff", 2));
  EXPECT_FALSE(base64url_decode("SGFsbG8=").has_value());
  EXPECT_FALSE(base64url_decode("SGFs bG8").has_value());
  EXPECT_FALSE(base64url_decode("+/8").has_value());
  EXPECT_FALSE(base64url_decode("S").has_value());
}

TEST(Base64, EncodesWithoutLineBreaksAndRoundTrips) {
  std::string bytes;
  for (int i = 0; i < 1000; ++i) bytes += static_cast<char>(i * 7);
  const std::string text = base64_encode(bytes);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(base64_decode(text), bytes);
  EXPECT_EQ(base64url_decode(base64url_encode(bytes)), bytes);
  EXPECT_EQ(base64_encode("Hallo"), "SGFsbG8=");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64_encode(""), "");
}

}  // namespace
}  // namespace portier
