#pragma once
// Every request that reached a module's path prefixes, in order of arrival (GET /_sim/log), so
// a test can assert what Portier sent and how often. Entries are recorded on arrival and get
// their status when answered. Bodies are kept only if they are JSON (a form body such as the
// token request's, which carries the client secret, is recorded as null); the Authorization
// header is never recorded. Bounded: beyond `max_entries` the oldest are dropped and counted.
// Sequence numbers keep counting across clear(), so a late answer never lands on a newer entry.
// Thread-safe.
#include <boost/json.hpp>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include "adapters/http/message.h"

namespace portier::sim {

class RequestLog {
 public:
  explicit RequestLog(size_t max_entries = 100'000) : max_entries_(max_entries) {}

  // Records an arriving request; `fault` is "" or what the fault plan did ("injected", "hang").
  // Returns its sequence number (from 1).
  uint64_t begin(const std::string& module, const http::Request& request, const char* fault,
                 int64_t now_ms);
  // Records the answer; ignored if the entry is gone (cleared or dropped).
  void finish(uint64_t seq, unsigned status, bool duplicate);
  // {entries:[{seq, at, module, method, path, query, idempotencyKey, correlationId, status,
  //   duplicate, fault, body}], dropped, nextSeq}, entries with seq > `since` only.
  boost::json::value to_json(uint64_t since = 0) const;
  void clear();

 private:
  struct Entry {
    uint64_t seq = 0;
    int64_t at_ms = 0;
    std::string module, method, path, query, idempotency_key, correlation_id, fault;
    boost::json::value body;  // null unless JSON
    unsigned status = 0;      // 0: not answered yet
    bool duplicate = false;
  };

  const size_t max_entries_;
  mutable std::mutex mutex_;
  std::deque<Entry> entries_;  // consecutive sequence numbers
  uint64_t next_seq_ = 1;
  uint64_t dropped_ = 0;
};

}  // namespace portier::sim
