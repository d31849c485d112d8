// How the portal proves who it is (adapters/rest/portal_auth.h): a bearer JWT (base64url,
// JSON header and claims, RS256/ES256 signature) or HMAC headers. The first line of the input
// is the Authorization header, the second the X-Portier-Signature, the rest the body.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/rest/portal_auth.h"

namespace {

using portier::rest_adapter::PortalAuthenticator;

std::string public_key_file(bool ec) {
  EVP_PKEY* key = ec ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
  const std::string path =
      (std::filesystem::temp_directory_path() /
       ("portier-fuzz-" + std::to_string(::getpid()) + (ec ? "-ec" : "-rsa") + ".pem"))
          .string();
  FILE* f = std::fopen(path.c_str(), "w");
  PEM_write_PUBKEY(f, key);
  std::fclose(f);
  EVP_PKEY_free(key);
  return path;
}

const PortalAuthenticator& authenticator() {
  static const std::unique_ptr<PortalAuthenticator> made = [] {
    portier::config::PortalApi api;
    api.enabled = true;
    portier::config::PortalApi::TokenIssuer rsa{"https://portal", "portier", public_key_file(false),
                                                public_key_file(true)};
    api.token_issuers = {rsa};
    api.hmac_keys = {{"k1", "hmac-secret"}};
    auto result = PortalAuthenticator::create(api);
    return result.is_ok() ? std::move(*result) : nullptr;
  }();
  return *made;
}

std::string_view line(std::string_view& rest) {
  const size_t eol = rest.find('\n');
  std::string_view head = rest.substr(0, eol);
  rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
  return head;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  portier::http::Request request;
  request.method = "POST";
  request.target = "/portal/v1/identity-checks";
  const std::string_view authorization = line(rest);
  const std::string_view signature = line(rest);
  if (!authorization.empty()) request.headers["Authorization"] = std::string(authorization);
  if (!signature.empty()) {
    request.headers["X-Portier-Signature"] = std::string(signature);
    request.headers["X-Portier-Key-Id"] = "k1";
    request.headers["X-Portier-Timestamp"] = "1700000000";
    request.headers["X-Portier-Nonce"] = "0123456789abcdef";
  }
  request.body = std::string(rest);
  authenticator().verify(request, 1'700'000'000'000).ignore();
  return 0;
}
