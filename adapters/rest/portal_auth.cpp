#include "adapters/rest/portal_auth.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <charconv>
#include <cstdio>

#include "core/base/base64.h"
#include "core/base/digest.h"
#include "core/mapping/mapping.h"

namespace portier::rest_adapter {
namespace {

constexpr size_t kMaxTokenBytes = 8192;

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// ES256 signatures are r||s (32 bytes each) in JWS; OpenSSL verifies DER.
std::optional<std::string> es256_to_der(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool verify_signature(EVP_PKEY* key, std::string_view signed_part, std::string_view signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return false;
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(),
                             reinterpret_cast<const unsigned char*>(signed_part.data()),
                             signed_part.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::optional<int64_t> number_claim(const boost::json::object& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (it->value().is_int64()) return it->value().as_int64();
  if (it->value().is_uint64()) return static_cast<int64_t>(it->value().as_uint64());
  if (it->value().is_double()) return static_cast<int64_t>(it->value().as_double());
  return std::nullopt;
}

std::optional<boost::json::object> json_object(std::string_view text) {
  boost::json::parse_options options;
  options.max_depth = 8;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec, {}, options);
  if (ec || !v.is_object()) return std::nullopt;
  return v.as_object();
}

}  // namespace

struct PortalAuthenticator::Issuer {
  config::PortalApi::TokenIssuer settings;
  std::vector<std::unique_ptr<EVP_PKEY, PkeyFree>> keys;  // current, then next (rollover)
};

PortalAuthenticator::PortalAuthenticator(const config::PortalApi& settings) : settings_(settings) {
  if (settings_.client_certificate_subject) {
    settings_.client_certificate_subject =
        mapping::normalize_subject(*settings_.client_certificate_subject);
  }
}

PortalAuthenticator::~PortalAuthenticator() = default;

Result<std::unique_ptr<PortalAuthenticator>> PortalAuthenticator::create(
    const config::PortalApi& settings) {
  std::unique_ptr<PortalAuthenticator> auth(new PortalAuthenticator(settings));
  for (const auto& issuer : settings.token_issuers) {
    for (const auto& other : auth->issuers_) {
      if (other->settings.issuer == issuer.issuer) {
        return invalid_argument("portalApi: bearer token issuer " + issuer.issuer +
                                " configured twice");
      }
    }
    auto entry = std::make_unique<Issuer>();
    entry->settings = issuer;
    for (const std::string& file : {issuer.public_key_file, issuer.next_public_key_file}) {
      if (file.empty()) continue;
      FILE* f = std::fopen(file.c_str(), "r");
      if (!f) return invalid_argument("portalApi: cannot read " + file);
      EVP_PKEY* key = PEM_read_PUBKEY(f, nullptr, nullptr, nullptr);
      std::fclose(f);
      if (!key) return invalid_argument("portalApi: no PEM public key in " + file);
      entry->keys.emplace_back(key);
    }
    auth->issuers_.push_back(std::move(entry));
  }
  return auth;
}

Result<PortalCaller> PortalAuthenticator::verify(const http::Request& request,
                                                 int64_t now_ms) const {
  const std::string authorization = request.header("Authorization");
  if (!authorization.empty()) {
    if (!authorization.starts_with("Bearer ")) {
      return permission_denied("Authorization: only the Bearer scheme is accepted");
    }
    if (issuers_.empty()) return permission_denied("bearer tokens are not accepted here");
    return verify_bearer(authorization.substr(7), now_ms);
  }
  if (!request.header("X-Portier-Signature").empty()) {
    if (settings_.hmac_keys.empty()) return permission_denied("HMAC signatures are not accepted here");
    return verify_hmac(request, now_ms);
  }
  if (settings_.client_certificate_subject && !request.client_certificate_subject.empty()) {
    if (mapping::normalize_subject(request.client_certificate_subject) ==
        *settings_.client_certificate_subject) {
      return PortalCaller{"mtls", request.client_certificate_subject, std::nullopt};
    }
    return permission_denied("the client certificate is not the portal's");
  }
  return permission_denied("no credentials: send a bearer token, an HMAC signature or the "
                           "portal's client certificate");
}

Result<PortalCaller> PortalAuthenticator::verify_bearer(const std::string& token,
                                                        int64_t now_ms) const {
  if (token.size() > kMaxTokenBytes) return permission_denied("bearer token too large");
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string::npos || token.find('.', dot2 + 1) != std::string::npos) {
    return permission_denied("bearer token is not a signed JWT (header.payload.signature)");
  }
  auto header_text = base64url_decode(std::string_view(token).substr(0, dot1));
  auto payload_text = base64url_decode(std::string_view(token).substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = base64url_decode(std::string_view(token).substr(dot2 + 1));
  if (!header_text || !payload_text || !signature) {
    return permission_denied("bearer token is not base64url");
  }
  auto header = json_object(*header_text);
  auto claims = json_object(*payload_text);
  if (!header || !claims) return permission_denied("bearer token is not JSON");
  auto alg_it = header->find("alg");
  const std::string alg =
      alg_it != header->end() && alg_it->value().is_string() ? std::string(alg_it->value().as_string()) : "";
  if (alg != "RS256" && alg != "ES256") {
    return permission_denied("bearer token algorithm '" + alg + "' is not accepted (RS256, ES256)");
  }
  auto iss_it = claims->find("iss");
  const std::string iss = iss_it != claims->end() && iss_it->value().is_string()
                              ? std::string(iss_it->value().as_string())
                              : "";
  const std::string_view signed_part = std::string_view(token).substr(0, dot2);
  for (const auto& issuer : issuers_) {
    if (issuer->settings.issuer != iss) continue;
    // The key type decides the algorithm, not the token's header; during a rollover every key
    // of the issuer (current and next) is tried.
    const int wanted = alg == "RS256" ? EVP_PKEY_RSA : EVP_PKEY_EC;
    std::string sig = *signature;
    if (alg == "ES256") {
      auto der = es256_to_der(sig);
      if (!der) return permission_denied("bearer token: malformed ES256 signature");
      sig = *der;
    }
    bool key_of_type = false;
    bool verified = false;
    for (const auto& key : issuer->keys) {
      if (EVP_PKEY_get_base_id(key.get()) != wanted) continue;
      key_of_type = true;
      verified = verify_signature(key.get(), signed_part, sig);
      if (verified) break;
    }
    if (!key_of_type) {
      return permission_denied(alg == "RS256" ? "bearer token: RS256 with a non-RSA key"
                                              : "bearer token: ES256 with a non-EC key");
    }
    if (!verified) return permission_denied("bearer token signature does not verify");
    // Audience: a string or an array of strings.
    bool audience_ok = false;
    if (auto aud = claims->find("aud"); aud != claims->end()) {
      if (aud->value().is_string()) {
        audience_ok = aud->value().as_string() == issuer->settings.audience;
      } else if (aud->value().is_array()) {
        for (const auto& a : aud->value().as_array()) {
          audience_ok = audience_ok || (a.is_string() && a.as_string() == issuer->settings.audience);
        }
      }
    }
    if (!audience_ok) return permission_denied("bearer token is not meant for this audience");
    const int64_t now_s = now_ms / 1000;
    const int64_t skew_s = settings_.max_skew.count() / 1000;
    auto exp = number_claim(*claims, "exp");
    if (!exp) return permission_denied("bearer token has no exp");
    if (*exp + skew_s < now_s) return permission_denied("bearer token has expired");
    if (auto nbf = number_claim(*claims, "nbf"); nbf && *nbf - skew_s > now_s) {
      return permission_denied("bearer token is not valid yet");
    }
    auto sub = claims->find("sub");
    return PortalCaller{"bearer",
                        sub != claims->end() && sub->value().is_string()
                            ? std::string(sub->value().as_string())
                            : iss,
                        std::nullopt};
  }
  return permission_denied("bearer token issuer is not configured");
}

Result<PortalCaller> PortalAuthenticator::verify_hmac(const http::Request& request,
                                                      int64_t now_ms) const {
  const std::string key_id = request.header("X-Portier-Key-Id");
  const std::string timestamp = request.header("X-Portier-Timestamp");
  const std::string nonce = request.header("X-Portier-Nonce");
  const std::string signature = request.header("X-Portier-Signature");
  if (key_id.empty() || timestamp.empty() || nonce.empty()) {
    return permission_denied("HMAC: X-Portier-Key-Id, X-Portier-Timestamp and X-Portier-Nonce "
                             "are required with X-Portier-Signature");
  }
  if (nonce.size() < 16 || nonce.size() > 128) {
    return permission_denied("HMAC: the nonce must have 16 to 128 characters");
  }
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds);
  if (ec != std::errc() || end != timestamp.data() + timestamp.size()) {
    return permission_denied("HMAC: X-Portier-Timestamp is not Unix seconds");
  }
  const int64_t skew_ms = settings_.max_skew.count();
  if (std::llabs(seconds * 1000 - now_ms) > skew_ms) {
    return permission_denied("HMAC: the timestamp is outside the allowed window");
  }
  for (const auto& key : settings_.hmac_keys) {
    if (key.key_id != key_id) continue;
    std::string expected = hmac_signature(key.secret, request.method, request.target, timestamp,
                                          nonce, request.body);
    if (!constant_time_equal(expected, signature)) {
      return permission_denied("HMAC: the signature does not match");
    }
    // Remembered until the window has passed for this timestamp, so a replay is seen.
    return PortalCaller{"hmac", key_id,
                        journal::Nonce{"hmac:" + key_id + ":" + nonce, seconds * 1000 + skew_ms}};
  }
  return permission_denied("HMAC: unknown key id");
}

std::string hmac_signature(const std::string& secret, const std::string& method,
                           const std::string& target, const std::string& timestamp,
                           const std::string& nonce, const std::string& body) {
  const std::string text =
      method + "\n" + target + "\n" + timestamp + "\n" + nonce + "\n" + sha256_hex(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &len);
  return base64_encode(std::string_view(reinterpret_cast<char*>(mac), len));
}

}  // namespace portier::rest_adapter
