// Securemail against real servers on free loopback ports: submissions to an aiosmtpd sink
// (STARTTLS, AUTH, faults by recipient), and receipts through Dovecot: listed, fetched byte for
// byte, parsed, their seal checked, moved to Archive or Unmatched.
#include <gmime/gmime.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "connectors/securemail/receipt_mailbox.h"
#include "connectors/securemail/receipt_parser.h"
#include "connectors/securemail/receipt_signature.h"
#include "connectors/securemail/smtp_submitter.h"
#include "core/base/clock.h"
#include "tests/connectors/securemail/mail_servers.h"

#ifndef SECUREMAIL_SINK_SCRIPT
#error "SECUREMAIL_SINK_SCRIPT must name smtp_sink.py"
#endif

namespace portier::securemail {
namespace {

using Kind = SubmitOutcome::Kind;
using ::testing::HasSubstr;
namespace t = testing;

// What a mail reader sees of a submitted message.
struct Seen {
  std::string subject, message_id, from, to, date, content_type;
  std::string text, pdf, pdf_name, pdf_type;
  int parts = 0;
};

std::string part_bytes(GMimePart* part) {
  GMimeStream* out = g_mime_stream_mem_new();
  g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(part), out);
  GByteArray* a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
  std::string bytes(reinterpret_cast<const char*>(a->data), a->len);
  g_object_unref(out);
  return bytes;
}

Seen read_mail(const std::string& raw) {
  g_mime_init();
  Seen seen;
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(raw.data(), raw.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* m = g_mime_parser_construct_message(parser, nullptr);
  if (m != nullptr) {
    GMimeObject* o = GMIME_OBJECT(m);
    auto header = [&](const char* name) {
      const char* v = g_mime_object_get_header(o, name);
      return std::string(v ? v : "");
    };
    seen.subject = g_mime_message_get_subject(m) ? g_mime_message_get_subject(m) : "";
    seen.message_id = header("Message-ID");
    seen.from = header("From");
    seen.to = header("To");
    seen.date = header("Date");
    GMimeObject* body = g_mime_message_get_mime_part(m);
    char* type = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(body));
    seen.content_type = type;
    g_free(type);
    if (GMIME_IS_MULTIPART(body)) {
      GMimeMultipart* mp = GMIME_MULTIPART(body);
      seen.parts = g_mime_multipart_get_count(mp);
      for (int i = 0; i < seen.parts; ++i) {
        GMimeObject* p = g_mime_multipart_get_part(mp, i);
        if (!GMIME_IS_PART(p)) continue;
        char* pt = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(p));
        if (i == 0) seen.text = part_bytes(GMIME_PART(p));
        if (i == 1) {
          seen.pdf = part_bytes(GMIME_PART(p));
          seen.pdf_type = pt;
          const char* name = g_mime_part_get_filename(GMIME_PART(p));
          seen.pdf_name = name ? name : "";
        }
        g_free(pt);
      }
    }
    g_object_unref(m);
  }
  g_object_unref(parser);
  g_object_unref(stream);
  return seen;
}

