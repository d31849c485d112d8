#include "tests/sim/portal_sim.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <utility>
#include <variant>

#include "core/base/digest.h"
#include "tests/sim/replies.h"

namespace portier::sim {
namespace {

constexpr size_t kMaxBusinessProcessIdChars = 128;  // eCH-0058 businessProcessId
constexpr const char* kWriteScope = "businesscases.write";

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         strncasecmp(text.data(), prefix.data(), prefix.size()) == 0;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Characters, not bytes, of UTF-8 text.
size_t utf8_length(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

boost::json::value optional_string(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return boost::json::string(*s);
}

// An RFC 6749 §5.2 error.
http::Response oauth_error(unsigned status, const char* error, std::string_view description) {
  http::Response r =
      json_reply(status, boost::json::object{{"error", error}, {"error_description", description}});
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

bool is_json_content_type(const std::string& content_type) {
  std::string t = lower(content_type.substr(0, content_type.find(';')));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"));
}

// The body of a mutation as a JSON object, or the 415/400 to answer.
std::variant<boost::json::object, http::Response> json_object_body(const http::Request& request) {
  if (!is_json_content_type(request.header("Content-Type"))) {
    return problem_reply(415, "Content-Type: must be application/json");
  }
  auto parsed = parse_json(request.body);
  if (!parsed || !parsed->is_object()) return problem_reply(400, "body: must be a JSON object");
  return std::move(parsed->as_object());
}

void add_error(boost::json::object& errors, std::string_view field, std::string_view message) {
  errors[field].emplace_array().emplace_back(boost::json::string(message));
}

// A required, non-empty string member; records an error naming it otherwise.
std::optional<std::string> required_string(const boost::json::object& body, const char* field,
                                           boost::json::object& errors) {
  const boost::json::value* v = body.if_contains(field);
  if (v == nullptr || v->is_null()) {
    add_error(errors, field, "is required");
  } else if (!v->is_string()) {
    add_error(errors, field, "must be a string");
  } else if (v->as_string().empty()) {
    add_error(errors, field, "must not be empty");
  } else {
    return std::string(v->as_string());
  }
  return std::nullopt;
}

// An optional string member (absent or null: nothing); records an error if of another type.
std::optional<std::string> optional_string_member(const boost::json::object& body,
                                                  const char* field, boost::json::object& errors) {
  const boost::json::value* v = body.if_contains(field);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    add_error(errors, field, "must be a string or null");
    return std::nullopt;
  }
  return std::string(v->as_string());
}

// The business case id at the end of `path` (lower case), "" if the path has none.
std::string case_id_from_path(const std::string& path) {
  std::string prefix = std::string(PortalSim::kBusinessCasesPath) + "/";
  std::string id = path.substr(prefix.size());
  if (id.empty() || id.find('/') != std::string::npos) return {};
  return lower(std::move(id));
}

}  // namespace

const std::set<std::string>& PortalSim::statuses() {
  static const std::set<std::string> kStatuses = {"OPEN",    "IN_PROGRESS", "WAITING_FOR_CUSTOMER",
                                                  "DECIDED", "CLOSED",      "CANCELLED"};
  return kStatuses;
}

PortalSim::PortalSim(PortalSimOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

void PortalSim::register_routes(http::Router& router) {
  router.add("POST", "/oauth2/token", [this](http::Request request, http::Respond respond) {
    issue_token(request, respond);
  });
  router.add("POST", kBusinessCasesPath, [this](http::Request request, http::Respond respond) {
    mutate(request, respond, [this](const http::Request& r) { return create_case(r); });
  });
  const std::string one_case = std::string(kBusinessCasesPath) + "/";
  router.add("PATCH", one_case, [this](http::Request request, http::Respond respond) {
    mutate(request, respond, [this](const http::Request& r) { return patch_case(r); });
  });
  router.add("GET", one_case,
             [this](http::Request request, http::Respond respond) { get_case(request, respond); });
}

void PortalSim::issue_token(const http::Request& request, const http::Respond& respond) {
  if (!starts_with_nocase(request.header("Content-Type"), "application/x-www-form-urlencoded")) {
    return respond(oauth_error(400, "invalid_request",
                               "Content-Type must be application/x-www-form-urlencoded"));
  }
  std::map<std::string, std::string> form;
  std::string_view rest = request.body;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = form_decode(pair.substr(0, eq));
    auto value = form_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!key || !value) return respond(oauth_error(400, "invalid_request", "malformed form body"));
    form[*key] = *value;
  }

