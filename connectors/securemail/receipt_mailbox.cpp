#include "connectors/securemail/receipt_mailbox.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <utility>

#include "connectors/http/curl_tls.h"

namespace portier::securemail {
namespace {

size_t append_to(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct Reply {
  std::string body;     // untagged answers to a command, or a fetched message
  std::string status;   // the server's other lines, the tagged completion among them
  uint64_t limit = 0;   // of the body
  bool over_limit = false;
};

// Appends to the body up to its limit; past it, stops the transfer (CURLE_WRITE_ERROR).
size_t append_body(char* data, size_t size, size_t n, void* out) {
  auto* reply = static_cast<Reply*>(out);
  if (reply->body.size() + size * n > reply->limit) {
    reply->over_limit = true;
    return 0;
  }
  reply->body.append(data, size * n);
  return size * n;
}

}  // namespace

// One easy handle: libcurl keeps its connection, and with it the logged-in session, between
// calls (after an error it logs in again).
struct ReceiptMailbox::Session {
  CURL* curl = nullptr;
  ~Session() {
    if (curl) curl_easy_cleanup(curl);
  }
  // The handle, made on first use; null if libcurl cannot make one.
  CURL* handle() {
    if (!curl) {
      static std::once_flag once;
      std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
      curl = curl_easy_init();
    }
    return curl;
  }
};

const char* to_string(MailboxFolder folder) {
  return folder == MailboxFolder::kArchive ? "Archive" : "Unmatched";
}

ReceiptMailbox::ReceiptMailbox(ImapAccount account)
    : account_(std::move(account)), session_(std::make_unique<Session>()) {}
ReceiptMailbox::~ReceiptMailbox() = default;
ReceiptMailbox::ReceiptMailbox(ReceiptMailbox&&) noexcept = default;
ReceiptMailbox& ReceiptMailbox::operator=(ReceiptMailbox&&) noexcept = default;

namespace {

// Runs one request on `curl`: `path` after the server ("INBOX", "INBOX;UID=7" or empty) and an
// optional custom command. Every option is set anew, because CURLOPT_CUSTOMREQUEST would
// otherwise stay on the handle and turn the next fetch into the last command;
// curl_easy_reset keeps the connection.
Result<Reply> run(CURL* curl, const ImapAccount& a, const std::string& path,
                  const std::string& command, const std::string& what) {
  curl_easy_reset(curl);
  Reply reply;
  reply.limit = a.max_message_bytes;
  std::string url = "imap://" + a.host + ":" + std::to_string(a.port) + "/" + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "imap");
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  outbound::apply_tls(curl, a.tls);
  curl_easy_setopt(curl, CURLOPT_USERNAME, a.username.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, a.password.c_str());
  if (!command.empty()) curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, command.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(a.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(a.timeout.count(), 10'000)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append_to);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.status);
  char error_detail[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_detail);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);  // the buffer ends with this call
  if (rc == CURLE_OK) return reply;
  std::string why = "IMAP " + what + ": " + curl_easy_strerror(rc);
  if (error_detail[0] != '\0') why += std::string(" (") + error_detail + ")";
  if (reply.over_limit) {
    return invalid_argument("IMAP " + what + ": the message is larger than the limit of " +
                            std::to_string(a.max_message_bytes) + " bytes");
  }
  switch (rc) {
    case CURLE_LOGIN_DENIED:
      // Also what libcurl says when the mailbox in the URL does not exist; INBOX always does.
      return permission_denied(why);
    case CURLE_REMOTE_FILE_NOT_FOUND:
      return not_found(why);
    case CURLE_OPERATION_TIMEDOUT:
      return Status(StatusCode::kDeadlineExceeded, why);
    default:
      return unavailable(why);
  }
}

bool has_untagged(const std::string& body, const std::string& word) {
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("* ", 0) == 0 && line.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

Result<std::vector<uint32_t>> ReceiptMailbox::list_inbox() {
  if (!session_->handle()) return internal_error("curl_easy_init failed");
  // libcurl SELECTs INBOX first; UID SEARCH answers with UIDs, where SEARCH would give
  // sequence numbers that change as messages are moved.
  Result<Reply> reply = run(session_->curl, account_, "INBOX", "UID SEARCH ALL", "UID SEARCH");
  if (!reply.is_ok()) return reply.status();
  std::vector<uint32_t> uids;
  std::istringstream lines(reply->body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("* SEARCH", 0) != 0) continue;
    std::istringstream words(line.substr(8));
    for (std::string word; words >> word;) {
      char* end = nullptr;
      unsigned long uid = std::strtoul(word.c_str(), &end, 10);
      if (end == word.c_str() || *end != '\0' || uid == 0 || uid > UINT32_MAX) {
        return unavailable("IMAP UID SEARCH: unexpected answer");
      }
      uids.push_back(static_cast<uint32_t>(uid));
    }
  }
  std::sort(uids.begin(), uids.end());
  return uids;
}

Result<std::string> ReceiptMailbox::fetch(uint32_t uid) {
  if (!session_->handle()) return internal_error("curl_easy_init failed");
  // Not a custom "UID FETCH n BODY.PEEK[]": libcurl would hand the message to the header
  // callback. The URL form fetches BODY[] into the body.
  Result<Reply> reply = run(session_->curl, account_, "INBOX;UID=" + std::to_string(uid), "",
                            "fetch UID " + std::to_string(uid));
  if (!reply.is_ok()) return reply.status();
  if (reply->body.empty()) return not_found("IMAP fetch UID " + std::to_string(uid) + ": empty");
  return std::move(reply->body);
}

Status ReceiptMailbox::move(uint32_t uid, MailboxFolder folder) {
  if (!session_->handle()) return internal_error("curl_easy_init failed");
  const std::string target = to_string(folder);
  const std::string command = "UID MOVE " + std::to_string(uid) + " " + target;
  Result<Reply> reply = run(session_->curl, account_, "INBOX", command, command);
  if (!reply.is_ok()) {
    // The folder is likely missing (the server says TRYCREATE, libcurl only that the command
    // failed): create it and move once more. CREATE of an existing folder fails harmlessly.
    Result<Reply> created = run(session_->curl, account_, "", "CREATE " + target, "CREATE");
    (void)created;
    reply = run(session_->curl, account_, "INBOX", command, command);
    if (!reply.is_ok()) return reply.status();
  }
  // A UID that is not there is no error in IMAP ("OK No messages found"); a moved message is
  // always reported expunged from INBOX (RFC 6851).
  if (!has_untagged(reply->body, "EXPUNGE") && !has_untagged(reply->body, "VANISHED")) {
    return not_found("IMAP UID MOVE " + std::to_string(uid) + ": no such message in INBOX");
  }
  return Status::ok();
}

}  // namespace portier::securemail
