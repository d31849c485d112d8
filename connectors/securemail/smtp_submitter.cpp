#include "connectors/securemail/smtp_submitter.h"

#include <curl/curl.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "connectors/http/curl_tls.h"
#include "connectors/securemail/mail_headers.h"
#include "core/base/log.h"

namespace portier::securemail {
namespace {

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct MimeDeleter {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// libcurl hands every server reply line to the header callback.
size_t keep_replies(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (!line.empty()) static_cast<std::vector<std::string>*>(out)->push_back(std::move(line));
  return size * n;
}

// The text of the reply that decided the outcome: the last line with its code (libcurl may
// have sent QUIT since, so the very last line can be "221 Bye").
std::string deciding_reply(const std::vector<std::string>& replies, long code) {
  if (code <= 0) return {};
  std::string prefix = std::to_string(code) + " ";
  for (auto it = replies.rbegin(); it != replies.rend(); ++it) {
    if (it->rfind(prefix, 0) == 0) return *it;
  }
  return {};
}

SubmitReport refuse(std::string message_id, std::string why) {
  SubmitReport report;
  report.message_id = std::move(message_id);
  report.outcome.kind = SubmitOutcome::Kind::kPermanent;
  report.outcome.detail = std::move(why);
  return report;
}

bool add(curl_slist*& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list, line.c_str());
  if (grown == nullptr) return false;
  list = grown;
  return true;
}

}  // namespace

SmtpSubmitter::SmtpSubmitter(SmtpAccount account, Dialect dialect, const Clock& clock)
    : account_(std::move(account)), dialect_(dialect), clock_(clock) {}

SubmitReport SmtpSubmitter::submit(const Submission& s) const {
  std::string message_id = delivery_message_id(s.delivery_id, account_.message_id_domain);
  if (!is_dot_atom(s.delivery_id) || !is_dot_atom(account_.message_id_domain)) {
    return refuse(message_id, "the delivery id or Message-ID domain is not dot-atom text");
  }
  if (!is_plain_address(account_.sender_address)) {
    return refuse(message_id, "the sender address is not a plain address");
  }
  if (!is_plain_address(s.recipient)) {
    return refuse(message_id, "the recipient address is not a plain address");
  }
  for (char c : s.pdf_file_name) {
    if (c < 0x20 || c == '"' || c == '\\' || c == 0x7F) {
      return refuse(message_id, "the PDF file name has a quote or control character");
    }
  }
  if (access(s.pdf_path.c_str(), R_OK) != 0) {
    return refuse(message_id, "the PDF cannot be read");
  }

  init_curl_once();
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return refuse(message_id, "curl_easy_init failed");
  CURL* h = curl.get();
  std::unique_ptr<curl_mime, MimeDeleter> mime(curl_mime_init(h));
  if (!mime) return refuse(message_id, "curl_mime_init failed");

  curl_mimepart* text = curl_mime_addpart(mime.get());
  curl_mimepart* pdf = curl_mime_addpart(mime.get());
  if (text == nullptr || pdf == nullptr) return refuse(message_id, "curl_mime_addpart failed");
  curl_mime_data(text, s.text.data(), s.text.size());
  curl_mime_type(text, "text/plain; charset=UTF-8");
  curl_mime_encoder(text, "quoted-printable");
  // libcurl opens the file when it sends the part and reads it in pieces, so memory does not
  // grow with the document.
  if (curl_mime_filedata(pdf, s.pdf_path.c_str()) != CURLE_OK) {
    return refuse(message_id, "the PDF cannot be read");
  }
  curl_mime_filename(pdf, s.pdf_file_name.c_str());  // filedata named it after the path
  curl_mime_type(pdf, "application/pdf");
  curl_mime_encoder(pdf, "base64");

  curl_slist* raw_headers = nullptr;
  std::unique_ptr<curl_slist, ListDeleter> recipients(
      curl_slist_append(nullptr, ("<" + s.recipient + ">").c_str()));
  bool built = recipients != nullptr &&
               add(raw_headers, "From: <" + account_.sender_address + ">") &&
               add(raw_headers, "To: <" + s.recipient + ">") &&
               add(raw_headers, "Subject: " +
                                    encode_header_text(registered_subject(dialect_, s.title))) &&
               add(raw_headers, "Message-ID: " + message_id) &&
               add(raw_headers, "Date: " + format_mail_date(clock_.now_ms())) &&
               add(raw_headers, "MIME-Version: 1.0");
  std::unique_ptr<curl_slist, ListDeleter> headers(raw_headers);
  if (!built) return refuse(message_id, "out of memory building the headers");

  std::string url = "smtp://" + account_.host + ":" + std::to_string(account_.port) + "/" +
                    account_.ehlo_name;
  std::string from = "<" + account_.sender_address + ">";
  std::vector<std::string> replies;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp");
  curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  outbound::apply_tls(h, account_.tls);
  curl_easy_setopt(h, CURLOPT_USERNAME, account_.username.c_str());
  curl_easy_setopt(h, CURLOPT_PASSWORD, account_.password.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_MIMEPOST, mime.get());
  // A server that stops answering (some do after a failed AUTH) must not hold a worker forever.
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(account_.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(account_.timeout.count(), 10'000)));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, keep_replies);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &replies);

  char error_detail[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_detail);

  CURLcode rc = curl_easy_perform(h);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);  // the buffer ends with this call
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  SubmitReport report;
  report.message_id = message_id;
  report.outcome = judge_submission(rc, code, deciding_reply(replies, code));
  if (rc != CURLE_OK && code < 400) {
    // Not refused by the server (its last reply may be "220 Ready to start TLS"): say what
    // failed, with libcurl's detail (which TLS alert, which certificate check).
    report.outcome.detail = curl_easy_strerror(rc);
    if (error_detail[0] != '\0') report.outcome.detail += std::string(" (") + error_detail + ")";
  }
  log::Level level = report.outcome.kind == SubmitOutcome::Kind::kAccepted ? log::Level::kInfo
                                                                           : log::Level::kWarn;
  log::write(level, "securemail submission",
             {{"message_id", message_id},
              log::personal("recipient", s.recipient),
              {"platform", to_string(dialect_.platform)},
              {"outcome", to_string(report.outcome.kind)},
              {"smtp_code", std::to_string(code)},
              {"detail", report.outcome.detail}});
  return report;
}

}  // namespace portier::securemail