  // Client authentication: HTTP Basic or the form fields client_id / client_secret, never
  // both. RFC 6749 §2.3.1 form-encodes id and secret inside Basic; many clients (libcurl's
  // CURLOPT_USERPWD) do not, so both readings are accepted.
  bool authenticated = false;
  bool basic = false;
  std::string authorization = request.header("Authorization");
  if (starts_with_nocase(authorization, "Basic ")) {
    basic = true;
    if (form.contains("client_secret")) {
      return respond(oauth_error(400, "invalid_request",
                                 "use one client authentication method, not Basic and the form"));
    }
    auto decoded = base64_decode(std::string_view(authorization).substr(6));
    size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon != std::string::npos) {
      std::string id = decoded->substr(0, colon);
      std::string secret = decoded->substr(colon + 1);
      authenticated =
          (id == options_.client_id && secret == options_.client_secret) ||
          (form_decode(id) == options_.client_id && form_decode(secret) == options_.client_secret);
    }
  } else {
    authenticated =
        form["client_id"] == options_.client_id && form["client_secret"] == options_.client_secret;
  }
  if (!authenticated || options_.client_secret.empty()) {
    http::Response r = oauth_error(401, "invalid_client", "client authentication failed");
    if (basic) r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"portier-sim\"");
    return respond(std::move(r));
  }

  if (!form.contains("grant_type")) {
    return respond(oauth_error(400, "invalid_request", "grant_type is required"));
  }
  if (form["grant_type"] != "client_credentials") {
    return respond(oauth_error(400, "unsupported_grant_type", "only client_credentials"));
  }

  std::set<std::string> granted;
  if (form.contains("scope") && !form["scope"].empty()) {
    std::string_view scopes = form["scope"];
    while (!scopes.empty()) {
      size_t space = scopes.find(' ');
      std::string scope(scopes.substr(0, space));
      scopes = space == std::string_view::npos ? std::string_view() : scopes.substr(space + 1);
      if (scope.empty()) continue;
      if (std::find(options_.scopes.begin(), options_.scopes.end(), scope) ==
          options_.scopes.end()) {
        return respond(oauth_error(400, "invalid_scope", "unknown scope " + scope));
      }
      granted.insert(scope);
    }
  } else {
    granted.insert(options_.scopes.begin(), options_.scopes.end());
  }
  std::string scope_text;
  for (const std::string& s : granted) scope_text += (scope_text.empty() ? "" : " ") + s;

  std::string token = random_uuid();
  {
    std::lock_guard lock(mutex_);
    int64_t now = clock_.now_ms();
    std::erase_if(tokens_, [now](const auto& entry) { return entry.second.expires_ms <= now; });
    tokens_[token] = Token{now + options_.token_lifetime.count() * 1000, granted};
    ++tokens_issued_;
  }
  http::Response r = json_reply(200, boost::json::object{
                                         {"access_token", token},
                                         {"token_type", "Bearer"},
                                         {"expires_in", options_.token_lifetime.count()},
                                         {"scope", scope_text},
                                     });
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Pragma", "no-cache");
  respond(std::move(r));
}

