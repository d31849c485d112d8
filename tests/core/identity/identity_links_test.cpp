// Identity links in the SQLite journal: one open link per account profile and service, the
// check's evidence in the same transaction, state changes only from the allowed states, and the
// department's identityLink events.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/journal/sqlite/sqlite_journal.h"

namespace portier::journal {
namespace {

class IdentityLinksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("identity-links-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db"))
                .string();
    std::filesystem::remove(path_);
    auto opened = SqliteJournal::open(path_, clock_);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    journal_ = std::move(*opened);
  }
  void TearDown() override {
    journal_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }

  IdentityCheckEntry entry(const std::string& check_id, const std::string& link_id,
                           const std::string& state) {
    IdentityCheckEntry e;
    e.check_id = check_id;
    e.department = "steueramt";
    e.account_id = "acc-1";
    e.profile_id = "acc-1";
    e.service_id = 101;
    e.result = state == "active" ? "MATCH" : "PENDING_REVIEW";
    e.answered_from = "department";
    e.request_sha256 = std::string(64, 'a');
    e.detail = "{}";
    if (!link_id.empty()) {
      IdentityLinkRecord l;
      l.link_id = link_id;
      l.account_id = "acc-1";
      l.profile_id = "acc-1";
      l.service_id = 101;
      l.department = "steueramt";
      l.state = state;
      l.person_ref_category = "CH.SO.STEUERNR";
      l.person_ref_id = "ST-1";
      l.check_id = check_id;
      l.created_ms = l.updated_ms = clock_.now_ms();
      e.new_link = l;
    }
    return e;
  }

  ManualClock clock_;
  std::string path_;
  std::unique_ptr<SqliteJournal> journal_;
};

TEST_F(IdentityLinksTest, ACheckCreatesTheLinkWithItsEvidenceAndEvent) {
  auto recorded = journal_->record_identity_check(entry("c1", "l1", "active"));
  ASSERT_TRUE(recorded.is_ok()) << recorded.status().to_string();
  ASSERT_TRUE(*recorded);
  EXPECT_EQ((*recorded)->link_id, "l1");
  auto found = journal_->find_identity_link("acc-1", "acc-1", 101);
  ASSERT_TRUE(found.is_ok() && *found);
  EXPECT_EQ((*found)->person_ref_id, "ST-1");
  auto evidence = journal_->evidence(std::string("identity:l1"));
  ASSERT_TRUE(evidence.is_ok());
  ASSERT_EQ(evidence->size(), 1u);
  EXPECT_EQ(evidence->front().hop, "identityCheck");
  auto events = journal_->events("steueramt", 0, 10);
  ASSERT_TRUE(events.is_ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().kind, "identityLink");
  EXPECT_NE(events->front().detail.find("\"personId\":\"ST-1\""), std::string::npos);
}

TEST_F(IdentityLinksTest, AConcurrentSecondLinkIsDroppedAndTheFirstAnswers) {
  ASSERT_TRUE(journal_->record_identity_check(entry("c1", "l1", "active")).is_ok());
  auto second = journal_->record_identity_check(entry("c2", "l2", "active"));
  ASSERT_TRUE(second.is_ok() && *second);
  EXPECT_EQ((*second)->link_id, "l1");
  EXPECT_FALSE(*journal_->identity_link("l2"));
}

TEST_F(IdentityLinksTest, ACheckWithoutLinkIsEvidenceOnly) {
  auto recorded = journal_->record_identity_check(entry("c9", "", ""));
  ASSERT_TRUE(recorded.is_ok());
  EXPECT_FALSE(*recorded);
  EXPECT_EQ(journal_->evidence(std::string("identity-check:c9"))->size(), 1u);
  EXPECT_TRUE(journal_->identity_links({})->empty());
}

TEST_F(IdentityLinksTest, DecisionsMoveOnlyFromAllowedStatesAndOnlyForTheOwner) {
  ASSERT_TRUE(journal_->record_identity_check(entry("c1", "l1", "pending")).is_ok());
  IdentityLinkChange approve{"l1", "mfk", {"pending"}, "active", "keller", "", "decideIdentityLink"};
  EXPECT_EQ(journal_->change_identity_link(approve).status().code(), StatusCode::kPermissionDenied);
  approve.department = "steueramt";
  auto approved = journal_->change_identity_link(approve);
  ASSERT_TRUE(approved.is_ok()) << approved.status().to_string();
  EXPECT_EQ(approved->state, "active");
  EXPECT_EQ(approved->decided_by, "keller");
  EXPECT_EQ(journal_->change_identity_link(approve).status().code(),
            StatusCode::kFailedPrecondition);
  IdentityLinkChange revoke{"l1", "", {"pending", "active"}, "revoked", "portal", "closed",
                            "revokeIdentityLink"};
  ASSERT_TRUE(journal_->change_identity_link(revoke).is_ok());
  EXPECT_FALSE(*journal_->find_identity_link("acc-1", "acc-1", 101));
  EXPECT_EQ(journal_->change_identity_link(revoke).status().code(), StatusCode::kFailedPrecondition);
  revoke.link_id = "nope";
  EXPECT_EQ(journal_->change_identity_link(revoke).status().code(), StatusCode::kNotFound);
  // After the revocation a new link may be made.
  ASSERT_TRUE(journal_->record_identity_check(entry("c3", "l3", "active")).is_ok());
  EXPECT_EQ((*journal_->find_identity_link("acc-1", "acc-1", 101))->link_id, "l3");
  EXPECT_EQ(journal_->evidence(std::string("identity:l1"))->size(), 3u);
}

}  // namespace
}  // namespace portier::journal
