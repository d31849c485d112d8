// Registry: takes a valid edit, keeps the old set on an invalid one, counts the failures,
// notices edits through fingerprint().
#include "core/mapping/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/core/mapping/mapping_test_support.h"

namespace portier::mapping {
namespace {

using ::testing::HasSubstr;
using testing::minimal_mapping;
using testing::TempFolder;

TEST(Registry, KeepsTheOldSetOnAnInvalidEditAndTakesAValidOne) {
  TempFolder folder;
  folder.write("amt.xml", minimal_mapping("amt", "amt", 1, "Erste Fassung"));
  metrics::Registry metrics;
  Registry registry(folder.path().string(), metrics);
  LoadResult first = registry.load();
  ASSERT_NE(first.set, nullptr);
  std::shared_ptr<const MappingSet> before = registry.current();
  ASSERT_EQ(before->all().size(), 1u);
  const std::string stamp = registry.fingerprint();

  // An invalid edit: the old set stays in force, and in-flight snapshots are untouched.
  std::string invalid = minimal_mapping("amt", "amt", 1, "Kaputt");
  invalid.replace(invalid.find("portal=\"CLOSED\""), 15, "portal=\"DONE\"");
  folder.write("amt.xml", invalid);
  EXPECT_NE(registry.fingerprint(), stamp);
  EXPECT_FALSE(registry.reload());
  EXPECT_EQ(registry.current(), before);
  EXPECT_EQ(registry.current()->by_name("amt")->display_name, "Erste Fassung");
  std::string rendered = metrics.render();
  EXPECT_THAT(rendered, HasSubstr("portier_mapping_reload_failures_total 1"));
  EXPECT_THAT(rendered, HasSubstr("portier_mapping_set_valid 0"));

  // A valid edit, and a second application.
  folder.write("amt.xml", minimal_mapping("amt", "amt", 1, "Zweite Fassung"));
  folder.write("zweites.xml", minimal_mapping("zweites", "zweites", 2));
  EXPECT_TRUE(registry.reload());
  std::shared_ptr<const MappingSet> after = registry.current();
  ASSERT_EQ(after->all().size(), 2u);
  EXPECT_EQ(after->by_name("amt")->display_name, "Zweite Fassung");
  EXPECT_EQ(before->by_name("amt")->display_name, "Erste Fassung");
  rendered = metrics.render();
  EXPECT_THAT(rendered, HasSubstr("portier_mapping_set_valid 1"));
  EXPECT_THAT(rendered, HasSubstr("portier_mappings_in_force 2"));
}

TEST(Registry, TheFirstLoadReportsEveryProblem) {
  TempFolder folder;
  folder.write("a.xml", minimal_mapping("same", "a", 1));
  folder.write("b.xml", minimal_mapping("same", "b", 2));
  metrics::Registry metrics;
  Registry registry(folder.path().string(), metrics);
  LoadResult result = registry.load();
  EXPECT_EQ(result.set, nullptr);
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_TRUE(registry.current()->all().empty());
}

TEST(Registry, NoFolderMeansNoMappings) {
  metrics::Registry metrics;
  Registry registry("", metrics);
  LoadResult result = registry.load();
  ASSERT_NE(result.set, nullptr);
  EXPECT_TRUE(result.problems.empty());
  EXPECT_TRUE(registry.current()->all().empty());
  EXPECT_TRUE(registry.reload());
  EXPECT_EQ(registry.fingerprint(), registry.fingerprint());
}

TEST(Registry, FingerprintSeesFilesComeAndGo) {
  TempFolder folder;
  metrics::Registry metrics;
  Registry registry(folder.path().string(), metrics);
  const std::string empty = registry.fingerprint();
  folder.write("a.xml", minimal_mapping("a", "a", 1));
  const std::string one = registry.fingerprint();
  EXPECT_NE(one, empty);
  folder.write("notes.txt", "ignored");
  EXPECT_EQ(registry.fingerprint(), one);
  std::filesystem::remove(folder.path() / "a.xml");
  EXPECT_EQ(registry.fingerprint(), empty);
}

}  // namespace
}  // namespace portier::mapping
