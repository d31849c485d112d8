// The portal's three ways in, and the ways a forged or replayed call is kept out.
#include "adapters/rest/portal_auth.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>

namespace portier::rest_adapter {
namespace {

constexpr int64_t kNow = 1'760'000'000'000;

std::string b64url(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

EVP_PKEY* make_key(bool ec) {
  return ec ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
}

std::string write_public(EVP_PKEY* key, const std::string& name) {
  std::string path = (std::filesystem::temp_directory_path() /
                      (name + std::to_string(::getpid()) + ".pem")).string();
  FILE* f = std::fopen(path.c_str(), "w");
  PEM_write_PUBKEY(f, key);
  std::fclose(f);
  return path;
}

std::string sign_jwt(EVP_PKEY* key, const std::string& alg, const boost::json::object& claims) {
  std::string input = b64url(boost::json::serialize(boost::json::object{{"alg", alg}})) + "." +
                      b64url(boost::json::serialize(claims));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (alg == "ES256") {  // DER into r||s
    const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* s = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(s), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(s), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(s);
    sig = raw;
  }
  return input + "." + b64url(sig);
}

class PortalAuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = make_key(false);
    ec_ = make_key(true);
    other_ = make_key(false);
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(rsa_);
    EVP_PKEY_free(ec_);
    EVP_PKEY_free(other_);
  }
  void SetUp() override {
    config::PortalApi api;
    api.enabled = true;
    api.client_certificate_subject = "CN=portal, O=Kanton Solothurn";
    api.token_issuers = {{"https://portal", "portier", write_public(rsa_, "rsa"), ""},
                         {"https://portal-ec", "portier", write_public(ec_, "ec"), ""}};
    api.hmac_keys = {{"k1", "hmac-secret"}};
    auto made = PortalAuthenticator::create(api);
    ASSERT_TRUE(made.is_ok()) << made.status().to_string();
    auth_ = std::move(*made);
  }
  boost::json::object claims(const std::string& iss = "https://portal") {
    return {{"iss", iss}, {"aud", "portier"}, {"sub", "portal"}, {"exp", kNow / 1000 + 60}};
  }
  Result<PortalCaller> bearer(const std::string& token) {
    http::Request r;
    r.headers["Authorization"] = "Bearer " + token;
    return auth_->verify(r, kNow);
  }
  static inline EVP_PKEY* rsa_ = nullptr;
  static inline EVP_PKEY* ec_ = nullptr;
  static inline EVP_PKEY* other_ = nullptr;
  std::unique_ptr<PortalAuthenticator> auth_;
};

TEST_F(PortalAuthTest, AcceptsRs256AndEs256TokensOfConfiguredIssuers) {
  auto rs = bearer(sign_jwt(rsa_, "RS256", claims()));
  ASSERT_TRUE(rs.is_ok()) << rs.status().to_string();
  EXPECT_EQ(rs->method, "bearer");
  auto es = bearer(sign_jwt(ec_, "ES256", claims("https://portal-ec")));
  ASSERT_TRUE(es.is_ok()) << es.status().to_string();
  auto with_array = claims();
  with_array["aud"] = boost::json::array{"other", "portier"};
  EXPECT_TRUE(bearer(sign_jwt(rsa_, "RS256", with_array)).is_ok());
}

TEST_F(PortalAuthTest, RefusesForgedExpiredAndMisdirectedTokens) {
  EXPECT_FALSE(bearer(sign_jwt(other_, "RS256", claims())).is_ok());  // another key
  auto expired = claims();
  expired["exp"] = kNow / 1000 - 3600;
  EXPECT_FALSE(bearer(sign_jwt(rsa_, "RS256", expired)).is_ok());
  auto early = claims();
  early["nbf"] = kNow / 1000 + 3600;
  EXPECT_FALSE(bearer(sign_jwt(rsa_, "RS256", early)).is_ok());
  auto no_exp = claims();
  no_exp.erase("exp");
  EXPECT_FALSE(bearer(sign_jwt(rsa_, "RS256", no_exp)).is_ok());
  auto aud = claims();
  aud["aud"] = "someone-else";
  EXPECT_FALSE(bearer(sign_jwt(rsa_, "RS256", aud)).is_ok());
  EXPECT_FALSE(bearer(sign_jwt(rsa_, "RS256", claims("https://unknown"))).is_ok());
  // ES256 claimed for the RSA issuer's key: the key type decides, not the header.
  EXPECT_FALSE(bearer(sign_jwt(ec_, "ES256", claims())).is_ok());
  std::string good = sign_jwt(rsa_, "RS256", claims());
  std::string payload = good.substr(good.find('.') + 1, good.rfind('.') - good.find('.') - 1);
  EXPECT_FALSE(bearer(b64url(R"({"alg":"none"})") + "." + payload + ".").is_ok());
  EXPECT_FALSE(bearer(b64url(R"({"alg":"HS256"})") + "." + payload + ".c2ln").is_ok());
  EXPECT_FALSE(bearer("not.a-token").is_ok());
  EXPECT_FALSE(bearer(good + "x").is_ok());
}

// Key rollover: the issuer's current and next key are both tried. Before, the first key whose
// issuer matched decided alone, so tokens signed with the next key were refused.
TEST_F(PortalAuthTest, DuringAKeyRolloverBothKeysOfTheIssuerAreAccepted) {
  config::PortalApi api;
  api.enabled = true;
  config::PortalApi::TokenIssuer issuer{"https://portal", "portier", write_public(rsa_, "old"),
                                        write_public(other_, "next")};
  api.token_issuers = {issuer};
  auto made = PortalAuthenticator::create(api);
  ASSERT_TRUE(made.is_ok()) << made.status().to_string();
  http::Request r;
  r.headers["Authorization"] = "Bearer " + sign_jwt(rsa_, "RS256", claims());
  EXPECT_TRUE((*made)->verify(r, kNow).is_ok());
  r.headers["Authorization"] = "Bearer " + sign_jwt(other_, "RS256", claims());
  auto next = (*made)->verify(r, kNow);
  EXPECT_TRUE(next.is_ok()) << next.status().to_string();
  r.headers["Authorization"] = "Bearer " + sign_jwt(ec_, "ES256", claims());
  EXPECT_FALSE((*made)->verify(r, kNow).is_ok());
}

TEST_F(PortalAuthTest, AnIssuerListedTwiceIsRefused) {
  config::PortalApi api;
  api.enabled = true;
  api.token_issuers = {{"https://portal", "portier", write_public(rsa_, "a"), ""},
                       {"https://portal", "portier", write_public(other_, "b"), ""}};
  auto made = PortalAuthenticator::create(api);
  ASSERT_FALSE(made.is_ok());
  EXPECT_NE(made.status().message().find("configured twice"), std::string::npos);
}

TEST_F(PortalAuthTest, HmacSignatureCoversMethodTargetTimeNonceAndBody) {
  http::Request r;
  r.method = "POST";
  r.target = "/portal/v1/identity-checks";
  r.body = R"({"a":1})";
  const std::string ts = std::to_string(kNow / 1000);
  const std::string nonce = "0123456789abcdef0123";
  r.headers["X-Portier-Key-Id"] = "k1";
  r.headers["X-Portier-Timestamp"] = ts;
  r.headers["X-Portier-Nonce"] = nonce;
  r.headers["X-Portier-Signature"] = hmac_signature("hmac-secret", r.method, r.target, ts, nonce, r.body);
  auto ok = auth_->verify(r, kNow);
  ASSERT_TRUE(ok.is_ok()) << ok.status().to_string();
  ASSERT_TRUE(ok->nonce);
  EXPECT_EQ(ok->nonce->value, "hmac:k1:" + nonce);
  EXPECT_EQ(ok->nonce->expires_ms, kNow + 300'000);
  http::Request changed = r;
  changed.body = R"({"a":2})";
  EXPECT_FALSE(auth_->verify(changed, kNow).is_ok());
  changed = r;
  changed.target = "/portal/v1/identity-links/x";
  EXPECT_FALSE(auth_->verify(changed, kNow).is_ok());
  EXPECT_FALSE(auth_->verify(r, kNow + 301'000).is_ok());  // outside the window
  changed = r;
  changed.headers["X-Portier-Key-Id"] = "k2";
  EXPECT_FALSE(auth_->verify(changed, kNow).is_ok());
  changed = r;
  changed.headers.erase("X-Portier-Nonce");
  EXPECT_FALSE(auth_->verify(changed, kNow).is_ok());
}

TEST_F(PortalAuthTest, ClientCertificateOnlyWhenNothingElseIsSent) {
  http::Request r;
  r.client_certificate_subject = "CN=portal,O=Kanton Solothurn";
  auto ok = auth_->verify(r, kNow);
  ASSERT_TRUE(ok.is_ok());
  EXPECT_EQ(ok->method, "mtls");
  r.client_certificate_subject = "CN=mfk,O=Kanton Solothurn";
  EXPECT_FALSE(auth_->verify(r, kNow).is_ok());
  r.client_certificate_subject = "CN=portal,O=Kanton Solothurn";
  r.headers["Authorization"] = "Bearer forged";
  EXPECT_FALSE(auth_->verify(r, kNow).is_ok());
  EXPECT_FALSE(auth_->verify(http::Request{}, kNow).is_ok());
}

}  // namespace
}  // namespace portier::rest_adapter
