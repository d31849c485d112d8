#include "tests/sim/portal_sim.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <utility>
#include <variant>

#include "core/base/digest.h"
#include "tests/sim/replies.h"

namespace portier::sim {
namespace {

constexpr size_t kMaxBusinessProcessIdChars = 128;  // eCH-0058 businessProcessId
constexpr const char* kCasesWriteScope = "businesscases.write";
constexpr const char* kActivitiesReadScope = "activities.read";
constexpr const char* kActivitiesWriteScope = "activities.write";
constexpr const char* kMessagesWriteScope = "messages.write";
constexpr int64_t kDefaultPageSize = 50;  // OURS: the docs show no default
constexpr int64_t kDefaultFeedLimit = 100;
constexpr int64_t kMaxFeedLimit = 1000;

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

// An optional member that must be a UUID if present (absent or null: nothing); lower case.
std::optional<std::string> optional_uuid_member(const boost::json::object& body, const char* field,
                                                boost::json::object& errors) {
  std::optional<std::string> v = optional_string_member(body, field, errors);
  if (v && !is_uuid(*v)) {
    add_error(errors, field, "must be a UUID");
    return std::nullopt;
  }
  if (v) return lower(std::move(*v));
  return std::nullopt;
}

// An int32 member: `required` ones record "is required" when absent or null.
std::optional<int32_t> int32_member(const boost::json::object& body, const char* field,
                                    bool required, boost::json::object& errors) {
  const boost::json::value* v = body.if_contains(field);
  if (v == nullptr || v->is_null()) {
    if (required) add_error(errors, field, "is required");
    return std::nullopt;
  }
  if (v->is_int64() && v->as_int64() >= std::numeric_limits<int32_t>::min() &&
      v->as_int64() <= std::numeric_limits<int32_t>::max()) {
    return static_cast<int32_t>(v->as_int64());
  }
  add_error(errors, field, "must be an integer (int32)");
  return std::nullopt;
}

// An optional boolean member (absent or null: `fallback`).
bool bool_member(const boost::json::object& body, const char* field, bool fallback,
                 boost::json::object& errors) {
  const boost::json::value* v = body.if_contains(field);
  if (v == nullptr || v->is_null()) return fallback;
  if (!v->is_bool()) {
    add_error(errors, field, "must be true or false");
    return fallback;
  }
  return v->as_bool();
}

// The query string's parameters with names in lower case (ASP.NET Core binds them regardless
// of case); the first of repeated names wins. Nothing if an escape is malformed.
std::optional<std::map<std::string, std::string>> query_params(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = form_decode(pair.substr(0, eq));
    auto value = form_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    params.try_emplace(lower(std::move(*name)), std::move(*value));
  }
  return params;
}

// An integer query parameter in [min, max]: `fallback` if absent or empty; records an error
// naming `field` otherwise.
int64_t int_param(const std::map<std::string, std::string>& params, const char* field,
                  int64_t fallback, int64_t min, int64_t max, boost::json::object& errors) {
  auto it = params.find(lower(field));
  if (it == params.end() || it->second.empty()) return fallback;
  const std::string& text = it->second;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < min || n > max) {
    add_error(errors, field,
              "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return fallback;
  }
  return n;
}

// The id at the end of `path` below `collection` ("/api/v9/activities"), "" if there is none.
std::string id_from_path(const std::string& path, std::string_view collection) {
  std::string id = path.substr(std::min(path.size(), collection.size() + 1));
  if (id.find('/') != std::string::npos) return {};
  return id;
}

// The activity id in a path, or nothing if it is not an int32.
std::optional<int32_t> activity_id_from_path(const std::string& path) {
  std::string text = id_from_path(path, PortalSim::kActivitiesPath);
  int32_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
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
  // A mutation: `apply` once per Idempotency-Key, under `scope`.
  auto mutation = [this](const char* scope, Outcome (PortalSim::*apply)(const http::Request&)) {
    return [this, scope, apply](http::Request request, http::Respond respond) {
      mutate(request, respond, scope,
             [this, apply](const http::Request& r) { return (this->*apply)(r); });
    };
  };
  // A read: `answer` under `scope` (nullptr: any valid token).
  auto reading = [this](const char* scope,
                        http::Response (PortalSim::*answer)(const http::Request&) const) {
    return [this, scope, answer](http::Request request, http::Respond respond) {
      read(request, respond, scope,
           [this, answer](const http::Request& r) { return (this->*answer)(r); });
    };
  };
  const std::string one_case = std::string(kBusinessCasesPath) + "/";
  router.add("POST", kBusinessCasesPath, mutation(kCasesWriteScope, &PortalSim::create_case));
  router.add("PATCH", one_case, mutation(kCasesWriteScope, &PortalSim::patch_case));
  router.add("GET", one_case, reading(nullptr, &PortalSim::get_case));

  const std::string one_activity = std::string(kActivitiesPath) + "/";
  router.add("POST", kActivitiesPath, mutation(kActivitiesWriteScope, &PortalSim::create_activity));
  router.add("GET", kActivitiesPath, reading(kActivitiesReadScope, &PortalSim::list_activities));
  router.add("GET", one_activity, reading(kActivitiesReadScope, &PortalSim::get_activity));
  router.add("DELETE", one_activity, mutation(kActivitiesWriteScope, &PortalSim::delete_activity));

  router.add("POST", kNotificationsPath,
             mutation(kMessagesWriteScope, &PortalSim::create_notification));
  router.add("GET", kFeedPath, reading(nullptr, &PortalSim::feed));
  router.add("POST", kMessagesPath, mutation(kMessagesWriteScope, &PortalSim::create_message));
}

void PortalSim::register_control_routes(http::Router& router) {
  router.add("POST", kReadPath, [this](http::Request request, http::Respond respond) {
    read_message(request, respond);
  });
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

std::optional<http::Response> PortalSim::authorize(const http::Request& request,
                                                   const char* scope) const {
  std::lock_guard lock(mutex_);
  return check_bearer(request, scope);
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

template <class Answer>
void PortalSim::read(const http::Request& request, const http::Respond& respond, const char* scope,
                     Answer answer) {
  http::Response reply;
  {
    std::lock_guard lock(mutex_);
    if (auto denied = check_bearer(request, scope)) {
      reply = std::move(*denied);
    } else {
      reply = answer(request);
    }
  }
  respond(std::move(reply));
}

template <class Apply>
void PortalSim::mutate(const http::Request& request, const http::Respond& respond,
                       const char* scope, Apply apply) {
  http::Response answer;
  std::string key = request.header("Idempotency-Key");
  {
    std::lock_guard lock(mutex_);
    if (auto denied = check_bearer(request, scope)) {
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
  if (auto service = int32_member(body, "serviceId", true, errors)) c.service_id = *service;
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
  return {json_reply(200, case_json(c, false)), true};
}

http::Response PortalSim::get_case(const http::Request& request) const {
  std::string id = case_id_from_path(request.path);
  auto found = case_index_.find(id);
  return found == case_index_.end() ? problem_reply(404, "business case " + id + " not found")
                                    : json_reply(200, case_json(cases_[found->second]));
}

PortalSim::Outcome PortalSim::create_activity(const http::Request& request) {
  auto body_or_error = json_object_body(request);
  if (auto* error = std::get_if<http::Response>(&body_or_error)) return {std::move(*error)};
  const boost::json::object& body = std::get<boost::json::object>(body_or_error);

  boost::json::object errors;
  for (const char* assigned : {"id", "createdBy", "creationStamp"}) {
    if (body.contains(assigned)) add_error(errors, assigned, "is assigned by the portal");
  }
  Activity a;
  if (auto owner = required_string(body, "ownerId", errors)) a.owner_id = *owner;
  if (auto title = required_string(body, "title", errors)) a.title = *title;
  a.body = optional_string_member(body, "body", errors);
  if (auto type = required_string(body, "type", errors)) a.type = *type;
  a.target = optional_string_member(body, "target", errors);
  a.event = optional_string_member(body, "event", errors);
  a.module = optional_string_member(body, "module", errors);
  a.object_id = optional_string_member(body, "objectId", errors);
  a.business_case_id = optional_uuid_member(body, "businessCaseId", errors);
  a.service_id = int32_member(body, "serviceId", false, errors);
  a.related_profile_id = int32_member(body, "relatedProfileId", false, errors);
  a.creation_ms = clock_.now_ms();
  a.display_ms = a.creation_ms;
  if (auto stamp = optional_string_member(body, "displayStamp", errors)) {
    if (auto ms = parse_rfc3339(*stamp)) {
      a.display_ms = *ms;
    } else {
      add_error(errors, "displayStamp", "must be an RFC 3339 date-time");
    }
  }
  if (!errors.empty()) return {validation_problem(errors)};
  if (next_activity_id_ == std::numeric_limits<int32_t>::max()) {
    return {problem_reply(500, "id: the simulator ran out of activity ids")};
  }

  a.id = next_activity_id_++;
  a.created_by = options_.client_id;
  http::Response r = json_reply(201, activity_json(a));
  r.headers.emplace_back("Location", std::string(kActivitiesPath) + "/" + std::to_string(a.id));
  activities_.emplace(a.id, std::move(a));
  return {std::move(r), true};
}

PortalSim::Outcome PortalSim::delete_activity(const http::Request& request) {
  std::optional<int32_t> id = activity_id_from_path(request.path);
  if (!id) return {validation_problem("activityId", "must be an integer (int32)")};
  if (activities_.erase(*id) == 0) {
    return {problem_reply(404, "activity " + std::to_string(*id) + " not found")};
  }
  return {http::Response::text(204, ""), true};
}

http::Response PortalSim::get_activity(const http::Request& request) const {
  std::optional<int32_t> id = activity_id_from_path(request.path);
  if (!id) return validation_problem("activityId", "must be an integer (int32)");
  auto found = activities_.find(*id);
  if (found == activities_.end()) {
    return problem_reply(404, "activity " + std::to_string(*id) + " not found");
  }
  return json_reply(200, activity_json(found->second));
}

http::Response PortalSim::list_activities(const http::Request& request) const {
  auto params = query_params(request.query);
  if (!params) return problem_reply(400, "query: malformed percent-encoding");
  boost::json::object errors;
  std::string owner_id;
  if (auto it = params->find("ownerid"); it != params->end() && !it->second.empty()) {
    owner_id = it->second;
  } else {
    add_error(errors, "OwnerId", "is required");
  }
  std::optional<std::string> business_case_id;
  if (auto it = params->find("businesscaseid"); it != params->end() && !it->second.empty()) {
    if (is_uuid(it->second)) {
      business_case_id = lower(it->second);
    } else {
      add_error(errors, "BusinessCaseId", "must be a UUID");
    }
  }
  constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
  int64_t page_number = int_param(*params, "PageNumber", 1, 1, kInt32Max, errors);
  int64_t page_size = int_param(*params, "PageSize", kDefaultPageSize, -1, kInt32Max, errors);
  if (!errors.empty()) return validation_problem(errors);

  boost::json::array items;
  int64_t total = 0;
  // PageSize -1 (allowed by the real range): every item on one page (INFERRED meaning).
  int64_t first = page_size < 0 ? 0 : (page_number - 1) * page_size;
  for (const auto& [id, a] : activities_) {
    if (a.owner_id != owner_id) continue;
    if (business_case_id && a.business_case_id != business_case_id) continue;
    if (total >= first && (page_size < 0 || total < first + page_size)) {
      items.push_back(activity_json(a));
    }
    ++total;
  }
  return json_reply(200, boost::json::object{{"items", std::move(items)}, {"totalCount", total}});
}

PortalSim::Outcome PortalSim::create_notification(const http::Request& request) {
  auto body_or_error = json_object_body(request);
  if (auto* error = std::get_if<http::Response>(&body_or_error)) return {std::move(*error)};
  const boost::json::object& body = std::get<boost::json::object>(body_or_error);

  boost::json::object errors;
  Notification n;
  if (auto owner = required_string(body, "ownerId", errors)) n.owner_id = *owner;
  n.business_case_id = optional_uuid_member(body, "businessCaseId", errors);
  if (auto subject = required_string(body, "subject", errors)) n.subject = *subject;
  if (auto text = required_string(body, "body", errors)) n.body = *text;
  n.important = bool_member(body, "important", false, errors);
  if (!errors.empty()) return {validation_problem(errors)};

  n.id = random_uuid();
  n.created_ms = clock_.now_ms();
  http::Response r = json_reply(201, boost::json::object{{"notificationId", n.id}});
  notifications_.push_back(std::move(n));
  return {std::move(r), true};
}

PortalSim::Outcome PortalSim::create_message(const http::Request& request) {
  auto body_or_error = json_object_body(request);
  if (auto* error = std::get_if<http::Response>(&body_or_error)) return {std::move(*error)};
  const boost::json::object& body = std::get<boost::json::object>(body_or_error);

  boost::json::object errors;
  InboxMessage m;
  if (auto owner = required_string(body, "ownerId", errors)) m.owner_id = *owner;
  m.business_case_id = optional_uuid_member(body, "businessCaseId", errors);
  if (auto subject = required_string(body, "subject", errors)) m.subject = *subject;
  if (auto text = required_string(body, "body", errors)) m.body = *text;
  m.important = bool_member(body, "important", false, errors);
  if (const boost::json::value* documents = body.if_contains("documents");
      documents != nullptr && !documents->is_null()) {
    if (!documents->is_array()) {
      add_error(errors, "documents", "must be an array");
    } else {
      for (const boost::json::value& d : documents->as_array()) {
        const boost::json::value* id =
            d.is_object() ? d.as_object().if_contains("documentId") : nullptr;
        if (id == nullptr || !id->is_string() || id->as_string().empty()) {
          add_error(errors, "documents", "each must be {\"documentId\": \"...\"}");
          break;
        }
        m.document_ids.emplace_back(id->as_string());
      }
    }
  }
  if (!errors.empty()) return {validation_problem(errors)};

  m.id = random_uuid();
  m.delivered_ms = clock_.now_ms();
  append_event("MESSAGE_DELIVERED", m, m.delivered_ms);
  http::Response r = json_reply(201, boost::json::object{{"messageId", m.id}});
  message_index_[m.id] = messages_.size();
  messages_.push_back(std::move(m));
  return {std::move(r), true};
}

http::Response PortalSim::feed(const http::Request& request) const {
  auto params = query_params(request.query);
  if (!params) return problem_reply(400, "query: malformed percent-encoding");
  boost::json::object errors;
  int64_t after = int_param(*params, "after", 0, 0, std::numeric_limits<int64_t>::max(), errors);
  int64_t limit = int_param(*params, "limit", kDefaultFeedLimit, 1, kMaxFeedLimit, errors);
  if (!errors.empty()) return validation_problem(errors);

  boost::json::array events;
  auto it = std::upper_bound(events_.begin(), events_.end(), after,
                             [](int64_t c, const FeedEvent& e) { return c < e.cursor; });
  for (; it != events_.end() && static_cast<int64_t>(events.size()) < limit; ++it) {
    events.push_back(event_json(*it));
  }
  return json_reply(200, boost::json::object{{"events", std::move(events)}});
}

void PortalSim::read_message(const http::Request& request, const http::Respond& respond) {
  auto parsed = parse_json(request.body);
  if (!parsed || !parsed->is_object()) {
    return respond(problem_reply(400, "body: must be a JSON object"));
  }
  boost::json::object errors;
  std::optional<std::string> id = required_string(parsed->as_object(), "messageId", errors);
  if (!errors.empty()) return respond(validation_problem(errors));

  http::Response answer;
  {
    std::lock_guard lock(mutex_);
    auto found = message_index_.find(*id);
    if (found == message_index_.end()) {
      answer = problem_reply(404, "message " + *id + " not found");
    } else {
      InboxMessage& m = messages_[found->second];
      if (!m.read_ms) {  // only the first read is an event
        m.read_ms = clock_.now_ms();
        append_event("MESSAGE_READ", m, *m.read_ms);
      }
      answer = json_reply(200, message_json(m));
    }
  }
  respond(std::move(answer));
}

void PortalSim::append_event(const char* kind, const InboxMessage& message, int64_t at_ms) {
  events_.push_back({next_cursor_++, kind, message.id, message.business_case_id, at_ms});
}

boost::json::value PortalSim::case_json(const BusinessCase& c, bool with_history) const {
  boost::json::object out{
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
  };
  if (!with_history) return out;
  boost::json::array history;
  for (const HistoryEntry& h : c.history) {
    history.push_back(boost::json::object{{"status", h.status},
                                          {"statusText", optional_string(h.status_text)},
                                          {"at", format_utc(h.at_ms)}});
  }
  out["history"] = std::move(history);
  return out;
}

boost::json::value PortalSim::activity_json(const Activity& a) {
  auto optional_int = [](const std::optional<int32_t>& n) -> boost::json::value {
    if (!n) return nullptr;
    return *n;
  };
  return boost::json::object{
      {"id", a.id},
      {"ownerId", a.owner_id},
      {"title", a.title},
      {"body", optional_string(a.body)},
      {"type", a.type},
      {"target", optional_string(a.target)},
      {"event", optional_string(a.event)},
      {"module", optional_string(a.module)},
      {"objectId", optional_string(a.object_id)},
      {"businessCaseId", optional_string(a.business_case_id)},
      {"serviceId", optional_int(a.service_id)},
      {"relatedProfileId", optional_int(a.related_profile_id)},
      {"displayStamp", format_utc(a.display_ms)},
      {"createdBy", a.created_by},
      {"creationStamp", format_utc(a.creation_ms)},
  };
}

boost::json::value PortalSim::notification_json(const Notification& n) {
  return boost::json::object{
      {"notificationId", n.id},
      {"ownerId", n.owner_id},
      {"businessCaseId", optional_string(n.business_case_id)},
      {"subject", n.subject},
      {"body", n.body},
      {"important", n.important},
      {"createdAt", format_utc(n.created_ms)},
  };
}

boost::json::value PortalSim::message_json(const InboxMessage& m) {
  boost::json::array documents;
  for (const std::string& id : m.document_ids) {
    documents.push_back(boost::json::object{{"documentId", id}});
  }
  return boost::json::object{
      {"messageId", m.id},
      {"ownerId", m.owner_id},
      {"businessCaseId", optional_string(m.business_case_id)},
      {"subject", m.subject},
      {"body", m.body},
      {"important", m.important},
      {"mustReadAtNextLogin", m.important},
      {"documents", std::move(documents)},
      {"deliveredAt", format_utc(m.delivered_ms)},
      {"read", m.read_ms.has_value()},
      {"readAt", m.read_ms ? boost::json::value(format_utc(*m.read_ms)) : nullptr},
  };
}

boost::json::value PortalSim::event_json(const FeedEvent& e) {
  return boost::json::object{
      {"cursor", e.cursor},        {"kind", e.kind},
      {"messageId", e.message_id}, {"businessCaseId", optional_string(e.business_case_id)},
      {"at", format_utc(e.at_ms)},
  };
}

boost::json::value PortalSim::inspect() const {
  std::lock_guard lock(mutex_);
  boost::json::array cases;
  for (const BusinessCase& c : cases_) cases.push_back(case_json(c));
  boost::json::array activities;
  for (const auto& [id, a] : activities_) activities.push_back(activity_json(a));
  boost::json::array notifications;
  for (const Notification& n : notifications_) notifications.push_back(notification_json(n));
  boost::json::array messages;
  for (const InboxMessage& m : messages_) messages.push_back(message_json(m));
  boost::json::array events;
  for (const FeedEvent& e : events_) events.push_back(event_json(e));
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
      {"activities", std::move(activities)},
      {"notifications", std::move(notifications)},
      {"messages", std::move(messages)},
      {"events", std::move(events)},
      {"effects", effects_},
      {"keys", std::move(keys)},
      {"tokens", boost::json::object{{"issued", tokens_issued_}, {"active", active}}},
  };
}

void PortalSim::reset() {
  std::lock_guard lock(mutex_);
  cases_.clear();
  case_index_.clear();
  activities_.clear();
  notifications_.clear();
  messages_.clear();
  message_index_.clear();
  events_.clear();
  keys_.clear();
  effects_ = 0;
  tokens_issued_ = 0;
}

}  // namespace portier::sim
