#include "connectors/http/curl_tls.h"

namespace portier::outbound {

void apply_tls(CURL* curl, const config::OutboundTls& tls) {
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!tls.ca_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
    // Debian's libcurl also trusts the folder /etc/ssl/certs by default; a pinned CA is the
    // only one trusted.
    curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);
  }
  if (tls.presents_certificate()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, tls.certificate_file.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(curl, CURLOPT_SSLKEY, tls.private_key_file.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
    if (!tls.key_passphrase.empty()) {
      curl_easy_setopt(curl, CURLOPT_KEYPASSWD, tls.key_passphrase.c_str());
    }
  }
}

}  // namespace portier::outbound
