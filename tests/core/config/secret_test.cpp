// resolve_secret: env: and file: references; messages name the variable or file, never a value.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "core/config/config.h"
#include "tests/core/config/config_test_support.h"

namespace portier::config {
namespace {

using testing::TempFolder;

TEST(ResolveSecret, ReadsAnEnvironmentVariable) {
  ::setenv("PORTIER_TEST_SECRET_A", "s3cr3t-from-env", 1);
  Result<std::string> secret = resolve_secret("env:PORTIER_TEST_SECRET_A");
  ASSERT_TRUE(secret.is_ok()) << secret.status().to_string();
  EXPECT_EQ(*secret, "s3cr3t-from-env");
}

TEST(ResolveSecret, MissingVariableIsNamedAndNotFound) {
  ::unsetenv("PORTIER_TEST_SECRET_MISSING");
  Result<std::string> secret = resolve_secret("env:PORTIER_TEST_SECRET_MISSING");
  ASSERT_FALSE(secret.is_ok());
  EXPECT_EQ(secret.status().code(), StatusCode::kNotFound);
  EXPECT_NE(secret.status().message().find("PORTIER_TEST_SECRET_MISSING"), std::string::npos);
}

TEST(ResolveSecret, EmptyVariableIsRefused) {
  ::setenv("PORTIER_TEST_SECRET_EMPTY", "", 1);
  EXPECT_FALSE(resolve_secret("env:PORTIER_TEST_SECRET_EMPTY").is_ok());
}

TEST(ResolveSecret, BadVariableNameIsRefused) {
  EXPECT_FALSE(resolve_secret("env:").is_ok());
  EXPECT_FALSE(resolve_secret("env:1ABC").is_ok());
  EXPECT_FALSE(resolve_secret("env:A-B").is_ok());
}

TEST(ResolveSecret, ReadsAFileWithoutOneTrailingNewline) {
  TempFolder folder;
  auto one = folder.write("one", "s3cr3t-from-file\n");
  auto two = folder.write("two", "line\n\n");
  auto crlf = folder.write("crlf", "windows\r\n");
  auto none = folder.write("none", "exact");
  EXPECT_EQ(*resolve_secret("file:" + one.string()), "s3cr3t-from-file");
  EXPECT_EQ(*resolve_secret("file:" + two.string()), "line\n");
  EXPECT_EQ(*resolve_secret("file:" + crlf.string()), "windows");
  EXPECT_EQ(*resolve_secret("file:" + none.string()), "exact");
}

TEST(ResolveSecret, MissingOrEmptyFileIsAProblemNamingThePath) {
  TempFolder folder;
  const std::string missing = (folder.path() / "nope").string();
  Result<std::string> secret = resolve_secret("file:" + missing);
  ASSERT_FALSE(secret.is_ok());
  EXPECT_NE(secret.status().message().find(missing), std::string::npos);
  auto empty = folder.write("empty", "\n");
  EXPECT_FALSE(resolve_secret("file:" + empty.string()).is_ok());
  EXPECT_FALSE(resolve_secret("file:" + folder.path().string()).is_ok());  // a folder
  EXPECT_FALSE(resolve_secret("file:").is_ok());
}

TEST(ResolveSecret, AnInlineSecretIsRefusedWithoutRepeatingIt) {
  Result<std::string> secret = resolve_secret("hunter2-inline");
  ASSERT_FALSE(secret.is_ok());
  EXPECT_EQ(secret.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(secret.status().message().find("hunter2"), std::string::npos);
  EXPECT_NE(secret.status().message().find("env:"), std::string::npos);
  EXPECT_NE(secret.status().message().find("file:"), std::string::npos);
}

}  // namespace
}  // namespace portier::config
