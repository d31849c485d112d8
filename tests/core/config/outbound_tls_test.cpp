// An outbound endpoint's TLS in the configuration: the pinned caFile and the <clientCertificate>
// every endpoint element takes; files that cannot be read, a key of another certificate, an
// encrypted key without its passphrase are each refused with the element, the file and the line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "core/config/config.h"
#include "tests/core/config/config_test_support.h"

namespace portier::config {
namespace {

namespace fs = std::filesystem;
using testing::all_problems;
using ::testing::HasSubstr;
using testing::TempFolder;

constexpr char kHead[] =
    "<?xml version=\"1.0\"?>\n"
    "<portier xmlns=\"urn:portier:config:1\">\n"
    "  <listener name=\"main\"/>\n"
    "  <journal><sqlite path=\"journal.db\"/></journal>\n";
constexpr char kTail[] = "</portier>\n";

std::string portal(const std::string& inside, const std::string& ca = "ca.pem") {
  return "  <portal baseUrl=\"https://127.0.0.1:9000/api/v9\" "
         "tokenUrl=\"https://127.0.0.1:9000/t\"\n"
         "          clientId=\"portier\" clientSecret=\"env:PORTIER_PORTAL_SECRET\" caFile=\"" +
         ca + "\">\n" + inside + "  </portal>\n";
}

std::string client_certificate(const std::string& certificate, const std::string& key,
                               const std::string& passphrase = "") {
  std::string element =
      "    <clientCertificate certificate=\"" + certificate + "\" privateKey=\"" + key + "\"";
  if (!passphrase.empty()) element += " passphrase=\"" + passphrase + "\"";
  return element + "/>\n";
}

class OutboundTlsLoad : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TempFolder();
    const fs::path& dir = pki_->path();
    made_ = testing::make_ca(dir, "ca") && testing::make_ca(dir, "other-ca") &&
            testing::make_certificate(dir, "ca", "portier") &&
            testing::make_certificate(dir, "ca", "another") &&
            testing::make_certificate(dir, "ca", "sealed", "kennwort-1");
  }
  static void TearDownTestSuite() { delete pki_; }

  void SetUp() override {
    ASSERT_TRUE(made_) << "openssl could not make the test certificates";
    ::setenv("PORTIER_PORTAL_SECRET", "portal-secret", 1);
    ::setenv("PORTIER_KEY_PASSPHRASE", "kennwort-1", 1);
    ::setenv("PORTIER_WRONG_PASSPHRASE", "kennwort-2", 1);
  }

  std::string pki(const std::string& name) const { return (pki_->path() / name).string(); }

  LoadResult load_text(const std::string& text) {
    return load(folder_.write("portier.xml", text).string());
  }

  static TempFolder* pki_;
  static bool made_;
  TempFolder folder_;
};

TempFolder* OutboundTlsLoad::pki_ = nullptr;
bool OutboundTlsLoad::made_ = false;

TEST_F(OutboundTlsLoad, EveryEndpointTakesACaToPinAndAClientCertificate) {
  const std::string mine = client_certificate(pki("portier.pem"), pki("portier.key"));
  const std::string text =
      kHead + portal(mine, pki("ca.pem")) +
      "  <rcAdapter baseUrl=\"https://127.0.0.1:9000/rc\" caFile=\"" + pki("other-ca.pem") +
      "\"/>\n"
      "  <registeredMail messageIdDomain=\"portier.example\">\n"
      "    <platform name=\"incamail\" smtpUrl=\"smtp://127.0.0.1:2525\" sender=\"p@k.example\"\n"
      "              user=\"p\" password=\"env:PORTIER_PORTAL_SECRET\"\n"
      "              imapUrl=\"imap://127.0.0.1:1143\" imapUser=\"p\"\n"
      "              imapPassword=\"env:PORTIER_PORTAL_SECRET\" receiptCaFile=\"" +
      pki("ca.pem") + "\" caFile=\"" + pki("ca.pem") + "\">\n" +
      client_certificate(pki("sealed.pem"), pki("sealed.key"), "env:PORTIER_KEY_PASSPHRASE") +
      "    </platform>\n"
      "  </registeredMail>\n"
      "  <antragspostfach url=\"https://127.0.0.1:9000/apf\" user=\"p\"\n"
      "                   password=\"env:PORTIER_PORTAL_SECRET\">\n" +
      client_certificate(pki("another.pem"), pki("another.key")) +
      "    <mailbox name=\"m\"/>\n"
      "  </antragspostfach>\n" +
      kTail;
  LoadResult result = load_text(text);
  ASSERT_NE(result.config, nullptr) << all_problems(result);
  const Config& c = *result.config;
  EXPECT_EQ(c.portal.tls.ca_file, pki("ca.pem"));
  EXPECT_EQ(c.portal.tls.certificate_file, pki("portier.pem"));
  EXPECT_EQ(c.portal.tls.private_key_file, pki("portier.key"));
  EXPECT_EQ(c.portal.tls.key_passphrase, "");
  // The RC adapter pins its own CA and presents the portal's certificate.
  EXPECT_EQ(c.rc_adapter.tls.ca_file, pki("other-ca.pem"));
  EXPECT_EQ(c.rc_adapter.tls.certificate_file, pki("portier.pem"));
  EXPECT_EQ(c.rc_adapter.tls.private_key_file, pki("portier.key"));
  ASSERT_EQ(c.registered_mail.platforms.size(), 1u);
  const OutboundTls& mail = c.registered_mail.platforms[0].tls;
  EXPECT_EQ(mail.certificate_file, pki("sealed.pem"));
  EXPECT_EQ(mail.key_passphrase, "kennwort-1");
  EXPECT_EQ(c.apf.tls.certificate_file, pki("another.pem"));
  EXPECT_EQ(c.apf.tls.ca_file, "");
}

