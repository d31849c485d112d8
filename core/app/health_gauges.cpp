#include "core/app/health_gauges.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <ctime>
#include <optional>

#include "core/base/log.h"

namespace portier::app {
namespace {

// The notAfter of the first certificate in a PEM file, in seconds since the epoch.
std::optional<double> expiry_of(const std::string& pem_file) {
  FILE* f = std::fopen(pem_file.c_str(), "r");
  if (f == nullptr) return std::nullopt;
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (cert == nullptr) return std::nullopt;
  std::tm tm{};
  bool ok = ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1;
  X509_free(cert);
  if (!ok) return std::nullopt;
  return static_cast<double>(timegm(&tm));
}

constexpr const char* kExpiry = "portier_tls_certificate_expiry_timestamp_seconds";

// One series, labelled by what uses the certificate ({"listener", name} or {"endpoint", name})
// and its file. Nothing for an empty file name.
void publish_expiry(metrics::Registry& metrics, std::pair<std::string, std::string> user,
                    const std::string& file) {
  if (file.empty()) return;
  if (std::optional<double> expiry = expiry_of(file)) {
    metrics.set_gauge(kExpiry, {std::move(user), {"file", file}}, *expiry);
  } else {
    log::warn("cannot read the certificate's expiry", {{"file", file}});
  }
}

}  // namespace

void publish_health_gauges(metrics::Registry& metrics, const journal::Journal& journal,
                           const std::atomic<bool>& ready, const config::Config& config) {
  metrics.describe("portier_journal_healthy", "gauge",
                   "1 while the journal takes writes; 0 once it stopped (restart the process)");
  metrics.describe("portier_ready", "gauge", "1 while calls are taken (as /readyz says)");
  metrics.on_render([&journal, &ready](metrics::Registry& m) {
    bool healthy = journal.health().is_ok();
    m.set_gauge("portier_journal_healthy", {}, healthy ? 1 : 0);
    m.set_gauge("portier_ready", {}, healthy && ready.load() ? 1 : 0);
  });

  metrics.describe(kExpiry, "gauge",
                   "notAfter of each listener's certificate and client CA, and of each client "
                   "certificate presented to a counterpart, read at start");
  for (const config::Listener& listener : config.listeners) {
    if (!listener.tls) continue;
    for (const std::string& file : {listener.tls->certificate_file, listener.tls->client_ca_file}) {
      publish_expiry(metrics, {"listener", listener.name}, file);
    }
  }
  // The client certificates Portier presents (configured endpoints; a mapping's endpoints come
  // and go with reloads and are not listed).
  publish_expiry(metrics, {"endpoint", "portal"}, config.portal.tls.certificate_file);
  if (!config.rc_adapter.base_url.empty()) {
    publish_expiry(metrics, {"endpoint", "rcAdapter"}, config.rc_adapter.tls.certificate_file);
  }
  for (const config::DeliveryPlatform& platform : config.registered_mail.platforms) {
    publish_expiry(metrics, {"endpoint", platform.name}, platform.tls.certificate_file);
  }
  if (!config.apf.url.empty()) {
    publish_expiry(metrics, {"endpoint", "antragspostfach"}, config.apf.tls.certificate_file);
  }
}

}  // namespace portier::app
