// Identity links as the journal keeps them, on each store: one open link per account profile and
// service, the check's evidence and the department's event with it, state changes only from the
// allowed states and by the owner, and the filtered listing. (tests/core/identity has the
// identity service's own tests.)
#include <gtest/gtest.h>

#include "tests/core/journal/conformance/journal_conformance.h"

namespace portier::journal::testing {
namespace {

IdentityCheckEntry check(const std::string& check_id, const std::string& account,
                         const std::string& link_id, const std::string& state, int64_t now_ms) {
  IdentityCheckEntry e;
  e.check_id = check_id;
  e.department = "steueramt";
  e.account_id = account;
  e.profile_id = account;
  e.service_id = 101;
  e.result = state == "active" ? "MATCH" : "PENDING_REVIEW";
  e.answered_from = "department";
  e.request_sha256 = std::string(64, 'a');
  e.detail = "{}";
  if (!link_id.empty()) {
    IdentityLinkRecord l;
    l.link_id = link_id;
    l.account_id = account;
    l.profile_id = account;
    l.service_id = 101;
    l.department = "steueramt";
    l.state = state;
    l.person_ref_category = "CH.SO.STEUERNR";
    l.person_ref_id = "ST-" + account;
    l.identification_level = 2;
    l.check_id = check_id;
    l.created_ms = l.updated_ms = now_ms;
    e.new_link = l;
  }
  return e;
}

TYPED_TEST_SUITE(JournalConformance, Stores, StoreName);

TYPED_TEST(JournalConformance, AnIdentityCheckCreatesOneOpenLinkWithItsEvidenceAndEvent) {
  Journal& j = this->open();
  const int64_t now = this->clock_.now_ms();
  auto recorded = j.record_identity_check(check("c1", "acc-1", "l1", "active", now));
  ASSERT_TRUE(recorded.is_ok()) << recorded.status().to_string();
  ASSERT_TRUE(recorded->has_value());
  EXPECT_EQ((*recorded)->link_id, "l1");
  auto found = j.find_identity_link("acc-1", "acc-1", 101);
  ASSERT_TRUE(found.is_ok() && found->has_value()) << found.status().to_string();
  EXPECT_EQ((*found)->person_ref_id, "ST-acc-1");
  EXPECT_EQ((*found)->identification_level, 2);
  EXPECT_EQ((*found)->created_ms, now);
  EXPECT_EQ(this->hops(j, "identity:l1"), std::vector<std::string>{"identityCheck"});
  std::vector<DepartmentEvent> events = this->open_events("steueramt");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "identityLink");
  EXPECT_NE(events[0].detail.find("\"personId\":\"ST-acc-1\""), std::string::npos);