std::optional<http::Response> PortalSim::check_bearer(const http::Request& request,
                                                      const char* scope) const {
  std::string authorization = request.header("Authorization");
  if (!starts_with_nocase(authorization, "Bearer ")) {
    http::Response r = problem_reply(401, "Authorization: a Bearer access token is required");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"portier-sim\"");
    return r;
  }
  auto it = tokens_.find(authorization.substr(7));
  if (it == tokens_.end() || it->second.expires_ms <= clock_.now_ms()) {
    http::Response r =
        problem_reply(401, "Authorization: the access token is unknown or has expired");
    r.headers.emplace_back("WWW-Authenticate",
                           "Bearer realm=\"portier-sim\", error=\"invalid_token\"");
    return r;
  }
  if (scope != nullptr && !it->second.scopes.contains(scope)) {
    http::Response r = problem_reply(403, std::string("the access token lacks the scope ") + scope);
    r.headers.emplace_back("WWW-Authenticate",
                           std::string("Bearer realm=\"portier-sim\", "
                                       "error=\"insufficient_scope\", scope=\"") +
                               scope + "\"");
    return r;
  }
  return std::nullopt;
}

template <class Apply>
void PortalSim::mutate(const http::Request& request, const http::Respond& respond, Apply apply) {
  http::Response answer;
  std::string key = request.header("Idempotency-Key");
  {
    std::lock_guard lock(mutex_);
    if (auto denied = check_bearer(request, kWriteScope)) {
      answer = std::move(*denied);
    } else if (key.empty()) {
      answer = problem_reply(
          400, "Idempotency-Key: header is required on every mutating call",
          {{"errors",
            boost::json::object{{"Idempotency-Key", boost::json::array{"is required"}}}}});
    } else {
      std::string fingerprint =
          sha256_hex(request.method + '\n' + request.path + '\n' + request.body);
      auto [it, first] = keys_.try_emplace(key);
      KeyRecord& record = it->second;
      ++record.received;
      if (!first && record.fingerprint != fingerprint) {
        answer = validation_problem("Idempotency-Key", "was already used for a different request");
      } else if (!first) {
        answer = record.first_answer;
        answer.headers.emplace_back("Idempotent-Replayed", "true");
      } else {
        Outcome outcome = apply(request);
        record.fingerprint = std::move(fingerprint);
        record.first_answer = outcome.response;
        if (outcome.applied) {
          ++record.applied;
          ++effects_;
        }
        answer = std::move(outcome.response);
      }
    }
  }
  respond(std::move(answer));
}

PortalSim::Outcome PortalSim::create_case(const http::Request& request) {
  auto body_or_error = json_object_body(request);
  if (auto* error = std::get_if<http::Response>(&body_or_error)) return {std::move(*error)};
  const boost::json::object& body = std::get<boost::json::object>(body_or_error);

  boost::json::object errors;
  BusinessCase c;
  if (auto id = required_string(body, "businessCaseId", errors)) {
    if (is_uuid(*id)) {
      c.id = lower(*id);
    } else {
      add_error(errors, "businessCaseId", "must be a UUID");
    }
  }
  if (auto owner = required_string(body, "ownerId", errors)) c.owner_id = *owner;
  const boost::json::value* service = body.if_contains("serviceId");
  if (service == nullptr || service->is_null()) {
    add_error(errors, "serviceId", "is required");
  } else if (service->is_int64() && service->as_int64() >= std::numeric_limits<int32_t>::min() &&
             service->as_int64() <= std::numeric_limits<int32_t>::max()) {
    c.service_id = static_cast<int32_t>(service->as_int64());
  } else {
    add_error(errors, "serviceId", "must be an integer (int32)");
  }
  if (auto title = required_string(body, "title", errors)) c.title = *title;
  if (auto bpid = required_string(body, "businessProcessId", errors)) {
    if (utf8_length(*bpid) > kMaxBusinessProcessIdChars) {
      add_error(errors, "businessProcessId", "must be at most 128 characters");
    } else {
      c.business_process_id = *bpid;
    }
  }
  c.external_reference = optional_string_member(body, "externalReference", errors);
  if (!errors.empty()) return {validation_problem(errors)};

  if (case_index_.contains(c.id)) {
    return {problem_reply(409, "businessCaseId: business case " + c.id +
                                   " already exists (created under another Idempotency-Key)")};
  }
  c.created_ms = c.updated_ms = clock_.now_ms();
  c.history.push_back({c.status, c.status_text, c.created_ms});
  http::Response r =
      json_reply(201, boost::json::object{{"businessCaseId", c.id}, {"status", c.status}});
  r.headers.emplace_back("Location", std::string(kBusinessCasesPath) + "/" + c.id);
  case_index_[c.id] = cases_.size();
  cases_.push_back(std::move(c));
  return {std::move(r), true};
}

