#pragma once
// Real mail servers on free loopback ports for the securemail tests, each in its own temporary
// folder with a throw-away CA: Dovecot (IMAP, STARTTLS, one account) started as
// `dovecot -F -c <folder>/dovecot.conf`, and the aiosmtpd submission sink (smtp_sink.py) started
// with /usr/bin/python3. Both need root (Dovecot switches to the mail user). Test threads only.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "connectors/securemail/receipt_mailbox.h"
#include "tests/connectors/securemail/test_support.h"

namespace portier::securemail::testing {

// The CA both servers' certificates (SAN IP:127.0.0.1) chain to.
struct TestCa {
  explicit TestCa(const std::string& dir);
  ::testing::AssertionResult make();
  std::string dir;
  std::string ca_file() const { return dir + "/mailca.pem"; }
};

class Dovecot {
 public:
  static constexpr const char* kUser = "gemeinde";
  static constexpr const char* kPassword = "imap-secret";

  ~Dovecot() { child_.stop(); }
  // With `client_ca`, a client certificate issued by it is required to sign in (mutual TLS).
  ::testing::AssertionResult start(const TempDir& dir, const TestCa& ca,
                                   const std::string& client_ca = "");
  int port() const { return port_; }
  // The test account's mailbox on this server, trusting `ca`.
  ImapAccount account(const TestCa& ca) const {
    ImapAccount a;
    a.host = "127.0.0.1";
    a.port = port_;
    a.tls.ca_file = ca.ca_file();
    a.username = kUser;
    a.password = kPassword;
    a.timeout = std::chrono::seconds(10);
    return a;
  }
  // Delivers `raw` into the account's `mailbox` (doveadm save).
  ::testing::AssertionResult deliver(const std::string& raw, const std::string& mailbox = "INBOX");
  // How many messages `mailbox` holds (doveadm search).
  int count(const std::string& mailbox);
  std::string log() const;

 private:
  Child child_;
  std::string dir_, conf_;
  int port_ = 0;
  int serial_ = 0;
};

class SmtpSink {
 public:
  static constexpr const char* kUser = "gemeinde@portier.example.ch";
  static constexpr const char* kPassword = "smtp-secret";

  ~SmtpSink() { child_.stop(); }
  // With `client_ca`, STARTTLS requires a client certificate issued by it (mutual TLS).
  ::testing::AssertionResult start(const TempDir& dir, const TestCa& ca, const std::string& script,
                                   const std::string& client_ca = "");
  int port() const { return port_; }
  // The n-th accepted message (1-based), or empty.
  std::string message(int n) const;
  int count() const;
  std::string log() const;

 private:
  Child child_;
  std::string dir_, out_;
  int port_ = 0;
};

}  // namespace portier::securemail::testing
