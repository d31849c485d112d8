#include "connectors/securemail/receipt_signature.h"

// pem.h before cms.h: cms.h declares PEM_read_bio_CMS only when pem.h came first.
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>

namespace portier::securemail {
namespace {

struct Free {
  void operator()(BIO* b) const { BIO_free(b); }
  void operator()(CMS_ContentInfo* c) const { CMS_ContentInfo_free(c); }
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }  // the certificates are not owned
};
template <class T>
using Owned = std::unique_ptr<T, Free>;

// OpenSSL's first error on this thread, and an empty queue afterwards.
std::string openssl_reason(const char* what) {
  unsigned long code = ERR_peek_error();
  std::string reason = what;
  if (code != 0) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    reason += ": ";
    reason += text;
  }
  ERR_clear_error();
  return reason;
}

SealCheck invalid(std::string reason) {
  SealCheck check;
  check.reason = std::move(reason);
  return check;
}

BIO* memory(std::string_view bytes) {
  return BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size()));
}

SealCheck verify(std::string_view pdf, std::string_view signature, const std::string& ca_file) {
  ERR_clear_error();
  if (pdf.size() > INT32_MAX || signature.size() > INT32_MAX) return invalid("too large");
  Owned<X509_STORE> store(X509_STORE_new());
  if (!store || X509_STORE_load_file(store.get(), ca_file.c_str()) != 1) {
    return invalid(openssl_reason("the platform CA file cannot be read"));
  }
  // A platform's seal certificate is a document-signing one, not an S/MIME one; what matters is
  // that it chains to the platform CA, so any purpose will do.
  X509_STORE_set_purpose(store.get(), X509_PURPOSE_ANY);

  Owned<BIO> sig_in(memory(signature));
  if (!sig_in) return invalid(openssl_reason("out of memory"));
  Owned<CMS_ContentInfo> cms;
  if (signature.substr(0, 11) == "-----BEGIN ") {
    cms.reset(PEM_read_bio_CMS(sig_in.get(), nullptr, nullptr, nullptr));
  } else {
    cms.reset(d2i_CMS_bio(sig_in.get(), nullptr));
  }
  if (!cms) return invalid(openssl_reason("the signature is not CMS"));
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    return invalid("the signature is not CMS signed data");
  }
  if (!CMS_is_detached(cms.get())) return invalid("the signature is not detached");

  Owned<BIO> content(memory(pdf));
  if (!content) return invalid(openssl_reason("out of memory"));
  // CMS_BINARY: the PDF's bytes as they are, with no MIME canonical line ends.
  if (CMS_verify(cms.get(), nullptr, store.get(), content.get(), nullptr, CMS_BINARY) != 1) {
    return invalid(openssl_reason("the seal does not verify"));
  }
  Owned<STACK_OF(X509)> signers(CMS_get0_signers(cms.get()));
  if (!signers || sk_X509_num(signers.get()) < 1) return invalid("the signature names no signer");
  Owned<BIO> name(BIO_new(BIO_s_mem()));
  if (!name) return invalid(openssl_reason("out of memory"));
  X509_NAME_print_ex(name.get(), X509_get_subject_name(sk_X509_value(signers.get(), 0)), 0,
                     XN_FLAG_RFC2253);
  char* text = nullptr;
  long length = BIO_get_mem_data(name.get(), &text);
  SealCheck check;
  check.valid = true;
  check.signer_subject.assign(text, static_cast<size_t>(length));
  ERR_clear_error();
  return check;
}

}  // namespace

SealCheck verify_receipt_seal(std::string_view pdf, std::string_view signature,
                              const std::string& ca_file) noexcept {
  try {
    return verify(pdf, signature, ca_file);
  } catch (...) {  // std::bad_alloc from a string: still an answer, never an exception
    ERR_clear_error();
    SealCheck check;
    return check;
  }
}

}  // namespace portier::securemail
