#pragma once
// How Portier's TLS to one counterpart is set up: the one shape every outbound endpoint uses
// (the portal, its RC adapter, the APF, the delivery platforms' SMTP and IMAP servers, the
// departments' endpoints). In a file: the endpoint's caFile attribute and its optional
// <clientCertificate certificate="..." privateKey="..." passphrase="env:NAME"/> child.
// Plain values, read-only once loaded; any thread may read them.
#include <string>

#include "core/base/status.h"

namespace portier::config {

struct OutboundTls {
  // PEM bundle pinned for this endpoint: only these authorities are trusted, the system's
  // store is not used. Empty: the system's store.
  std::string ca_file;
  // PEM client certificate (followed by its intermediates) presented to the endpoint, and its
  // PEM private key. Both empty: no client certificate.
  std::string certificate_file;
  std::string private_key_file;
  std::string key_passphrase;  // resolved secret; empty: the key is not encrypted. Never log it.

  bool presents_certificate() const { return !certificate_file.empty(); }
};

// Whether the client certificate of `tls` can be used: the certificate file holds a PEM
// certificate, the key file a PEM private key that opens (with the passphrase, if any), and the
// key belongs to the certificate. kInvalidArgument naming the file otherwise. OK when no
// certificate is presented.
Status check_client_certificate(const OutboundTls& tls);

}  // namespace portier::config
