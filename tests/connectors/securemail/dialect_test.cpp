// The platforms' subject dialects both ways, the header values of a submission, and how an SMTP
// outcome is judged: tables.
#include "connectors/securemail/dialect.h"

#include <gtest/gtest.h>

#include <string>

#include "connectors/securemail/mail_headers.h"
#include "connectors/securemail/smtp_judgement.h"

namespace portier::securemail {
namespace {

TEST(Dialect, RegisteredSubjects) {
  EXPECT_EQ(registered_subject({Platform::kIncaMail, false}, "Verfügung 12"), "<r> Verfügung 12");
  // IncaMail has no eGov tag: the flag changes nothing.
  EXPECT_EQ(registered_subject({Platform::kIncaMail, true}, "T"), "<r> T");
  EXPECT_EQ(registered_subject({Platform::kPrivaSphere, false}, "T"), "<PSPRegistered/> T");
  EXPECT_EQ(registered_subject({Platform::kPrivaSphere, true}, "T"), "<PSPeGov/> T");
}

struct NameRow {
  Platform platform;
  ReceiptKind kind;
  const char* name;
};

const NameRow kNames[] = {
    {Platform::kIncaMail, ReceiptKind::kSubmission, "Abgabequittung"},
    {Platform::kIncaMail, ReceiptKind::kAcceptance, "Abholquittung"},
    {Platform::kIncaMail, ReceiptKind::kRefusal, "Annahmeverweigerungsquittung"},
    {Platform::kIncaMail, ReceiptKind::kExpiry, "Verfallquittung"},
    {Platform::kIncaMail, ReceiptKind::kUndeliverable, "Unzustellbarkeitsmeldung"},
    {Platform::kPrivaSphere, ReceiptKind::kSubmission, "Belegexemplar"},
    {Platform::kPrivaSphere, ReceiptKind::kAcceptance, "Lesebestaetigung"},
    {Platform::kPrivaSphere, ReceiptKind::kRefusal, "Annahmeverweigerung"},
    {Platform::kPrivaSphere, ReceiptKind::kExpiry, "Verfallsmeldung"},
    {Platform::kPrivaSphere, ReceiptKind::kUndeliverable, "Unzustellbarkeitsmeldung"},
};

TEST(Dialect, ReceiptNamesBothWays) {
  for (const NameRow& row : kNames) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(receipt_name(row.platform, row.kind), row.name);
    auto kind = receipt_kind(row.platform, std::string(row.name) + ": Verfügung 12");
    ASSERT_TRUE(kind.has_value());
    EXPECT_STREQ(to_string(*kind), to_string(row.kind));
    // The bare name, as a receipt without the original subject would carry it.
    EXPECT_TRUE(receipt_kind(row.platform, row.name).has_value());
  }
}

TEST(Dialect, OneNameIsNoReceiptOfTheOtherPlatform) {
  EXPECT_FALSE(receipt_kind(Platform::kPrivaSphere, "Abgabequittung: T"));
  EXPECT_FALSE(receipt_kind(Platform::kIncaMail, "Belegexemplar: T"));
  EXPECT_FALSE(receipt_kind(Platform::kIncaMail, "Annahmeverweigerung: T"));
  EXPECT_FALSE(receipt_kind(Platform::kPrivaSphere, "Annahmeverweigerungsquittung: T"));
}

TEST(Dialect, UnknownSubjectsAreNoReceipts) {
  for (const char* subject :
       {"", "Re: Abgabequittung: T", "Abgabequittungen: T", "abgabequittung: T",
        "Out of office: Abgabequittung", "Verfügung 12", "Abgabe quittung: T"}) {
    SCOPED_TRACE(subject);
    EXPECT_FALSE(receipt_kind(Platform::kIncaMail, subject).has_value());
  }
}

TEST(Dialect, PublishedUmlautSpelling) {
  auto kind = receipt_kind(Platform::kPrivaSphere, "Lesebestätigung: Verfügung");
  ASSERT_TRUE(kind.has_value());
  EXPECT_EQ(*kind, ReceiptKind::kAcceptance);
}

TEST(Dialect, Platforms) {
  EXPECT_EQ(parse_platform("incamail"), Platform::kIncaMail);
  EXPECT_EQ(parse_platform("privasphere"), Platform::kPrivaSphere);
  EXPECT_FALSE(parse_platform("IncaMail").has_value());
  EXPECT_STREQ(to_string(Platform::kPrivaSphere), "privasphere");
}

TEST(MailHeaders, AsciiStaysReadable) {
  EXPECT_EQ(encode_header_text("<r> Baubewilligung 2026-17"), "<r> Baubewilligung 2026-17");
}

TEST(MailHeaders, NonAsciiIsEncodedInWholeCharacters) {
  EXPECT_EQ(encode_header_text("<r> Verfügung"), "=?UTF-8?B?PHI+IFZlcmbDvGd1bmc=?=");
  // 40 two-byte characters: 80 bytes, more than one encoded word holds.
  std::string long_title;
  for (int i = 0; i < 40; ++i) long_title += "ü";
  std::string encoded = encode_header_text(long_title);
  size_t start = 0;
  int words = 0;
  while (start < encoded.size()) {
    size_t end = encoded.find(' ', start);
    if (end == std::string::npos) end = encoded.size();
    std::string word = encoded.substr(start, end - start);
    EXPECT_LE(word.size(), 75u) << word;
    EXPECT_EQ(word.rfind("=?UTF-8?B?", 0), 0u);
    // 22 characters (44 bytes) fit a word; a 45th byte would split a character.
    if (words == 0) {
      EXPECT_EQ(word, "=?UTF-8?B?w7zDvMO8w7zDvMO8w7zDvMO8w7zDvMO8w7zDvMO8w7zDvMO8w7zDvMO8w7w=?=");
    }
    ++words;
    start = end + 1;
  }
  EXPECT_EQ(words, 2);
}

TEST(MailHeaders, EncodedWordLookalikeIsEncoded) {
  EXPECT_EQ(encode_header_text("a =?x?= b").rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_NE(encode_header_text("line\r\nBcc: x@y"), "line\r\nBcc: x@y");
}

TEST(MailHeaders, DateIsRfc5322InUtc) {
  EXPECT_EQ(format_mail_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(format_mail_date(1'751'359'400'999), "Tue, 01 Jul 2025 08:43:20 +0000");
}

TEST(MailHeaders, MessageIdAndItsParts) {
  EXPECT_EQ(delivery_message_id("d-42.1", "portier.example.ch"), "<d-42.1@portier.example.ch>");
  EXPECT_TRUE(is_dot_atom("bauamt.m-1.securemail.1"));
  for (const char* bad : {"", ".a", "a.", "a..b", "a b", "a<b", "a@b", "a>b", "ü"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(is_dot_atom(bad));
  }
}

TEST(MailHeaders, PlainAddresses) {
  EXPECT_TRUE(is_plain_address("anna.muster@example.ch"));
  for (const char* bad : {"", "anna", "@example.ch", "anna@", "a@b@c", "a b@c", "<a@b>",
                          "a@b\r\nRCPT TO:<x@y>", "anna@exämple.ch", "a,b@c"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(is_plain_address(bad));
  }
}

TEST(SmtpJudgement, Table) {
  using Kind = SubmitOutcome::Kind;
  struct Row {
    CURLcode curl;
    long code;
    Kind kind;
    bool credentials;
  };
  const Row table[] = {
      {CURLE_OK, 250, Kind::kAccepted, false},
      {CURLE_SEND_ERROR, 451, Kind::kRetry, false},       // 451 to DATA
      {CURLE_RECV_ERROR, 421, Kind::kRetry, false},
      {CURLE_SEND_ERROR, 452, Kind::kRetry, false},
      {CURLE_RECV_ERROR, 554, Kind::kPermanent, false},   // 554 after the message
      {CURLE_SEND_ERROR, 550, Kind::kPermanent, false},   // 550 to RCPT
      {CURLE_LOGIN_DENIED, 535, Kind::kRetry, true},      // a wrong password
      {CURLE_AUTH_ERROR, 0, Kind::kRetry, true},
      {CURLE_OPERATION_TIMEDOUT, 0, Kind::kRetry, false},
      {CURLE_COULDNT_CONNECT, 0, Kind::kRetry, false},
      {CURLE_USE_SSL_FAILED, 0, Kind::kRetry, false},     // no STARTTLS offered
      {CURLE_PEER_FAILED_VERIFICATION, 0, Kind::kRetry, false},
      {CURLE_WEIRD_SERVER_REPLY, 0, Kind::kRetry, false},
  };
  for (const Row& row : table) {
    SCOPED_TRACE(std::to_string(row.curl) + " " + std::to_string(row.code));
    SubmitOutcome out = judge_submission(row.curl, row.code, "text");
    EXPECT_STREQ(to_string(out.kind), to_string(row.kind));
    EXPECT_EQ(out.credentials_refused, row.credentials);
    EXPECT_EQ(out.smtp_code, row.code);
    EXPECT_EQ(out.detail, "text");
  }
  EXPECT_EQ(judge_submission(CURLE_COULDNT_CONNECT, 0, "").detail,
            curl_easy_strerror(CURLE_COULDNT_CONNECT));
}

}  // namespace
}  // namespace portier::securemail
