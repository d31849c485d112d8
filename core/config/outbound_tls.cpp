// check_client_certificate: the certificate and its key are read with OpenSSL as libcurl will
// read them, so that a wrong file or a key of another certificate stops the start, not the
// first delivery.
#include "core/config/outbound_tls.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstring>
#include <memory>

namespace portier::config {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

// Hands the configured passphrase to OpenSSL; an empty one makes an encrypted key fail
// instead of prompting on the terminal.
int give_passphrase(char* buffer, int size, int /*rwflag*/, void* passphrase) {
  const std::string& given = *static_cast<const std::string*>(passphrase);
  if (given.empty() || given.size() > static_cast<size_t>(size)) return -1;
  std::memcpy(buffer, given.data(), given.size());
  return static_cast<int>(given.size());
}

std::unique_ptr<FILE, FileCloser> open(const std::string& path) {
  return std::unique_ptr<FILE, FileCloser>(std::fopen(path.c_str(), "r"));
}

}  // namespace

Status check_client_certificate(const OutboundTls& tls) {
  if (!tls.presents_certificate()) return Status::ok();
  auto cert_file = open(tls.certificate_file);
  if (!cert_file) return invalid_argument("cannot read " + tls.certificate_file);
  std::unique_ptr<X509, X509Deleter> certificate(
      PEM_read_X509(cert_file.get(), nullptr, nullptr, nullptr));
  if (!certificate) {
    ERR_clear_error();
    return invalid_argument(tls.certificate_file + " holds no PEM certificate");
  }
  auto key_file = open(tls.private_key_file);
  if (!key_file) return invalid_argument("cannot read " + tls.private_key_file);
  std::string passphrase = tls.key_passphrase;
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(
      PEM_read_PrivateKey(key_file.get(), nullptr, give_passphrase, &passphrase));
  if (!key) {
    ERR_clear_error();
    return invalid_argument(
        tls.private_key_file + " holds no PEM private key that opens" +
        (tls.key_passphrase.empty() ? " without a passphrase" : " with the given passphrase"));
  }
  if (X509_check_private_key(certificate.get(), key.get()) != 1) {
    ERR_clear_error();
    return invalid_argument(tls.private_key_file +
                            " is not the private key of the certificate in " +
                            tls.certificate_file);
  }
  return Status::ok();
}

}  // namespace portier::config
