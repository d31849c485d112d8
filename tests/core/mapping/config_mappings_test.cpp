// The configuration's <mappings folder="..."/>: optional, relative to the configuration file;
// the sandbox points at the repository's mappings/.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <stdlib.h>

#include "core/config/config.h"
#include "tests/core/mapping/mapping_test_support.h"

namespace portier::config {
namespace {

using ::testing::HasSubstr;

constexpr char kHead[] =
    "<?xml version=\"1.0\"?>\n"
    "<portier xmlns=\"urn:portier:config:1\">\n"
    "  <listener name=\"main\"/>\n"
    "  <journal><sqlite path=\"journal.db\"/></journal>\n"
    "  <portal baseUrl=\"http://127.0.0.1:9000/api/v9\" tokenUrl=\"http://127.0.0.1:9000/t\"\n"
    "          clientId=\"portier\" clientSecret=\"env:PORTIER_PORTAL_SECRET\"/>\n";

class ConfigMappings : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("PORTIER_PORTAL_SECRET", "x", 1); }
  mapping::testing::TempFolder folder_;
};

TEST_F(ConfigMappings, RelativeToTheConfigurationFile) {
  auto path = folder_.write("etc/portier.xml", std::string(kHead) +
                                                   "  <mappings folder=\"../mappings\"/>\n" +
                                                   "  <drain timeoutMs=\"100\"/>\n</portier>\n");
  LoadResult result = load(path.string());
  ASSERT_NE(result.config, nullptr);
  EXPECT_EQ(result.config->mappings_folder, (folder_.path() / "mappings").string());
}

TEST_F(ConfigMappings, OptionalAndDefaultsToNone) {
  LoadResult result =
      load(folder_.write("portier.xml", std::string(kHead) + "</portier>\n").string());
  ASSERT_NE(result.config, nullptr);
  EXPECT_EQ(result.config->mappings_folder, "");
}

TEST_F(ConfigMappings, FolderIsRequired) {
  LoadResult result = load(
      folder_.write("portier.xml", std::string(kHead) + "  <mappings/>\n</portier>\n").string());
  ASSERT_EQ(result.config, nullptr);
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].line, 7);
  EXPECT_THAT(result.problems[0].message, HasSubstr("folder"));
}

TEST_F(ConfigMappings, TheSandboxUsesTheRepositorysMappings) {
  // It names the sandbox's throw-away PKI (made once) and secrets from the environment.
  const auto root = mapping::testing::source_dir();
  const std::string make_pki = (root / "deploy/sandbox/make-pki.sh").string() + " " +
                               (root / "var/sandbox/pki").string();
  ASSERT_EQ(std::system(make_pki.c_str()), 0);
  ::setenv("PORTIER_INCAMAIL_SECRET", "incamail-sandbox", 1);
  ::setenv("PORTIER_RECEIPTS_SECRET", "receipts-sandbox", 1);
  ::setenv("PORTIER_APF_SECRET", "apf-sandbox", 1);
  ::setenv("PORTIER_PORTAL_HMAC_SECRET", "portal-hmac-sandbox", 1);
  LoadResult result = load((mapping::testing::source_dir() / "config/sandbox.xml").string());
  ASSERT_NE(result.config, nullptr);
  EXPECT_EQ(result.config->mappings_folder,
            (mapping::testing::source_dir() / "mappings").lexically_normal().string());
}

}  // namespace
}  // namespace portier::config