PortalSim::Outcome PortalSim::patch_case(const http::Request& request) {
  std::string id = case_id_from_path(request.path);
  auto found = case_index_.find(id);
  if (found == case_index_.end()) {
    return {problem_reply(404, "business case " + id + " not found")};
  }
  auto body_or_error = json_object_body(request);
  if (auto* error = std::get_if<http::Response>(&body_or_error)) return {std::move(*error)};
  const boost::json::object& body = std::get<boost::json::object>(body_or_error);

  boost::json::object errors;
  std::optional<std::string> status = required_string(body, "status", errors);
  if (status && !statuses().contains(*status)) {
    add_error(errors, "status",
              "must be one of OPEN, IN_PROGRESS, WAITING_FOR_CUSTOMER, DECIDED, CLOSED, CANCELLED");
  }
  std::optional<std::string> status_text = optional_string_member(body, "statusText", errors);
  if (!errors.empty()) return {validation_problem(errors)};

  BusinessCase& c = cases_[found->second];
  c.status = *status;
  c.status_text = status_text;
  c.updated_ms = clock_.now_ms();
  c.history.push_back({c.status, c.status_text, c.updated_ms});
  return {json_reply(200, case_json(c)), true};
}

void PortalSim::get_case(const http::Request& request, const http::Respond& respond) {
  http::Response answer;
  {
    std::lock_guard lock(mutex_);
    if (auto denied = check_bearer(request, nullptr)) {
      answer = std::move(*denied);
    } else {
      std::string id = case_id_from_path(request.path);
      auto found = case_index_.find(id);
      answer = found == case_index_.end() ? problem_reply(404, "business case " + id + " not found")
                                          : json_reply(200, case_json(cases_[found->second]));
    }
  }
  respond(std::move(answer));
}

boost::json::value PortalSim::case_json(const BusinessCase& c) const {
  boost::json::array history;
  for (const HistoryEntry& h : c.history) {
    history.push_back(boost::json::object{{"status", h.status},
                                          {"statusText", optional_string(h.status_text)},
                                          {"at", format_utc(h.at_ms)}});
  }
  return boost::json::object{
      {"businessCaseId", c.id},
      {"ownerId", c.owner_id},
      {"serviceId", c.service_id},
      {"title", c.title},
      {"businessProcessId", c.business_process_id},
      {"externalReference", optional_string(c.external_reference)},
      {"status", c.status},
      {"statusText", optional_string(c.status_text)},
      {"createdAt", format_utc(c.created_ms)},
      {"updatedAt", format_utc(c.updated_ms)},
      {"history", std::move(history)},
  };
}

boost::json::value PortalSim::inspect() const {
  std::lock_guard lock(mutex_);
  boost::json::array cases;
  for (const BusinessCase& c : cases_) cases.push_back(case_json(c));
  boost::json::object keys;
  for (const auto& [key, record] : keys_) {
    keys[key] = boost::json::object{{"received", record.received},
                                    {"applied", record.applied},
                                    {"status", record.first_answer.status}};
  }
  int64_t now = clock_.now_ms();
  auto active = std::count_if(tokens_.begin(), tokens_.end(),
                              [now](const auto& entry) { return entry.second.expires_ms > now; });
  return boost::json::object{
      {"businessCases", std::move(cases)},
      {"effects", effects_},
      {"keys", std::move(keys)},
      {"tokens", boost::json::object{{"issued", tokens_issued_}, {"active", active}}},
  };
}

void PortalSim::reset() {
  std::lock_guard lock(mutex_);
  cases_.clear();
  case_index_.clear();
  keys_.clear();
  effects_ = 0;
  tokens_issued_ = 0;
}

}  // namespace portier::sim
