#include "tests/sim/request_log.h"

#include <utility>

#include "core/base/clock.h"
#include "tests/sim/replies.h"

namespace portier::sim {
namespace {

boost::json::value string_or_null(const std::string& s) {
  if (s.empty()) return nullptr;
  return boost::json::string(s);
}

}  // namespace

uint64_t RequestLog::begin(const std::string& module, const http::Request& request,
                           const char* fault, int64_t now_ms) {
  Entry e;
  e.at_ms = now_ms;
  e.module = module;
  e.method = request.method;
  e.path = request.path;
  e.query = request.query;
  e.idempotency_key = request.header("Idempotency-Key");
  e.correlation_id = request.correlation_id;
  e.fault = fault;
  // Parsed outside the lock: bodies may be large.
  if (auto parsed = parse_json(request.body)) e.body = std::move(*parsed);

  std::lock_guard lock(mutex_);
  e.seq = next_seq_++;
  entries_.push_back(std::move(e));
  while (entries_.size() > max_entries_) {
    entries_.pop_front();
    ++dropped_;
  }
  return entries_.back().seq;
}

void RequestLog::finish(uint64_t seq, unsigned status, bool duplicate) {
  std::lock_guard lock(mutex_);
  if (entries_.empty() || seq < entries_.front().seq || seq > entries_.back().seq) return;
  Entry& e = entries_[seq - entries_.front().seq];
  e.status = status;
  e.duplicate = duplicate;
}

boost::json::value RequestLog::to_json(uint64_t since) const {
  std::lock_guard lock(mutex_);
  boost::json::array out;
  for (const Entry& e : entries_) {
    if (e.seq <= since) continue;
    boost::json::object o;
    o["seq"] = e.seq;
    o["at"] = format_utc(e.at_ms);
    o["module"] = e.module;
    o["method"] = e.method;
    o["path"] = e.path;
    o["query"] = e.query;
    o["idempotencyKey"] = string_or_null(e.idempotency_key);
    o["correlationId"] = string_or_null(e.correlation_id);
    o["status"] = e.status == 0 ? boost::json::value(nullptr) : boost::json::value(e.status);
    o["duplicate"] = e.duplicate;
    o["fault"] = string_or_null(e.fault);
    o["body"] = e.body;
    out.push_back(std::move(o));
  }
  return boost::json::object{
      {"entries", std::move(out)}, {"dropped", dropped_}, {"nextSeq", next_seq_}};
}

void RequestLog::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  dropped_ = 0;
}

}  // namespace portier::sim