class SecuremailServers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new t::TempDir();
    ca_ = new t::TestCa(dir_->path());
    ASSERT_TRUE(ca_->make());
    dovecot_ = new t::Dovecot();
    ASSERT_TRUE(dovecot_->start(*dir_, *ca_));
    sink_ = new t::SmtpSink();
    ASSERT_TRUE(sink_->start(*dir_, *ca_, SECUREMAIL_SINK_SCRIPT));
    ASSERT_TRUE(t::Pki::make_ca(dir_->path(), "platform"));
    ASSERT_TRUE(t::Pki::make_cert(dir_->path(), "platform", "seal", "IncaMail Seal", ""));
  }
  static void TearDownTestSuite() {
    delete sink_;
    delete dovecot_;
    delete ca_;
    delete dir_;
  }

  SmtpAccount smtp_account() const {
    SmtpAccount a;
    a.host = "127.0.0.1";
    a.port = sink_->port();
    a.tls.ca_file = ca_->ca_file();
    a.username = t::SmtpSink::kUser;
    a.password = t::SmtpSink::kPassword;
    a.sender_address = t::SmtpSink::kUser;
    a.message_id_domain = "portier.example.ch";
    a.ehlo_name = "portier.example.ch";
    a.timeout = std::chrono::seconds(10);
    return a;
  }

  ImapAccount imap_account() const { return dovecot_->account(*ca_); }

  Submission submission(const std::string& delivery_id, const std::string& recipient) {
    std::string pdf_path = *dir_ / ("doc-" + delivery_id + ".pdf");
    t::write_file(pdf_path, pdf_);
    Submission s;
    s.delivery_id = delivery_id;
    s.recipient = recipient;
    s.title = "Verfügung Nr. 12 über die Baubewilligung";
    s.text = "Sie erhalten eine Verfügung der Gemeinde.";
    s.pdf_path = pdf_path;
    s.pdf_file_name = "Verfuegung-12.pdf";
    return s;
  }

  std::string pdf_ = t::awkward_pdf(200'000);
  ManualClock clock_{1'751'359'400'000};  // Tue, 01 Jul 2025 08:43:20 UTC

  static t::TempDir* dir_;
  static t::TestCa* ca_;
  static t::Dovecot* dovecot_;
  static t::SmtpSink* sink_;
};

t::TempDir* SecuremailServers::dir_ = nullptr;
t::TestCa* SecuremailServers::ca_ = nullptr;
t::Dovecot* SecuremailServers::dovecot_ = nullptr;
t::SmtpSink* SecuremailServers::sink_ = nullptr;

TEST_F(SecuremailServers, SubmitsTheContractedWire) {
  SmtpSubmitter submitter(smtp_account(), {Platform::kIncaMail, false}, clock_);
  int before = sink_->count();
  SubmitReport report = submitter.submit(submission("d-1", "anna.muster@example.ch"));
  ASSERT_EQ(report.outcome.kind, Kind::kAccepted) << report.outcome.detail;
  EXPECT_EQ(report.outcome.smtp_code, 250);
  EXPECT_EQ(report.message_id, "<d-1@portier.example.ch>");
  ASSERT_EQ(sink_->count(), before + 1) << sink_->log();

  Seen seen = read_mail(sink_->message(before + 1));
  EXPECT_EQ(seen.subject, "<r> Verfügung Nr. 12 über die Baubewilligung");
  EXPECT_EQ(seen.message_id, "<d-1@portier.example.ch>");
  EXPECT_EQ(seen.from, "<gemeinde@portier.example.ch>");
  EXPECT_EQ(seen.to, "<anna.muster@example.ch>");
  EXPECT_EQ(seen.date, "Tue, 01 Jul 2025 08:43:20 +0000");
  EXPECT_EQ(seen.content_type, "multipart/mixed");
  EXPECT_EQ(seen.parts, 2);
  EXPECT_EQ(seen.text, "Sie erhalten eine Verfügung der Gemeinde.");
  EXPECT_EQ(seen.pdf_type, "application/pdf");
  EXPECT_EQ(seen.pdf_name, "Verfuegung-12.pdf");
  EXPECT_TRUE(seen.pdf == pdf_) << "the PDF changed on the way (" << seen.pdf.size() << " bytes)";
  // The raw subject line is encoded: the title is not ASCII.
  EXPECT_NE(sink_->message(before + 1).find("Subject: =?UTF-8?B?"), std::string::npos);
  std::string envelope = t::read_file(*dir_ / ("smtp/out/msg-" + std::to_string(before + 1) +
                                               ".eml.envelope"));
  EXPECT_EQ(envelope, "gemeinde@portier.example.ch\nanna.muster@example.ch\n");
}

TEST_F(SecuremailServers, RetriedSubmissionKeepsItsMessageId) {
  SmtpSubmitter submitter(smtp_account(), {Platform::kPrivaSphere, true}, clock_);
  int before = sink_->count();
  ASSERT_EQ(submitter.submit(submission("d-2", "b@example.ch")).outcome.kind, Kind::kAccepted);
  clock_.advance(std::chrono::minutes(5));
  ASSERT_EQ(submitter.submit(submission("d-2", "b@example.ch")).outcome.kind, Kind::kAccepted);
  ASSERT_EQ(sink_->count(), before + 2);
  Seen first = read_mail(sink_->message(before + 1));
  Seen second = read_mail(sink_->message(before + 2));
  EXPECT_EQ(first.message_id, "<d-2@portier.example.ch>");
  EXPECT_EQ(second.message_id, first.message_id);
  EXPECT_NE(second.date, first.date);
  EXPECT_EQ(first.subject, "<PSPeGov/> Verfügung Nr. 12 über die Baubewilligung");
}

