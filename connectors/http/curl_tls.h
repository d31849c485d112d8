#pragma once
// An outbound endpoint's TLS (core/config/outbound_tls.h) on a libcurl handle, the same for
// HTTP, SMTP and IMAP: the peer's certificate and host name are always verified, TLS 1.2 at
// least, only the pinned CA when one is configured, and the client certificate when one is.
//
// Threads: whichever thread owns the handle.
#include <curl/curl.h>

#include "core/config/outbound_tls.h"

namespace portier::outbound {

// Call after curl_easy_reset and before curl_easy_perform; libcurl copies the strings.
void apply_tls(CURL* curl, const config::OutboundTls& tls);

}  // namespace portier::outbound