TEST_F(OutboundTlsLoad, WithoutAClientCertificateNoneIsPresented) {
  folder_.write("ca.pem", "");
  LoadResult result = load_text(kHead + portal("") +
                                "  <rcAdapter baseUrl=\"https://127.0.0.1:9000/rc\"/>\n" + kTail);
  ASSERT_NE(result.config, nullptr) << all_problems(result);
  EXPECT_FALSE(result.config->portal.tls.presents_certificate());
  EXPECT_EQ(result.config->rc_adapter.tls.ca_file, (folder_.path() / "ca.pem").string());
  EXPECT_FALSE(result.config->rc_adapter.tls.presents_certificate());
}

TEST_F(OutboundTlsLoad, AMissingFileIsNamedOnItsLine) {
  const std::string text =
      kHead + portal(client_certificate(pki("portier.pem"), pki("missing.key")), pki("ca.pem")) +
      kTail;
  LoadResult result = load_text(text);
  EXPECT_EQ(result.config, nullptr);
  ASSERT_EQ(result.problems.size(), 1u) << all_problems(result);
  EXPECT_EQ(result.problems[0].line, 7);
  EXPECT_THAT(result.problems[0].message, HasSubstr("<clientCertificate> privateKey"));
  EXPECT_THAT(result.problems[0].message, HasSubstr(pki("missing.key")));
}

TEST_F(OutboundTlsLoad, AKeyOfAnotherCertificateIsRefused) {
  const std::string text =
      kHead + portal(client_certificate(pki("portier.pem"), pki("another.key")), pki("ca.pem")) +
      kTail;
  LoadResult result = load_text(text);
  EXPECT_EQ(result.config, nullptr);
  ASSERT_EQ(result.problems.size(), 1u) << all_problems(result);
  EXPECT_EQ(result.problems[0].line, 7);
  EXPECT_THAT(result.problems[0].message, HasSubstr("<portal><clientCertificate>"));
  EXPECT_THAT(result.problems[0].message,
              HasSubstr(pki("another.key") + " is not the private key of the certificate in " +
                        pki("portier.pem")));
}

TEST_F(OutboundTlsLoad, ACertificateFileWithoutACertificateIsRefused) {
  const std::string text =
      kHead + portal(client_certificate(pki("portier.key"), pki("portier.key")), pki("ca.pem")) +
      kTail;
  LoadResult result = load_text(text);
  EXPECT_EQ(result.config, nullptr);
  ASSERT_EQ(result.problems.size(), 1u) << all_problems(result);
  EXPECT_THAT(result.problems[0].message,
              HasSubstr(pki("portier.key") + " holds no PEM certificate"));
}

TEST_F(OutboundTlsLoad, AnEncryptedKeyNeedsItsPassphrase) {
  const auto with = [&](const std::string& passphrase) {
    return load_text(kHead +
                     portal(client_certificate(pki("sealed.pem"), pki("sealed.key"), passphrase),
                            pki("ca.pem")) +
                     kTail);
  };
  LoadResult right = with("env:PORTIER_KEY_PASSPHRASE");
  ASSERT_NE(right.config, nullptr) << all_problems(right);
  EXPECT_EQ(right.config->portal.tls.key_passphrase, "kennwort-1");

  LoadResult none = with("");
  ASSERT_EQ(none.problems.size(), 1u) << all_problems(none);
  EXPECT_THAT(none.problems[0].message,
              HasSubstr(pki("sealed.key") + " holds no PEM private key that opens without a "
                                            "passphrase"));

  LoadResult wrong = with("env:PORTIER_WRONG_PASSPHRASE");
  ASSERT_EQ(wrong.problems.size(), 1u) << all_problems(wrong);
  EXPECT_THAT(wrong.problems[0].message, HasSubstr("with the given passphrase"));
  EXPECT_THAT(wrong.problems[0].message, ::testing::Not(HasSubstr("kennwort")));

  // A passphrase is a reference, never the passphrase itself, and never repeated.
  LoadResult inline_secret = with("kennwort-1");
  EXPECT_EQ(inline_secret.config, nullptr);
  EXPECT_THAT(all_problems(inline_secret), HasSubstr("passphrase"));
  EXPECT_THAT(all_problems(inline_secret), ::testing::Not(HasSubstr("kennwort-1")));
}

}  // namespace
}  // namespace portier::config
