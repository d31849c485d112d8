#pragma once
// Outbound HTTP over libcurl: one blocking call at a time per thread, each thread with its own
// easy handle so that connections to a counterpart are reused. TLS peers are always verified.
//
// Threads: any thread; calls block for at most `timeout` and belong on worker threads.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/config/outbound_tls.h"

namespace portier::outbound {

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;   // "Name: value"
  std::string body;
  std::chrono::milliseconds timeout{10'000};
  config::OutboundTls tls;            // the CA to pin and the client certificate, if any
  // An answer body larger than this is not read to its end: the call fails with
  // kResourceExhausted, so a counterpart cannot make Portier's memory grow without bound.
  size_t max_reply_bytes = kDefaultMaxReplyBytes;
  // Turns a Retry-After date into a wait; the caller's injected clock (the system's if null).
  const Clock* clock = nullptr;

  static constexpr size_t kDefaultMaxReplyBytes = 16u << 20;
};

struct HttpReply {
  long status = 0;
  std::string content_type;
  std::string body;
  std::optional<std::chrono::milliseconds> retry_after;  // from a Retry-After header
};

// Transport failures are errors (kDeadlineExceeded for timeouts, kUnavailable otherwise, and
// kResourceExhausted for an answer over max_reply_bytes); any HTTP status, 4xx and 5xx
// included, is a reply.
Result<HttpReply> perform(const HttpCall& call);

// One part of a multipart/form-data body (RFC 7578): its bytes in memory, or a file that is
// streamed from disk while the request is sent, so memory does not grow with the file's size.
struct FormPart {
  std::string name;          // the form field name
  std::string content_type;  // e.g. "application/json"; empty: none (text/plain by default)
  std::string data;          // the part's bytes, used when `file_path` is empty
  std::string file_path;     // stream the part from this file
  std::string file_name;     // the part's filename= (file parts only; empty: none)
};

// Sends `call` (method, url, headers, timeout and tls; `call.body` is ignored) with a
// multipart/form-data body made of `parts`; libcurl sets the Content-Type with its boundary.
// A file part that cannot be read is kFailedPrecondition, before anything is sent; the rest as
// perform(). A file is read anew on every call, so a retry sends it again from the start.
Result<HttpReply> perform_multipart(const HttpCall& call, const std::vector<FormPart>& parts);

// Percent-encodes a form or query value.
std::string url_encode(const std::string& value);

}  // namespace portier::outbound
