// Receipts read from raw mail built here as MIME text: the good case for both platforms, and
// everything that makes a message no receipt (junk, a missing PDF or signature, a truncated
// message, a receipt without In-Reply-To).
#include "connectors/securemail/receipt_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/connectors/securemail/test_support.h"

namespace portier::securemail {
namespace {

std::string base64_lines(const std::string& bytes) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out, line;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= uint8_t(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= uint8_t(bytes[i + 2]);
    line += table[(n >> 18) & 63];
    line += table[(n >> 12) & 63];
    line += i + 1 < bytes.size() ? table[(n >> 6) & 63] : '=';
    line += i + 2 < bytes.size() ? table[n & 63] : '=';
    if (line.size() >= 76) {
      out += line + "\r\n";
      line.clear();
    }
  }
  if (!line.empty()) out += line + "\r\n";
  return out;
}

struct Mail {
  std::string subject = "Abgabequittung: Verfügung 12";
  std::string threading = "In-Reply-To: <d-42@portier.example.ch>\r\n"
                          "References: <d-42@portier.example.ch>\r\n";
  std::string date = "Date: Tue, 01 Jul 2025 10:43:20 +0200\r\n";
  std::string pdf = testing::awkward_pdf(3000);
  std::string pdf_type = "application/pdf";
  std::string pdf_name = "receipt.pdf";
  std::string signature = std::string("\x30\x82\x01\x00 der bytes \0 here", 22);
  bool with_pdf = true;
  bool with_signature = true;

  std::string text() const {
    std::string m = "From: IncaMail <noreply@incamail.example>\r\n"
                    "To: <gemeinde@portier.example.ch>\r\n"
                    "Subject: " + subject + "\r\n" + date +
                    "Message-ID: <r-7@incamail.example>\r\n" + threading +
                    "MIME-Version: 1.0\r\n"
                    "Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n"
                    "--b0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nQuittung.\r\n";
    if (with_pdf) {
      m += "--b0\r\nContent-Type: " + pdf_type + "\r\nContent-Transfer-Encoding: base64\r\n"
           "Content-Disposition: attachment; filename=\"" + pdf_name + "\"\r\n\r\n" +
           base64_lines(pdf);
    }
    if (with_signature) {
      m += "--b0\r\nContent-Type: application/pkcs7-signature; name=\"receipt.pdf.p7s\"\r\n"
           "Content-Transfer-Encoding: base64\r\n"
           "Content-Disposition: attachment; filename=\"receipt.pdf.p7s\"\r\n\r\n" +
           base64_lines(signature);
    }
    return m + "--b0--\r\n";
  }
};

TEST(ReceiptParser, ReadsAnIncaMailReceipt) {
  Mail mail;
  auto r = parse_receipt(mail.text(), Platform::kIncaMail);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->kind, ReceiptKind::kSubmission);
  EXPECT_EQ(r->original_message_id, "<d-42@portier.example.ch>");
  EXPECT_EQ(r->receipt_message_id, "<r-7@incamail.example>");
  EXPECT_EQ(r->subject, "Abgabequittung: Verfügung 12");
  EXPECT_EQ(r->event_time_ms, 1'751'359'400'000);  // 08:43:20 UTC
  EXPECT_EQ(r->pdf, mail.pdf);
  EXPECT_EQ(r->pdf_file_name, "receipt.pdf");
  EXPECT_EQ(r->signature, mail.signature);
}

TEST(ReceiptParser, ReadsAPrivaSphereReceiptWithAnEncodedSubject) {
  Mail mail;
  mail.subject = "=?UTF-8?B?TGVzZWJlc3TDpHRpZ3VuZzogVmVyZsO8Z3VuZw==?=";  // Lesebestätigung: …
  auto r = parse_receipt(mail.text(), Platform::kPrivaSphere);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->kind, ReceiptKind::kAcceptance);
  // Not a receipt name of the other platform.
  EXPECT_FALSE(parse_receipt(mail.text(), Platform::kIncaMail).is_ok());
}

TEST(ReceiptParser, FindsAPdfByNameOrMagic) {
  Mail by_name;
  by_name.pdf_type = "application/octet-stream";
  auto r = parse_receipt(by_name.text(), Platform::kIncaMail);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->pdf, by_name.pdf);

  Mail by_magic;
  by_magic.pdf_type = "application/octet-stream";
  by_magic.pdf_name = "quittung.bin";
  r = parse_receipt(by_magic.text(), Platform::kIncaMail);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->pdf, by_magic.pdf);
  EXPECT_EQ(r->pdf_file_name, "quittung.bin");

  Mail neither;
  neither.pdf_type = "application/octet-stream";
  neither.pdf_name = "quittung.bin";
  neither.pdf = "not a pdf at all";
  EXPECT_FALSE(parse_receipt(neither.text(), Platform::kIncaMail).is_ok());
}

TEST(ReceiptParser, FallsBackToReferences) {
  Mail mail;
  mail.threading = "References: <thread-start@x.example>\r\n <d-43@portier.example.ch>\r\n";
  auto r = parse_receipt(mail.text(), Platform::kIncaMail);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->original_message_id, "<d-43@portier.example.ch>");
}

void expect_refused(const std::string& raw, const std::string& why) {
  auto r = parse_receipt(raw, Platform::kIncaMail);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
}

TEST(ReceiptParser, RefusesAReceiptWithoutThreading) {
  Mail mail;
  mail.threading = "";
  expect_refused(mail.text(), "In-Reply-To");
}

TEST(ReceiptParser, RefusesJunk) {
  expect_refused("", "not a MIME message");
  expect_refused(std::string("\0\x01\x02\xff garbage", 13), "");
  expect_refused("just some words\r\nwithout any headers\r\n", "");
}

TEST(ReceiptParser, RefusesAMailThatIsNoReceipt) {
  Mail mail;
  mail.subject = "Abwesenheitsnotiz: Verfügung 12";
  expect_refused(mail.text(), "no incamail receipt");
}

TEST(ReceiptParser, RefusesMissingParts) {
  Mail no_pdf;
  no_pdf.with_pdf = false;
  expect_refused(no_pdf.text(), "no PDF part");
  Mail no_signature;
  no_signature.with_signature = false;
  expect_refused(no_signature.text(), "no signature part");
}

TEST(ReceiptParser, RefusesAMissingOrBadDate) {
  Mail none;
  none.date = "";
  expect_refused(none.text(), "Date");
  Mail bad;
  bad.date = "Date: sometime last week\r\n";
  expect_refused(bad.text(), "Date");
}

TEST(ReceiptParser, RefusesATruncatedMessage) {
  Mail mail;
  std::string whole = mail.text();
  ASSERT_TRUE(parse_receipt(whole, Platform::kIncaMail).is_ok());
  // Cut in the PDF's base64, inside the signature part, and just before the closing boundary.
  for (size_t keep : {whole.find("receipt.pdf\"") + 500, whole.find("receipt.pdf.p7s\"\r\n\r\n") + 20,
                      whole.size() - 9}) {
    SCOPED_TRACE(keep);
    auto r = parse_receipt(whole.substr(0, keep), Platform::kIncaMail);
    ASSERT_FALSE(r.is_ok());
    EXPECT_NE(r.status().message().find("truncated"), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace portier::securemail
