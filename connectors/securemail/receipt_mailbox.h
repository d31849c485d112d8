#pragma once
// The sender account's receipt mailbox over IMAP (libcurl): which messages wait in INBOX, one
// message's raw bytes, and moving a message away once it is recorded. STARTTLS required and
// verified, as for submission.
//
// Errors: kPermissionDenied for a refused login, kNotFound for a UID that is not in INBOX,
// kDeadlineExceeded for a timeout, kUnavailable for the connection, TLS and any other failure
// of the server (all worth another try later).
// Threads: one thread at a time: the mailbox keeps one logged-in session, reused across calls.
// Calls block for at most the account's timeout; call them on a worker thread.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/config/outbound_tls.h"

namespace portier::securemail {

struct ImapAccount {
  std::string host;
  int port = 143;
  config::OutboundTls tls;  // the CA to pin and the client certificate, if any
  std::string username;
  std::string password;
  std::chrono::milliseconds timeout{30'000};  // per call
  // A larger message is not read to its end: receipts are a few hundred KB, and a mailbox
  // anyone can write to must not fill the gateway's memory.
  uint64_t max_message_bytes = 10ull << 20;
};

// Where a message goes once it is dealt with; the folder is created when it is missing.
enum class MailboxFolder { kArchive, kUnmatched };
const char* to_string(MailboxFolder folder);  // "Archive", "Unmatched"

class ReceiptMailbox {
 public:
  explicit ReceiptMailbox(ImapAccount account);
  ~ReceiptMailbox();
  ReceiptMailbox(ReceiptMailbox&&) noexcept;
  ReceiptMailbox& operator=(ReceiptMailbox&&) noexcept;

  // The UIDs of every message in INBOX (UID SEARCH ALL), ascending.
  Result<std::vector<uint32_t>> list_inbox();

  // The message's bytes exactly as stored. Fetching sets \Seen, which is harmless: a message
  // leaves INBOX only through move(), after it is recorded. kInvalidArgument for a message larger
  // than the account's max_message_bytes (the transfer stops there).
  Result<std::string> fetch(uint32_t uid);

  // Moves the message from INBOX to `folder` (UID MOVE). kNotFound if no such message is in
  // INBOX (e.g. it was moved before).
  Status move(uint32_t uid, MailboxFolder folder);

 private:
  struct Session;
  ImapAccount account_;
  std::unique_ptr<Session> session_;
};

}  // namespace portier::securemail
