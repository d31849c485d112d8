// PKCE as RFC 7636 Appendix B computes it, and the authorisation address the console sends the
// browser to.
#include "adapters/console/oidc.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace portier::console {
namespace {

TEST(Pkce, S256ChallengeOfRfc7636AppendixB) {
  EXPECT_EQ(code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(OidcClient, StartCarriesStateNonceAndChallenge) {
  auto folder = std::filesystem::temp_directory_path() / "portier-oidc-test";
  std::filesystem::create_directories(folder);
  const std::string key = (folder / "key.pem").string();
  ASSERT_EQ(std::system(("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null"
                         " | openssl pkey -pubout -out " +
                         key + " 2>/dev/null")
                            .c_str()),
            0);
  config::Console::OpenIdConnect settings{
      "https://idp.example/oidc",
      "https://idp.example/oidc/authorize",
      "https://idp.example/oidc/token",
      "portier-console",
      "https://console.example/console/api/session/oidc/callback",
      key,
      ""};
  auto client = OidcClient::create(settings);
  ASSERT_TRUE(client.is_ok()) << client.status().to_string();
  OidcClient::Start a = (*client)->start(1);
  OidcClient::Start b = (*client)->start(1);
  EXPECT_NE(a.state, b.state);
  EXPECT_NE(a.pending.verifier, b.pending.verifier);
  EXPECT_GE(a.pending.verifier.size(), 43u);
  EXPECT_EQ(a.location.rfind("https://idp.example/oidc/authorize?response_type=code", 0), 0u);
  EXPECT_NE(a.location.find("&code_challenge=" + code_challenge(a.pending.verifier)),
            std::string::npos);
  EXPECT_NE(a.location.find("&code_challenge_method=S256"), std::string::npos);
  EXPECT_NE(a.location.find("&state=" + a.state), std::string::npos);
  EXPECT_NE(a.location.find("&nonce=" + a.pending.nonce), std::string::npos);
  EXPECT_NE(a.location.find("redirect_uri=https%3A%2F%2Fconsole.example"), std::string::npos);
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace portier::console
