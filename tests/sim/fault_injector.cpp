#include "tests/sim/fault_injector.h"

#include <set>
#include <utility>

#include "tests/sim/replies.h"

namespace portier::sim {
namespace {

// A non-negative integer member, or an error naming it.
Status read_count(const boost::json::object& o, const char* field, std::optional<uint64_t>& out) {
  const boost::json::value* v = o.if_contains(field);
  if (v == nullptr) return Status::ok();
  if (v->is_uint64()) {
    out = v->as_uint64();
  } else if (v->is_int64() && v->as_int64() >= 0) {
    out = static_cast<uint64_t>(v->as_int64());
  } else {
    return invalid_argument(std::string(field) + ": must be a non-negative integer");
  }
  return Status::ok();
}

Status read_string(const boost::json::object& o, const char* field,
                   std::optional<std::string>& out) {
  const boost::json::value* v = o.if_contains(field);
  if (v == nullptr) return Status::ok();
  if (!v->is_string()) return invalid_argument(std::string(field) + ": must be a string");
  out = std::string(v->as_string());
  return Status::ok();
}

}  // namespace

Status FaultInjector::add(const boost::json::value& spec) {
  if (!spec.is_object()) return invalid_argument("body: must be a JSON object");
  const boost::json::object& o = spec.as_object();
  static const std::set<std::string> kKnown = {
      "status", "count",       "pathPrefix", "retryAfterSeconds",
      "body",   "contentType", "latencyMs",  "hang"};
  for (const auto& member : o) {
    if (!kKnown.contains(std::string(member.key()))) {
      return invalid_argument(std::string(member.key()) + ": unknown field");
    }
  }
  std::optional<uint64_t> status, count, retry_after, latency, hang;
  std::optional<std::string> prefix, body, content_type;
  for (Status s :
       {read_count(o, "status", status), read_count(o, "count", count),
        read_count(o, "retryAfterSeconds", retry_after), read_count(o, "latencyMs", latency),
        read_count(o, "hang", hang), read_string(o, "pathPrefix", prefix),
        read_string(o, "body", body), read_string(o, "contentType", content_type)}) {
    if (!s.is_ok()) return s;
  }
  if (!status && !latency && !hang) {
    return invalid_argument("status: one of status, latencyMs or hang is required");
  }
  if (status && (*status < 100 || *status > 599)) {
    return invalid_argument("status: must be an HTTP status code (100-599)");
  }
  if (!status && (count || retry_after || body || content_type)) {
    return invalid_argument("status: required with count, retryAfterSeconds, body, contentType");
  }
  if (count && *count == 0) return invalid_argument("count: must be at least 1");
  if (hang && *hang == 0) return invalid_argument("hang: must be at least 1");
  if (prefix && !status && !hang) {
    return invalid_argument("pathPrefix: applies to status or hang rules only");
  }

  std::lock_guard lock(mutex_);
  if (status) {
    FailureRule rule;
    rule.status = static_cast<unsigned>(*status);
    rule.remaining = count.value_or(1);
    rule.path_prefix = prefix.value_or("");
    rule.retry_after_seconds = retry_after;
    rule.body = body;
    rule.content_type = content_type.value_or("application/json");
    failures_.push_back(std::move(rule));
  }
  if (hang) hangs_.push_back(HangRule{*hang, prefix.value_or("")});
  if (latency) latency_ = std::chrono::milliseconds(*latency);
  return Status::ok();
}

FaultInjector::Decision FaultInjector::decide(const std::string& path) {
  Decision d;
  std::optional<FailureRule> failure;
  {
    std::lock_guard lock(mutex_);
    d.latency = latency_;
    for (auto it = hangs_.begin(); it != hangs_.end(); ++it) {
      if (!path.starts_with(it->path_prefix)) continue;
      if (--it->remaining == 0) hangs_.erase(it);
      d.action = Action::kHang;
      return d;
    }
    for (auto it = failures_.begin(); it != failures_.end(); ++it) {
      if (!path.starts_with(it->path_prefix)) continue;
      failure = *it;
      if (--it->remaining == 0) failures_.erase(it);
      break;
    }
  }
  if (!failure) return d;
  d.action = Action::kFail;
  if (failure->body) {
    d.response = http::Response::json(failure->status, *failure->body, failure->content_type);
  } else {
    d.response = problem_reply(failure->status, "fault injected by the simulator");
  }
  if (failure->retry_after_seconds) {
    d.response.headers.emplace_back("Retry-After", std::to_string(*failure->retry_after_seconds));
  }
  return d;
}

void FaultInjector::hold(http::Respond respond) {
  std::lock_guard lock(mutex_);
  held_.push_back(std::move(respond));
}

void FaultInjector::clear() {
  std::vector<http::Respond> released;
  {
    std::lock_guard lock(mutex_);
    failures_.clear();
    hangs_.clear();
    latency_ = std::chrono::milliseconds(0);
    released.swap(held_);
  }
  for (http::Respond& respond : released) {
    respond(problem_reply(503, "hung call released: the fault plan was cleared"));
  }
}

size_t FaultInjector::held() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}

boost::json::value FaultInjector::describe() const {
  std::lock_guard lock(mutex_);
  boost::json::array failures;
  for (const FailureRule& r : failures_) {
    boost::json::object o;
    o["status"] = r.status;
    o["remaining"] = r.remaining;
    o["pathPrefix"] = r.path_prefix;
    if (r.retry_after_seconds) o["retryAfterSeconds"] = *r.retry_after_seconds;
    if (r.body) o["body"] = *r.body;
    failures.push_back(std::move(o));
  }
  boost::json::array hangs;
  for (const HangRule& r : hangs_) {
    hangs.push_back(boost::json::object{{"remaining", r.remaining}, {"pathPrefix", r.path_prefix}});
  }
  return boost::json::object{{"failures", std::move(failures)},
                             {"hangs", std::move(hangs)},
                             {"latencyMs", latency_.count()},
                             {"held", held_.size()}};
}

}  // namespace portier::sim
