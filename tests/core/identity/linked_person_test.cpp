// Which person reference later calls for an account carry: only an active link's, for the
// department and service asked; the account's own profile first; never a guess among several.
#include "core/identity/linked_person.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/journal/sqlite/sqlite_journal.h"

namespace portier::identity {
namespace {

class LinkedPersonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("linked-person-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db"))
                .string();
    std::filesystem::remove(path_);
    auto opened = journal::SqliteJournal::open(path_, clock_);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    journal_ = std::move(*opened);
  }
  void TearDown() override {
    journal_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }

  // A check by `department` that links `profile` of account acc-1 for `service` as `state`.
  void link(const std::string& link_id, const std::string& profile, int32_t service,
            const std::string& state, const std::string& person,
            const std::string& department = "betreibungsamt") {
    journal::IdentityLinkRecord l;
    l.link_id = link_id;
    l.account_id = "acc-1";
    l.profile_id = profile;
    l.service_id = service;
    l.department = department;
    l.state = state;
    l.person_ref_category = "CH.SO.STEUERNR";
    l.person_ref_id = person;
    l.check_id = "check-" + link_id;
    l.decided_by = state == "active" ? "auto" : "";
    l.created_ms = l.updated_ms = clock_.now_ms();
    journal::IdentityCheckEntry e;
    e.check_id = l.check_id;
    e.department = department;
    e.account_id = "acc-1";
    e.profile_id = profile;
    e.service_id = service;
    e.result = state == "active" ? "MATCH" : "PENDING_REVIEW";
    e.answered_from = "department";
    e.request_sha256 = std::string(64, 'a');
    e.detail = "{}";
    e.new_link = l;
    ASSERT_TRUE(journal_->record_identity_check(e).is_ok());
  }

  std::string person(const std::string& department = "betreibungsamt", int32_t service = 301,
                     const std::string& account = "acc-1") {
    auto found = linked_person(*journal_, department, account, service);
    EXPECT_TRUE(found.is_ok()) << found.status().to_string();
    if (!found.is_ok() || !*found) return "(none)";
    return (*found)->category + " " + (*found)->id;
  }

  ManualClock clock_;
  std::string path_;
  std::unique_ptr<journal::SqliteJournal> journal_;
};

TEST_F(LinkedPersonTest, NothingLinkedIsNone) { EXPECT_EQ(person(), "(none)"); }

TEST_F(LinkedPersonTest, TheActiveLinkOfTheOwnProfileCarriesItsReference) {
  link("l1", "acc-1", 301, "active", "ST-1001");
  EXPECT_EQ(person(), "CH.SO.STEUERNR ST-1001");
  EXPECT_EQ(person("betreibungsamt", 301, ""), "(none)");
  EXPECT_EQ(person("betreibungsamt", 301, "acc-2"), "(none)");
}

TEST_F(LinkedPersonTest, APendingLinkCarriesNothingUntilApproved) {
  link("l1", "acc-1", 301, "pending", "ST-1001");
  EXPECT_EQ(person(), "(none)");
  journal::IdentityLinkChange approve{"l1", "betreibungsamt", {"pending"}, "active", "keller", "",
                                      "decideIdentityLink"};
  ASSERT_TRUE(journal_->change_identity_link(approve).is_ok());
  EXPECT_EQ(person(), "CH.SO.STEUERNR ST-1001");
  journal::IdentityLinkChange revoke{"l1", "", {"active"}, "revoked", "portal", "closed",
                                     "revokeIdentityLink"};
  ASSERT_TRUE(journal_->change_identity_link(revoke).is_ok());
  EXPECT_EQ(person(), "(none)");
}

TEST_F(LinkedPersonTest, OnlyForTheDepartmentAndServiceAsked) {
  link("l1", "acc-1", 302, "active", "ST-1001");
  link("l2", "acc-1", 301, "active", "ST-2002", "steueramt");
  EXPECT_EQ(person("betreibungsamt", 301), "(none)");
  EXPECT_EQ(person("betreibungsamt", 302), "CH.SO.STEUERNR ST-1001");
  EXPECT_EQ(person("steueramt", 301), "CH.SO.STEUERNR ST-2002");
}

TEST_F(LinkedPersonTest, TheOwnProfileWinsOverACompanyProfile) {
  link("l1", "company-1", 301, "active", "CHE-1");
  EXPECT_EQ(person(), "CH.SO.STEUERNR CHE-1");  // the only one linked
  link("l2", "acc-1", 301, "active", "ST-1001");
  EXPECT_EQ(person(), "CH.SO.STEUERNR ST-1001");
}

TEST_F(LinkedPersonTest, SeveralCompanyProfilesAndNoneOfItsOwnIsNoGuess) {
  link("l1", "company-1", 301, "active", "CHE-1");
  link("l2", "company-2", 301, "active", "CHE-2");
  EXPECT_EQ(person(), "(none)");
}

}  // namespace
}  // namespace portier::identity
