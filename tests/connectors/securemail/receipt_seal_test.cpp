// The receipt seal: a detached CMS signature over the PDF, checked against the platform CA.
// Keys and certificates are made for each run with the openssl command line.
#include "connectors/securemail/receipt_signature.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/connectors/securemail/test_support.h"

namespace portier::securemail {
namespace {

using testing::Pki;

class ReceiptSeal : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Pki::make_ca(dir_.path(), "platform"));
    ASSERT_TRUE(Pki::make_cert(dir_.path(), "platform", "seal", "IncaMail Seal", ""));
    ASSERT_TRUE(Pki::make_ca(dir_.path(), "other"));
    ASSERT_TRUE(Pki::make_cert(dir_.path(), "other", "forged", "IncaMail Seal", ""));
    pdf_ = testing::awkward_pdf(5000);
    testing::write_file(dir_ / "receipt.pdf", pdf_);
    signature_ = Pki::sign(dir_.path(), "seal", "receipt.pdf");
    ASSERT_FALSE(signature_.empty());
  }

  testing::TempDir dir_;
  std::string pdf_;
  std::string signature_;
};

TEST_F(ReceiptSeal, ValidSealNamesItsSigner) {
  SealCheck check = verify_receipt_seal(pdf_, signature_, dir_ / "platform.pem");
  EXPECT_TRUE(check.valid) << check.reason;
  EXPECT_EQ(check.signer_subject, "C=CH,O=Portier Tests,CN=IncaMail Seal");
  EXPECT_TRUE(check.reason.empty());
}

TEST_F(ReceiptSeal, PemSignatureIsTakenToo) {
  ASSERT_TRUE(testing::run("cd " + dir_.path() +
                           " && openssl cms -cmsout -inform DER -in receipt.pdf.p7s -outform PEM"
                           " -out receipt.pem.p7s"));
  SealCheck check = verify_receipt_seal(pdf_, testing::read_file(dir_ / "receipt.pem.p7s"),
                                        dir_ / "platform.pem");
  EXPECT_TRUE(check.valid) << check.reason;
}

TEST_F(ReceiptSeal, ChangedPdfIsInvalid) {
  std::string changed = pdf_;
  changed[100] ^= 1;
  SealCheck check = verify_receipt_seal(changed, signature_, dir_ / "platform.pem");
  EXPECT_FALSE(check.valid);
  EXPECT_NE(check.reason.find("does not verify"), std::string::npos) << check.reason;
  EXPECT_TRUE(check.signer_subject.empty());
  // A byte more at the end is a change too.
  EXPECT_FALSE(verify_receipt_seal(pdf_ + "\n", signature_, dir_ / "platform.pem").valid);
}

TEST_F(ReceiptSeal, SealOfAnotherCaIsInvalid) {
  std::string forged = Pki::sign(dir_.path(), "forged", "receipt.pdf");
  ASSERT_FALSE(forged.empty());
  SealCheck check = verify_receipt_seal(pdf_, forged, dir_ / "platform.pem");
  EXPECT_FALSE(check.valid);
  EXPECT_NE(check.reason.find("certificate verify error"), std::string::npos) << check.reason;
  // The same seal against its own CA verifies: the CA made the difference.
  EXPECT_TRUE(verify_receipt_seal(pdf_, forged, dir_ / "other.pem").valid);
}

TEST_F(ReceiptSeal, JunkAndMissingCaAreReasonsNotExceptions) {
  SealCheck junk = verify_receipt_seal(pdf_, "not a signature", dir_ / "platform.pem");
  EXPECT_FALSE(junk.valid);
  EXPECT_NE(junk.reason.find("not CMS"), std::string::npos) << junk.reason;
  EXPECT_FALSE(verify_receipt_seal(pdf_, "", dir_ / "platform.pem").valid);
  SealCheck no_ca = verify_receipt_seal(pdf_, signature_, dir_ / "missing.pem");
  EXPECT_FALSE(no_ca.valid);
  EXPECT_NE(no_ca.reason.find("CA file"), std::string::npos) << no_ca.reason;
}

TEST_F(ReceiptSeal, AttachedSignatureIsRefused) {
  ASSERT_TRUE(testing::run("cd " + dir_.path() +
                           " && openssl cms -sign -nodetach -binary -in receipt.pdf -signer seal.pem"
                           " -inkey seal.key -outform DER -out attached.p7m"));
  SealCheck check =
      verify_receipt_seal(pdf_, testing::read_file(dir_ / "attached.p7m"), dir_ / "platform.pem");
  EXPECT_FALSE(check.valid);
  EXPECT_NE(check.reason.find("not detached"), std::string::npos) << check.reason;
}

}  // namespace
}  // namespace portier::securemail
