#pragma once
// Submits one registered delivery to IncaMail or PrivaSphere over SMTP (libcurl): STARTTLS
// required and verified, AUTH with the sender account, a multipart/mixed mail of a short text
// and the PDF streamed from its file, under the dialect's registered subject and a Message-ID
// that is the same on every attempt. See README.md for the wire as sent.
//
// Threads: any thread, concurrently; each submit() uses its own connection and blocks for at most
// the account's timeout, so call it on worker threads.
#include <chrono>
#include <string>

#include "connectors/securemail/dialect.h"
#include "connectors/securemail/smtp_judgement.h"
#include "core/base/clock.h"
#include "core/config/outbound_tls.h"

namespace portier::securemail {

struct SmtpAccount {
  std::string host;              // e.g. "smtp.incamail.ch"; an IPv4 literal works too
  int port = 587;
  config::OutboundTls tls;       // the CA to pin and the client certificate, if any
  std::string username;
  std::string password;
  std::string sender_address;    // MAIL FROM and From: the registered sender account
  std::string message_id_domain; // the right side of our Message-IDs
  std::string ehlo_name;         // what EHLO says (empty: libcurl's default, the host name)
  std::chrono::milliseconds timeout{60'000};  // the whole submission, PDF included
};

struct Submission {
  std::string delivery_id;    // left side of the Message-ID: dot-atom text, stable per delivery
  std::string recipient;      // the citizen's address (personal data)
  std::string title;          // the subject without its tag; UTF-8
  std::string text;           // the short text part; UTF-8
  std::string pdf_path;       // the PDF on disk, streamed while sending
  std::string pdf_file_name;  // the attachment's file name
};

struct SubmitReport {
  SubmitOutcome outcome;
  std::string message_id;  // "<delivery_id@domain>": how receipts find this delivery
};

class SmtpSubmitter {
 public:
  // `clock` gives the Date header; it must outlive the submitter.
  SmtpSubmitter(SmtpAccount account, Dialect dialect, const Clock& clock);

  // A submission that cannot be made as given (an address or delivery id that would break the
  // headers, an unreadable PDF) is kPermanent with smtp_code 0, before anything is sent.
  SubmitReport submit(const Submission& submission) const;

  const SmtpAccount& account() const { return account_; }
  const Dialect& dialect() const { return dialect_; }

 private:
  SmtpAccount account_;
  Dialect dialect_;
  const Clock& clock_;
};

}  // namespace portier::securemail
