#include "connectors/http/http_client.h"

#include <curl/curl.h>
#include <strings.h>

#include <ctime>
#include <memory>

#include "connectors/http/curl_tls.h"

namespace portier::outbound {
namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

CURL* thread_handle() {
  static CurlGlobal global;
  thread_local std::unique_ptr<CURL, EasyDeleter> handle(curl_easy_init());
  return handle.get();
}

// What the callbacks of one call fill in.
struct Reading {
  HttpReply& reply;
  size_t max_body;
  const Clock& clock;
  bool too_large = false;
};

size_t collect_body(char* data, size_t size, size_t n, void* out) {
  auto* reading = static_cast<Reading*>(out);
  if (reading->reply.body.size() + size * n > reading->max_body) {
    reading->too_large = true;
    return 0;  // libcurl stops with CURLE_WRITE_ERROR
  }
  reading->reply.body.append(data, size * n);
  return size * n;
}

size_t collect_header(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  if (strncasecmp(line.c_str(), "Retry-After:", 12) == 0) {
    std::string value = line.substr(12);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t\r\n") + 1);
    auto* reading = static_cast<Reading*>(out);
    char* end = nullptr;
    long seconds = std::strtol(value.c_str(), &end, 10);
    if (end && *end == '\0' && seconds >= 0) {
      reading->reply.retry_after = std::chrono::seconds(seconds);
    } else if (time_t when = curl_getdate(value.c_str(), nullptr); when > 0) {
      // An HTTP date: how long from now by the injected clock (tests move it).
      const int64_t wait_ms = static_cast<int64_t>(when) * 1000 - reading->clock.now_ms();
      reading->reply.retry_after = std::chrono::milliseconds(std::max<int64_t>(0, wait_ms));
    }
  }
  return size * n;
}

struct MimeDeleter {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};

// Runs `call` on this thread's handle. The body is `mime` if not null, else `call.body`.
Result<HttpReply> run(CURL* curl, const HttpCall& call, curl_mime* mime) {
  curl_easy_reset(curl);
  HttpReply reply;
  static const SystemClock system_clock;
  Reading reading{reply, call.max_reply_bytes, call.clock ? *call.clock : system_clock};
  struct curl_slist* headers = nullptr;
  for (const std::string& h : call.headers) headers = curl_slist_append(headers, h.c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(curl, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  if (mime != nullptr) {
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
  } else if (call.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(call.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(call.timeout.count(), 5000)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  apply_tls(curl, call.tls);
  char error_detail[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_detail);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reading);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reading);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);  // the buffer ends with this call
  curl_slist_free_all(headers);
  if (reading.too_large) {
    return Status(StatusCode::kResourceExhausted,
                  call.method + " " + call.url + ": the answer is larger than " +
                      std::to_string(call.max_reply_bytes) + " bytes");
  }
  if (rc != CURLE_OK) {
    // libcurl's detail names what failed, e.g. which TLS alert or certificate check.
    std::string why = std::string(call.method) + " " + call.url + ": " + curl_easy_strerror(rc);
    if (error_detail[0] != '\0') why += std::string(" (") + error_detail + ")";
    return rc == CURLE_OPERATION_TIMEDOUT ? Status(StatusCode::kDeadlineExceeded, why)
                                          : unavailable(why);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  char* type = nullptr;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
  if (type) reply.content_type = type;
  return reply;
}

}  // namespace

Result<HttpReply> perform(const HttpCall& call) {
  CURL* curl = thread_handle();
  if (!curl) return internal_error("curl_easy_init failed");
  return run(curl, call, nullptr);
}

Result<HttpReply> perform_multipart(const HttpCall& call, const std::vector<FormPart>& parts) {
  CURL* curl = thread_handle();
  if (!curl) return internal_error("curl_easy_init failed");
  std::unique_ptr<curl_mime, MimeDeleter> mime(curl_mime_init(curl));
  if (!mime) return internal_error("curl_mime_init failed");
  for (const FormPart& p : parts) {
    curl_mimepart* part = curl_mime_addpart(mime.get());
    if (part == nullptr) return internal_error("curl_mime_addpart failed");
    curl_mime_name(part, p.name.c_str());
    if (!p.content_type.empty()) curl_mime_type(part, p.content_type.c_str());
    if (p.file_path.empty()) {
      curl_mime_data(part, p.data.data(), p.data.size());
      continue;
    }
    // libcurl opens the file when it sends the part and reads it in small pieces.
    if (curl_mime_filedata(part, p.file_path.c_str()) != CURLE_OK) {
      return failed_precondition("form part " + p.name + ": cannot read " + p.file_path);
    }
    // filedata names the part after the path's last segment; say what the caller wants.
    curl_mime_filename(part, p.file_name.empty() ? nullptr : p.file_name.c_str());
  }
  return run(curl, call, mime.get());
}

std::string url_encode(const std::string& value) {
  char* escaped = curl_easy_escape(nullptr, value.c_str(), static_cast<int>(value.size()));
  std::string out = escaped ? escaped : "";
  curl_free(escaped);
  return out;
}

}  // namespace portier::outbound
