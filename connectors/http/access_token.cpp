#include "connectors/http/access_token.h"

#include <boost/json.hpp>

#include "connectors/http/http_client.h"
#include "connectors/http/problem.h"

namespace portier::outbound {

namespace {
constexpr int64_t kRenewEarlyMs = 60'000;
}

AccessToken::AccessToken(const config::Portal& settings, const Clock& clock)
    : settings_(settings), clock_(clock) {}

Result<std::string> AccessToken::get() {
  std::lock_guard lock(mutex_);
  if (!token_.empty() && clock_.now_ms() < renew_at_ms_) return token_;
  HttpCall call;
  call.method = "POST";
  call.url = settings_.token_url;
  call.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
  call.body = "grant_type=client_credentials&client_id=" + url_encode(settings_.client_id) +
              "&client_secret=" + url_encode(settings_.client_secret);
  if (!settings_.scope.empty()) call.body += "&scope=" + url_encode(settings_.scope);
  call.timeout = settings_.timeout;
  call.tls = settings_.tls;
  auto reply = perform(call);
  if (!reply.is_ok()) return unavailable("token endpoint: " + reply.status().message());
  if (reply->status != 200) {
    return unavailable("token endpoint answered HTTP " + std::to_string(reply->status) + ": " +
                       describe_problem(reply->body));
  }
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(reply->body, ec);
  const boost::json::value* token = !ec && v.is_object() ? v.as_object().if_contains("access_token")
                                                         : nullptr;
  if (!token || !token->is_string()) return unavailable("token endpoint sent no access_token");
  int64_t lifetime_ms = 300'000;
  if (auto* e = v.as_object().if_contains("expires_in"); e && e->is_number()) {
    lifetime_ms = e->to_number<int64_t>() * 1000;
  }
  token_ = std::string(token->as_string());
  renew_at_ms_ = clock_.now_ms() + std::max<int64_t>(lifetime_ms - kRenewEarlyMs, lifetime_ms / 2);
  return token_;
}

void AccessToken::invalidate(const std::string& token) {
  std::lock_guard lock(mutex_);
  if (token_ == token) token_.clear();
}

}  // namespace portier::outbound
