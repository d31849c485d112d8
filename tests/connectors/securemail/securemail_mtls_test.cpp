// Registered mail over mutual TLS: the aiosmtpd sink requires a client certificate of the
// platform's client CA at STARTTLS, and Dovecot lets only such a client sign in. With the
// account's client certificate the submission is accepted and the receipt mailbox is read;
// without one, or with one of another CA, nothing is sent and the mailbox is not opened.
#include <gtest/gtest.h>

#include <string>

#include "connectors/securemail/receipt_mailbox.h"
#include "connectors/securemail/smtp_submitter.h"
#include "core/base/clock.h"
#include "tests/connectors/securemail/mail_servers.h"

#ifndef SECUREMAIL_SINK_SCRIPT
#error "SECUREMAIL_SINK_SCRIPT must name smtp_sink.py"
#endif

namespace portier::securemail {
namespace {

using Kind = SubmitOutcome::Kind;
namespace t = testing;

class SecuremailMutualTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new t::TempDir();
    ca_ = new t::TestCa(dir_->path());
    ASSERT_TRUE(ca_->make());
    const std::string& dir = dir_->path();
    ASSERT_TRUE(t::Pki::make_ca(dir, "clients"));
    ASSERT_TRUE(t::Pki::make_cert(dir, "clients", "portier", "portier.example.ch", ""));
    ASSERT_TRUE(t::Pki::make_ca(dir, "stranger"));
    ASSERT_TRUE(t::Pki::make_cert(dir, "stranger", "impostor", "portier.example.ch", ""));
    dovecot_ = new t::Dovecot();
    ASSERT_TRUE(dovecot_->start(*dir_, *ca_, *dir_ / "clients.pem"));
    sink_ = new t::SmtpSink();
    ASSERT_TRUE(sink_->start(*dir_, *ca_, SECUREMAIL_SINK_SCRIPT, *dir_ / "clients.pem"));
  }
  static void TearDownTestSuite() {
    delete sink_;
    delete dovecot_;
    delete ca_;
    delete dir_;
  }

  // The account's TLS: the mail servers' CA pinned, and the client certificate `name` if any.
  static config::OutboundTls tls(const std::string& name) {
    config::OutboundTls tls;
    tls.ca_file = ca_->ca_file();
    if (!name.empty()) {
      tls.certificate_file = *dir_ / (name + ".pem");
      tls.private_key_file = *dir_ / (name + ".key");
    }
    return tls;
  }

  SubmitReport submit(const std::string& client, const std::string& delivery_id) {
    SmtpAccount a;
    a.host = "127.0.0.1";
    a.port = sink_->port();
    a.tls = tls(client);
    a.username = t::SmtpSink::kUser;
    a.password = t::SmtpSink::kPassword;
    a.sender_address = t::SmtpSink::kUser;
    a.message_id_domain = "portier.example.ch";
    a.ehlo_name = "portier.example.ch";
    a.timeout = std::chrono::seconds(10);
    std::string pdf_path = *dir_ / ("doc-" + delivery_id + ".pdf");
    t::write_file(pdf_path, t::awkward_pdf(1'000));
    Submission s;
    s.delivery_id = delivery_id;
    s.recipient = "anna.muster@example.ch";
    s.title = "Verfügung";
    s.text = "Sie erhalten eine Verfügung.";
    s.pdf_path = pdf_path;
    s.pdf_file_name = "Verfuegung.pdf";
    return SmtpSubmitter(a, {}, clock_).submit(s);
  }

  Result<std::vector<uint32_t>> list_inbox(const std::string& client) {
    ImapAccount a = dovecot_->account(*ca_);
    a.tls = tls(client);
    return ReceiptMailbox(a).list_inbox();
  }

  ManualClock clock_{1'751'359'400'000};

  static t::TempDir* dir_;
  static t::TestCa* ca_;
  static t::Dovecot* dovecot_;
  static t::SmtpSink* sink_;
};

t::TempDir* SecuremailMutualTls::dir_ = nullptr;
t::TestCa* SecuremailMutualTls::ca_ = nullptr;
t::Dovecot* SecuremailMutualTls::dovecot_ = nullptr;
t::SmtpSink* SecuremailMutualTls::sink_ = nullptr;

TEST_F(SecuremailMutualTls, WithTheClientCertificateTheSubmissionIsAccepted) {
  const int before = sink_->count();
  SubmitReport report = submit("portier", "m-1");
  EXPECT_EQ(report.outcome.kind, Kind::kAccepted) << report.outcome.detail;
  EXPECT_EQ(sink_->count(), before + 1);
}

TEST_F(SecuremailMutualTls, WithoutItOrWithAnotherCasNothingIsSubmitted) {
  for (const char* client : {"", "impostor"}) {
    const int before = sink_->count();
    SubmitReport report = submit(client, std::string("m-2-") + client);
    EXPECT_EQ(report.outcome.kind, Kind::kRetry) << client << ": " << report.outcome.detail;
    // aiosmtpd drops the connection without a TLS alert; the detail says the exchange with
    // the peer failed, not the server's last (positive) reply "220 Ready to start TLS".
    EXPECT_NE(report.outcome.detail.find("Failure when receiving data from the peer"),
              std::string::npos)
        << client << ": " << report.outcome.detail;
    EXPECT_EQ(sink_->count(), before) << client;
  }
}

TEST_F(SecuremailMutualTls, WithTheClientCertificateTheMailboxIsRead) {
  auto listed = list_inbox("portier");
  EXPECT_TRUE(listed.is_ok()) << listed.status().to_string();
}

TEST_F(SecuremailMutualTls, WithoutItOrWithAnotherCasTheMailboxStaysClosed) {
  for (const char* client : {"", "impostor"}) {
    auto listed = list_inbox(client);
    EXPECT_FALSE(listed.is_ok()) << client;
    EXPECT_EQ(listed.status().code(), StatusCode::kPermissionDenied)
        << client << ": " << listed.status().to_string();
  }
}

}  // namespace
}  // namespace portier::securemail