TEST_F(SecuremailServers, A451IsRetried) {
  SmtpSubmitter submitter(smtp_account(), {}, clock_);
  int before = sink_->count();
  SubmitReport report = submitter.submit(submission("d-3", "fault451@example.ch"));
  EXPECT_EQ(report.outcome.kind, Kind::kRetry) << report.outcome.detail;
  EXPECT_EQ(report.outcome.smtp_code, 451);
  EXPECT_NE(report.outcome.detail.find("try again later"), std::string::npos)
      << report.outcome.detail;
  EXPECT_FALSE(report.outcome.credentials_refused);
  EXPECT_EQ(sink_->count(), before);
}

TEST_F(SecuremailServers, A554FailsTheDeliveryWithTheServersText) {
  SmtpSubmitter submitter(smtp_account(), {}, clock_);
  int before = sink_->count();
  SubmitReport report = submitter.submit(submission("d-4", "fault554@example.ch"));
  EXPECT_EQ(report.outcome.kind, Kind::kPermanent) << report.outcome.detail;
  EXPECT_EQ(report.outcome.smtp_code, 554);
  EXPECT_EQ(report.outcome.detail, "554 5.7.1 Recipient refuses registered mail");
  EXPECT_EQ(sink_->count(), before);
}

TEST_F(SecuremailServers, AWrongPasswordIsRetriedAndFlagged) {
  SmtpAccount account = smtp_account();
  account.password = "wrong";
  account.timeout = std::chrono::seconds(5);
  SmtpSubmitter submitter(account, {}, clock_);
  int before = sink_->count();
  SubmitReport report = submitter.submit(submission("d-5", "c@example.ch"));
  EXPECT_EQ(report.outcome.kind, Kind::kRetry) << report.outcome.detail;
  EXPECT_TRUE(report.outcome.credentials_refused) << report.outcome.detail;
  EXPECT_EQ(report.outcome.smtp_code, 535) << report.outcome.detail;
  EXPECT_EQ(sink_->count(), before);
}

TEST_F(SecuremailServers, AnUntrustedServerGetsNothing) {
  SmtpAccount account = smtp_account();
  account.tls.ca_file = *dir_ / "platform.pem";  // a CA that did not sign the server's certificate
  SmtpSubmitter submitter(account, {}, clock_);
  int before = sink_->count();
  SubmitReport report = submitter.submit(submission("d-6", "c@example.ch"));
  EXPECT_EQ(report.outcome.kind, Kind::kRetry) << report.outcome.detail;
  EXPECT_EQ(sink_->count(), before);
}

TEST_F(SecuremailServers, NoServerIsRetried) {
  SmtpAccount account = smtp_account();
  account.port = t::free_loopback_port();
  SubmitReport report = SmtpSubmitter(account, {}, clock_).submit(submission("d-7", "c@example.ch"));
  EXPECT_EQ(report.outcome.kind, Kind::kRetry) << report.outcome.detail;
  EXPECT_EQ(report.outcome.smtp_code, 0);
}

TEST_F(SecuremailServers, ASubmissionThatCannotBeMadeIsRefusedBeforeSending) {
  SmtpSubmitter submitter(smtp_account(), {}, clock_);
  int before = sink_->count();
  Submission missing_pdf = submission("d-8", "c@example.ch");
  missing_pdf.pdf_path = *dir_ / "no-such.pdf";
  Submission bad_recipient = submission("d-8", "c@example.ch>\r\nRCPT TO:<x@y.ch");
  Submission bad_id = submission("d 8", "c@example.ch");
  for (const Submission* s : {&missing_pdf, &bad_recipient, &bad_id}) {
    SubmitReport report = submitter.submit(*s);
    EXPECT_EQ(report.outcome.kind, Kind::kPermanent) << report.outcome.detail;
    EXPECT_EQ(report.outcome.smtp_code, 0);
  }
  EXPECT_EQ(sink_->count(), before);
}

