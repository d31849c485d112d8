#pragma once
// Outbound HTTP over libcurl: one blocking call at a time per thread, each thread with its own
// easy handle so that connections to a counterpart are reused. TLS peers are always verified.
//
// Threads: any thread; calls block for at most `timeout` and belong on worker threads.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/base/status.h"

namespace portier::outbound {

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;   // "Name: value"
  std::string body;
  std::chrono::milliseconds timeout{10'000};
  std::string ca_file;                // trust these instead of the system's CAs
};

struct HttpReply {
  long status = 0;
  std::string content_type;
  std::string body;
  std::optional<std::chrono::milliseconds> retry_after;  // from a Retry-After header
};

// Transport failures are errors (kDeadlineExceeded for timeouts, kUnavailable otherwise); any
// HTTP status, 4xx and 5xx included, is a reply.
Result<HttpReply> perform(const HttpCall& call);

// Percent-encodes a form or query value.
std::string url_encode(const std::string& value);

}  // namespace portier::outbound
