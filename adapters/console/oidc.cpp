#include "adapters/console/oidc.h"

#include <boost/json.hpp>

#include "adapters/console/sessions.h"
#include "adapters/rest/portal_auth.h"
#include "connectors/http/http_client.h"
#include "core/base/base64.h"
#include "core/base/digest.h"

namespace portier::console {
namespace {

// The ID token's string claim `name` (after its signature was checked); "" if absent.
std::string claim(const std::string& token, const char* name) {
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string::npos) return {};
  auto payload = base64url_decode(std::string_view(token).substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) return {};
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*payload, ec);
  if (ec || !v.is_object()) return {};
  auto it = v.as_object().find(name);
  if (it == v.as_object().end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

}  // namespace

std::string code_challenge(const std::string& verifier) {
  return base64url_encode(sha256(verifier));
}

Result<std::unique_ptr<OidcClient>> OidcClient::create(const config::Console::OpenIdConnect& s) {
  config::PortalApi tokens;
  tokens.enabled = true;
  tokens.token_issuers.push_back({s.issuer, s.client_id, s.public_key_file, ""});
  tokens.max_skew = std::chrono::minutes(2);
  auto check = rest_adapter::PortalAuthenticator::create(tokens);
  if (!check.is_ok()) return check.status();
  return std::unique_ptr<OidcClient>(new OidcClient(s, std::move(*check)));
}

OidcClient::OidcClient(config::Console::OpenIdConnect settings,
                       std::unique_ptr<rest_adapter::PortalAuthenticator> tokens)
    : settings_(std::move(settings)), tokens_(std::move(tokens)) {}

OidcClient::~OidcClient() = default;

OidcClient::Start OidcClient::start(int64_t now_ms) const {
  Start s;
  s.state = random_token();
  s.pending.verifier = base64url_encode(random_token());  // 86 characters of [A-Za-z0-9_-]
  s.pending.nonce = random_token();
  s.pending.created_ms = now_ms;
  using outbound::url_encode;
  s.location = settings_.authorization_endpoint +
               (settings_.authorization_endpoint.find('?') == std::string::npos ? "?" : "&") +
               "response_type=code&scope=openid&client_id=" + url_encode(settings_.client_id) +
               "&redirect_uri=" + url_encode(settings_.redirect_uri) +
               "&state=" + url_encode(s.state) + "&nonce=" + url_encode(s.pending.nonce) +
               "&code_challenge=" + url_encode(code_challenge(s.pending.verifier)) +
               "&code_challenge_method=S256";
  return s;
}

Result<std::string> OidcClient::finish(const std::string& code, const Pending& pending,
                                       int64_t now_ms) const {
  using outbound::url_encode;
  outbound::HttpCall call;
  call.method = "POST";
  call.url = settings_.token_endpoint;
  call.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
  call.body = "grant_type=authorization_code&code=" + url_encode(code) +
              "&redirect_uri=" + url_encode(settings_.redirect_uri) +
              "&client_id=" + url_encode(settings_.client_id) +
              "&code_verifier=" + url_encode(pending.verifier);
  call.tls.ca_file = settings_.ca_file;
  auto reply = outbound::perform(call);
  if (!reply.is_ok()) {
    return unavailable("OpenID Connect: the token endpoint cannot be reached: " +
                       reply.status().message());
  }
  if (reply->status != 200) {
    return permission_denied("OpenID Connect: the token endpoint refused the code (HTTP " +
                             std::to_string(reply->status) + ")");
  }
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(reply->body, ec);
  if (ec || !body.is_object() || !body.as_object().contains("id_token") ||
      !body.as_object().at("id_token").is_string()) {
    return permission_denied("OpenID Connect: the token endpoint's answer has no id_token");
  }
  const std::string token(body.as_object().at("id_token").as_string());
  http::Request bearer;
  bearer.headers["Authorization"] = "Bearer " + token;
  auto checked = tokens_->verify(bearer, now_ms);
  if (!checked.is_ok()) {
    return permission_denied("OpenID Connect: ID token refused: " + checked.status().message());
  }
  if (!same_token(claim(token, "nonce"), pending.nonce)) {
    return permission_denied("OpenID Connect: the ID token's nonce is not the one sent");
  }
  if (checked->subject.empty()) return permission_denied("OpenID Connect: the ID token has no sub");
  return checked->subject;
}

}  // namespace portier::console
