#pragma once
// Who is calling the portal interface: the portal, proved by one of the configured means —
//  * mutual TLS: the verified client certificate's subject is the configured one;
//  * OAuth2 bearer token: a JWT (RFC 7519) signed RS256 or ES256 by a configured issuer's key,
//    with that iss, the configured audience in aud, and exp/nbf holding now (within the skew);
//    "alg":"none", HMAC algorithms and keys of the wrong type are refused;
//  * HMAC-SHA256 signature over "METHOD\nTARGET\nTIMESTAMP\nNONCE\nhex(SHA-256(body))" with a
//    configured key, sent as X-Portier-Key-Id, X-Portier-Timestamp (Unix seconds),
//    X-Portier-Nonce and X-Portier-Signature (Base64); the timestamp must lie within the skew,
//    and the nonce is remembered by the caller (in the journal) so a replay is refused.
// A request that sends a token or a signature is judged by it alone; the certificate counts only
// when neither is sent. Refusals say why without echoing the secret, token or signature.
//
// Threads: PortalAuthenticator is immutable after construction; verify() from any thread.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/http/message.h"
#include "core/base/status.h"
#include "core/config/config.h"
#include "core/journal/journal.h"

namespace portier::rest_adapter {

struct PortalCaller {
  std::string method;                  // "mtls", "bearer" or "hmac"
  std::string subject;                 // certificate subject, token sub, or key id
  std::optional<journal::Nonce> nonce; // HMAC: to remember (replay protection)
};

class PortalAuthenticator {
 public:
  // Loads the issuers' public keys; fails naming the file that cannot be read.
  static Result<std::unique_ptr<PortalAuthenticator>> create(const config::PortalApi& settings);
  ~PortalAuthenticator();

  // kPermissionDenied with the reason, or the caller.
  Result<PortalCaller> verify(const http::Request& request, int64_t now_ms) const;

 private:
  struct Issuer;
  explicit PortalAuthenticator(const config::PortalApi& settings);
  Result<PortalCaller> verify_bearer(const std::string& token, int64_t now_ms) const;
  Result<PortalCaller> verify_hmac(const http::Request& request, int64_t now_ms) const;

  config::PortalApi settings_;
  std::vector<std::unique_ptr<Issuer>> issuers_;
};

// The HMAC signature (Base64) of a request, as the portal computes it (also used by tests).
std::string hmac_signature(const std::string& secret, const std::string& method,
                           const std::string& target, const std::string& timestamp,
                           const std::string& nonce, const std::string& body);

}  // namespace portier::rest_adapter
