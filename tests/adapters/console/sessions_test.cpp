// The console's users and sessions: found by normalised certificate subject or OIDC subject, a
// fresh random id and CSRF token at every sign-in, an idle session forgotten, tokens compared
// whole.
#include "adapters/console/sessions.h"

#include <gtest/gtest.h>

#include <set>

namespace portier::console {
namespace {

std::vector<config::Console::User> users() {
  config::Console::User anna{
      "anna", "CN=anna,OU=Betrieb,O=Kanton Solothurn,C=CH", "anna-sub", {"viewer", "operator"}, {}};
  config::Console::User rita{"rita", "", "rita-sub", {"reviewer"}, {"steueramt"}};
  return {anna, rita};
}

TEST(Directory, FindsUsersByNormalisedSubjectOrOidcSubject) {
  Directory directory(users());
  auto anna = directory.by_certificate("cn = anna, ou=Betrieb, o=Kanton Solothurn, c=CH");
  ASSERT_TRUE(anna);
  EXPECT_EQ(anna->name, "anna");
  EXPECT_TRUE(anna->has(Role::kOperator));
  EXPECT_FALSE(anna->has(Role::kReviewer));
  EXPECT_FALSE(directory.by_certificate("CN=anna,O=Kanton Solothurn,C=CH"));
  EXPECT_FALSE(directory.by_certificate(""));
  auto rita = directory.by_oidc_subject("rita-sub");
  ASSERT_TRUE(rita);
  EXPECT_TRUE(rita->reviews("steueramt"));
  EXPECT_FALSE(rita->reviews("betreibungsamt"));
  EXPECT_FALSE(directory.by_oidc_subject(""));  // a user without oidcSubject is not ""
  EXPECT_FALSE(directory.by_oidc_subject("anna"));
}

TEST(SessionStore, EverySignInGetsFreshRandomIdsAndIdleSessionsEnd) {
  SessionStore store(1000);
  Operator who{"anna", {Role::kViewer}, {}};
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    Session s = store.create(who, "certificate", "CN=anna", 0);
    EXPECT_EQ(s.id.size(), 64u);
    EXPECT_NE(s.id, s.csrf_token);
    EXPECT_TRUE(ids.insert(s.id).second);
  }
  Session s = store.create(who, "certificate", "CN=anna", 0);
  EXPECT_TRUE(store.find(s.id, 900));  // used at 900: idle again from there
  EXPECT_TRUE(store.find(s.id, 1800));
  EXPECT_FALSE(store.find(s.id, 2801));  // more than 1000 ms unused
  EXPECT_FALSE(store.find(s.id, 2802));
  Session t = store.create(who, "oidc", "", 0);
  store.remove(t.id);
  EXPECT_FALSE(store.find(t.id, 1));
  EXPECT_FALSE(store.find("", 1));
}

TEST(SameToken, ComparesWholeTokensOnly) {
  EXPECT_TRUE(same_token("abc", "abc"));
  EXPECT_FALSE(same_token("abc", "ab"));
  EXPECT_FALSE(same_token("", ""));  // no token is never a match
  EXPECT_FALSE(same_token("abd", "abc"));
}

}  // namespace
}  // namespace portier::console