// A receipt as the platform mails it: the submission's Message-ID in In-Reply-To and References,
// the PDF and its detached seal.
std::string receipt_mail(const std::string& original_id, const std::string& pdf,
                         const std::string& seal, const std::string& receipt_id) {
  auto b64 = [](const std::string& bytes) {
    GMimeStream* out = g_mime_stream_mem_new();
    GMimeStream* filtered = g_mime_stream_filter_new(out);
    GMimeFilter* encoder = g_mime_filter_basic_new(GMIME_CONTENT_ENCODING_BASE64, TRUE);
    g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), encoder);
    g_mime_stream_write(filtered, bytes.data(), bytes.size());
    g_mime_stream_flush(filtered);
    GByteArray* a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
    std::string text;
    for (size_t i = 0; i < a->len; ++i) {  // mail on the wire ends its lines with CRLF
      if (a->data[i] == '\n') text += '\r';
      text += static_cast<char>(a->data[i]);
    }
    g_object_unref(encoder);
    g_object_unref(filtered);
    g_object_unref(out);
    return text;
  };
  return "From: IncaMail <noreply@incamail.example>\r\n"
         "To: <gemeinde@portier.example.ch>\r\n"
         "Subject: Abgabequittung: Verfuegung Nr. 12\r\n"
         "Date: Tue, 01 Jul 2025 10:45:00 +0200\r\n"
         "Message-ID: " + receipt_id + "\r\n"
         "In-Reply-To: " + original_id + "\r\n"
         "References: " + original_id + "\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"=-b\"\r\n\r\n"
         "--=-b\r\nContent-Type: text/plain\r\n\r\nAbgabequittung.\r\n"
         "--=-b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
         "Content-Disposition: attachment; filename=\"receipt.pdf\"\r\n\r\n" + b64(pdf) +
         "--=-b\r\nContent-Type: application/pkcs7-signature\r\n"
         "Content-Transfer-Encoding: base64\r\n"
         "Content-Disposition: attachment; filename=\"receipt.pdf.p7s\"\r\n\r\n" + b64(seal) +
         "--=-b--\r\n";
}

TEST_F(SecuremailServers, ReceiptIsListedFetchedCheckedAndArchived) {
  g_mime_init();
  SmtpSubmitter submitter(smtp_account(), {}, clock_);
  SubmitReport sent = submitter.submit(submission("d-9", "d@example.ch"));
  ASSERT_EQ(sent.outcome.kind, Kind::kAccepted) << sent.outcome.detail;

  std::string receipt_pdf = t::awkward_pdf(4000);
  t::write_file(*dir_ / "receipt-d-9.pdf", receipt_pdf);
  std::string seal = t::Pki::sign(dir_->path(), "seal", "receipt-d-9.pdf");
  ASSERT_FALSE(seal.empty());
  std::string raw = receipt_mail(sent.message_id, receipt_pdf, seal, "<q-9@incamail.example>");
  ASSERT_TRUE(dovecot_->deliver(raw));
  ASSERT_TRUE(dovecot_->deliver("Subject: Ferienabwesenheit\r\n\r\nBin weg.\r\n"));

  ReceiptMailbox mailbox(imap_account());
  auto uids = mailbox.list_inbox();
  ASSERT_TRUE(uids.is_ok()) << uids.status().to_string() << dovecot_->log();
  ASSERT_EQ(uids->size(), 2u);

  auto fetched = mailbox.fetch(uids->at(0));
  ASSERT_TRUE(fetched.is_ok()) << fetched.status().to_string();
  EXPECT_TRUE(*fetched == raw) << "the receipt changed in the mailbox";
  auto receipt = parse_receipt(*fetched, Platform::kIncaMail);
  ASSERT_TRUE(receipt.is_ok()) << receipt.status().to_string();
  EXPECT_EQ(receipt->kind, ReceiptKind::kSubmission);
  EXPECT_EQ(receipt->original_message_id, sent.message_id);
  EXPECT_EQ(receipt->receipt_message_id, "<q-9@incamail.example>");
  EXPECT_EQ(receipt->event_time_ms, 1'751'359'500'000);
  SealCheck seal_check = verify_receipt_seal(receipt->pdf, receipt->signature,
                                             *dir_ / "platform.pem");
  EXPECT_TRUE(seal_check.valid) << seal_check.reason;
  EXPECT_EQ(seal_check.signer_subject, "C=CH,O=Portier Tests,CN=IncaMail Seal");

  // Archive does not exist yet: the move creates it.
  EXPECT_EQ(dovecot_->count("Archive"), -1);
  Status moved = mailbox.move(uids->at(0), MailboxFolder::kArchive);
  ASSERT_TRUE(moved.is_ok()) << moved.to_string();
  EXPECT_EQ(dovecot_->count("Archive"), 1);

  auto junk = mailbox.fetch(uids->at(1));
  ASSERT_TRUE(junk.is_ok()) << junk.status().to_string();
  EXPECT_FALSE(parse_receipt(*junk, Platform::kIncaMail).is_ok());
  ASSERT_TRUE(mailbox.move(uids->at(1), MailboxFolder::kUnmatched).is_ok());
  EXPECT_EQ(dovecot_->count("Unmatched"), 1);

  auto left = mailbox.list_inbox();
  ASSERT_TRUE(left.is_ok()) << left.status().to_string();
  EXPECT_TRUE(left->empty());
  // Moved before (Portier stopped between moving and noting it): said so, nothing else moves.
  Status again = mailbox.move(uids->at(0), MailboxFolder::kArchive);
  EXPECT_EQ(again.code(), StatusCode::kNotFound) << again.to_string();
  EXPECT_EQ(dovecot_->count("Archive"), 1);
  auto gone = mailbox.fetch(uids->at(0));
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound) << gone.status().to_string();
}

