#pragma once
// Sign-in by OpenID Connect for the console: the authorisation code flow with PKCE (RFC 7636,
// S256) against the configured issuer. start() makes the state, the nonce and the code verifier
// and the address the browser is sent to; finish() redeems the code at the token endpoint
// (libcurl, with the verifier) and checks the ID token with the portal interface's JWT check
// (adapters/rest/portal_auth.h: RS256/ES256 with the issuer's key, iss, aud = client id,
// exp/nbf), then its nonce. The user is the token's sub.
//
// Threads: immutable after construction; start() from any thread; finish() blocks on the
// token endpoint, so it runs on a worker thread.
#include <cstdint>
#include <memory>
#include <string>

#include "core/base/status.h"
#include "core/config/config.h"

namespace portier::rest_adapter {
class PortalAuthenticator;
}

namespace portier::console {

class OidcClient {
 public:
  // What the callback needs of a sign-in under way.
  struct Pending {
    std::string verifier;
    std::string nonce;
    int64_t created_ms = 0;
  };
  struct Start {
    std::string state;
    Pending pending;
    std::string location;  // the issuer's authorisation address with every parameter
  };

  // Fails naming the key file if it cannot be read.
  static Result<std::unique_ptr<OidcClient>> create(const config::Console::OpenIdConnect& s);
  ~OidcClient();

  Start start(int64_t now_ms) const;
  // The ID token's sub, or kPermissionDenied saying why not.
  Result<std::string> finish(const std::string& code, const Pending& pending, int64_t now_ms) const;

 private:
  OidcClient(config::Console::OpenIdConnect settings,
             std::unique_ptr<rest_adapter::PortalAuthenticator> tokens);
  config::Console::OpenIdConnect settings_;
  std::unique_ptr<rest_adapter::PortalAuthenticator> tokens_;
};

// The S256 code challenge of a verifier: base64url(SHA-256(verifier)).
std::string code_challenge(const std::string& verifier);

}  // namespace portier::console