  // A second link for the same profile and service is dropped; the first one answers.
  auto second = j.record_identity_check(check("c2", "acc-1", "l2", "active", now));
  ASSERT_TRUE(second.is_ok() && second->has_value());
  EXPECT_EQ((*second)->link_id, "l1");
  EXPECT_FALSE(j.identity_link("l2")->has_value());
  // A check without a link is evidence only.
  auto none = j.record_identity_check(check("c9", "acc-9", "", "", now));
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(this->hops(j, "identity-check:c9"), std::vector<std::string>{"identityCheck"});
  EXPECT_TRUE(this->verify_chain().intact);
}

TYPED_TEST(JournalConformance, IdentityLinksChangeOnlyFromAllowedStatesAndAreListedByFilter) {
  Journal& j = this->open();
  const int64_t now = this->clock_.now_ms();
  ASSERT_TRUE(j.record_identity_check(check("c1", "acc-1", "l1", "pending", now)).is_ok());
  this->clock_.advance(Millis(10));
  ASSERT_TRUE(j.record_identity_check(check("c2", "acc-2", "l2", "active", now + 10)).is_ok());

  IdentityLinkChange approve{"l1",     "mfk", {"pending"},         "active",
                             "keller", "",    "decideIdentityLink"};
  EXPECT_EQ(j.change_identity_link(approve).status().code(), StatusCode::kPermissionDenied);
  approve.department = "steueramt";
  auto approved = j.change_identity_link(approve);
  ASSERT_TRUE(approved.is_ok()) << approved.status().to_string();
  EXPECT_EQ(approved->state, "active");
  EXPECT_EQ(approved->decided_by, "keller");
  EXPECT_EQ(approved->decided_ms, this->clock_.now_ms());
  EXPECT_EQ(j.change_identity_link(approve).status().code(), StatusCode::kFailedPrecondition);
  IdentityLinkChange revoke{"l1",     "",       {"pending", "active"}, "revoked",
                            "portal", "closed", "revokeIdentityLink"};
  ASSERT_TRUE(j.change_identity_link(revoke).is_ok());
  EXPECT_FALSE(j.find_identity_link("acc-1", "acc-1", 101)->has_value());
  EXPECT_EQ(j.identity_link("l1")->value().reason, "closed");
  EXPECT_EQ(j.change_identity_link(revoke).status().code(), StatusCode::kFailedPrecondition);
  revoke.link_id = "nope";
  EXPECT_EQ(j.change_identity_link(revoke).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(this->hops(j, "identity:l1"),
            (std::vector<std::string>{"identityCheck", "identityLink", "identityLink"}));

  // Listed newest first; each filter narrows, none lists all.
  auto ids = [&](const IdentityLinkFilter& filter) {
    Result<std::vector<IdentityLinkRecord>> links = j.identity_links(filter);
    EXPECT_TRUE(links.is_ok()) << links.status().to_string();
    std::vector<std::string> out;
    if (links.is_ok()) {
      for (const IdentityLinkRecord& l : *links) out.push_back(l.link_id);
    }
    return out;
  };
  EXPECT_EQ(ids({}), (std::vector<std::string>{"l2", "l1"}));
  IdentityLinkFilter revoked;
  revoked.state = "revoked";
  EXPECT_EQ(ids(revoked), std::vector<std::string>{"l1"});
  IdentityLinkFilter of_account;
  of_account.account_id = "acc-2";
  of_account.department = "steueramt";
  EXPECT_EQ(ids(of_account), std::vector<std::string>{"l2"});
  IdentityLinkFilter elsewhere;
  elsewhere.department = "mfk";
  EXPECT_TRUE(ids(elsewhere).empty());
  IdentityLinkFilter one;
  one.limit = 1;
  EXPECT_EQ(ids(one), std::vector<std::string>{"l2"});

  // After the revocation a new link may be made.
  ASSERT_TRUE(j.record_identity_check(check("c3", "acc-1", "l3", "active", now)).is_ok());
  EXPECT_EQ(j.find_identity_link("acc-1", "acc-1", 101)->value().link_id, "l3");
}

TYPED_TEST(JournalConformance, AFirstApprovalIsKeptAcrossARestartUntilTheLinkIsDecided) {
  Journal& j = this->open();
  const int64_t now = this->clock_.now_ms();
  ASSERT_TRUE(j.record_identity_check(check("c1", "acc-1", "l1", "pending", now)).is_ok());
  ASSERT_TRUE(j.record_identity_check(check("c2", "acc-2", "l2", "active", now)).is_ok());
  EXPECT_FALSE(j.first_approval("l1")->has_value());

  auto first = j.approve_first("l1", "steueramt", "rita");
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  EXPECT_EQ(first->by, "rita");
  EXPECT_EQ(first->at_ms, now);
  EXPECT_EQ(j.approve_first("l1", "mfk", "rita").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(j.approve_first("l2", "", "rita").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(j.approve_first("nope", "", "rita").status().code(), StatusCode::kNotFound);

  // A restart keeps it: the next reviewer learns who approved first, and is not recorded.
  this->close();
  Journal& again = this->open();
  this->clock_.advance(Millis(10));
  auto kept = again.first_approval("l1");
  ASSERT_TRUE(kept.is_ok() && kept->has_value()) << kept.status().to_string();
  EXPECT_EQ((*kept)->by, "rita");
  auto second = again.approve_first("l1", "steueramt", "sara");
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  EXPECT_EQ(second->by, "rita");
  EXPECT_EQ(second->at_ms, now);

  // Once the link leaves pending, no first approval waits any more.
  IdentityLinkChange approve{"l1",        "steueramt", {"pending"},         "active",
                             "rita+sara", "",          "decideIdentityLink"};
  ASSERT_TRUE(again.change_identity_link(approve).is_ok());
  EXPECT_FALSE(again.first_approval("l1")->has_value());
  EXPECT_EQ(again.approve_first("l1", "", "rita").status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace portier::journal::testing
