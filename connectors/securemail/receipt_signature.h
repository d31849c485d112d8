#pragma once
// Checks a receipt's seal: the platform's detached CMS signature over the receipt PDF's exact
// bytes, by a certificate that chains to the configured platform CA (OpenSSL). Never throws;
// every failure, a CA file that cannot be read included, is an invalid answer with its reason.
// Threads: any thread, concurrently.
#include <string>
#include <string_view>

namespace portier::securemail {

struct SealCheck {
  bool valid = false;
  std::string signer_subject;  // RFC 2253, e.g. "CN=IncaMail Seal,O=Die Post,C=CH"; when valid
  std::string reason;          // why not; empty when valid
};

// `signature` is DER (as the receipt carries it); PEM is taken too. `ca_file` holds the PEM
// certificates trusted as the platform's CA. The signer's certificate must be in the signature.
SealCheck verify_receipt_seal(std::string_view pdf, std::string_view signature,
                              const std::string& ca_file) noexcept;

}  // namespace portier::securemail