TEST_F(SecuremailServers, AMessageOverTheSizeLimitIsNotReadToItsEnd) {
  ASSERT_TRUE(dovecot_->deliver("Subject: gross\r\n\r\n" + std::string(20'000, 'x') + "\r\n"));
  ASSERT_TRUE(dovecot_->deliver("Subject: klein\r\n\r\nkurz\r\n"));
  const int unmatched = std::max(dovecot_->count("Unmatched"), 0);  // the suite shares a Dovecot
  ImapAccount account = imap_account();
  account.max_message_bytes = 8192;
  ReceiptMailbox mailbox(account);
  auto uids = mailbox.list_inbox();
  ASSERT_TRUE(uids.is_ok()) << uids.status().to_string();
  ASSERT_GE(uids->size(), 2u);
  const uint32_t big_uid = uids->at(uids->size() - 2), small_uid = uids->back();
  auto big = mailbox.fetch(big_uid);
  EXPECT_EQ(big.status().code(), StatusCode::kInvalidArgument) << big.status().to_string();
  EXPECT_THAT(big.status().message(), HasSubstr("larger than the limit of 8192 bytes"));
  // The session goes on: the next message is read, and the large one can be set aside.
  auto small = mailbox.fetch(small_uid);
  ASSERT_TRUE(small.is_ok()) << small.status().to_string();
  EXPECT_THAT(*small, HasSubstr("kurz"));
  ASSERT_TRUE(mailbox.move(big_uid, MailboxFolder::kUnmatched).is_ok());
  EXPECT_EQ(dovecot_->count("Unmatched"), unmatched + 1);
}

TEST_F(SecuremailServers, MailboxErrorsAreClassified) {
  ImapAccount wrong = imap_account();
  wrong.password = "wrong";
  auto denied = ReceiptMailbox(wrong).list_inbox();
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied) << denied.status().to_string();

  ImapAccount untrusted = imap_account();
  untrusted.tls.ca_file = *dir_ / "platform.pem";
  auto refused = ReceiptMailbox(untrusted).list_inbox();
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().to_string();

  ImapAccount nobody = imap_account();
  nobody.port = t::free_loopback_port();
  auto down = ReceiptMailbox(nobody).list_inbox();
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable) << down.status().to_string();
}

}  // namespace
}  // namespace portier::securemail
