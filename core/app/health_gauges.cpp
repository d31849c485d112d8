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

  const char* kExpiry = "portier_tls_certificate_expiry_timestamp_seconds";
  metrics.describe(kExpiry, "gauge",
                   "notAfter of each listener's certificate and client CA, read at start");
  for (const config::Listener& listener : config.listeners) {
    if (!listener.tls) continue;
    for (const std::string& file : {listener.tls->certificate_file, listener.tls->client_ca_file}) {
      if (file.empty()) continue;
      if (std::optional<double> expiry = expiry_of(file)) {
        metrics.set_gauge(kExpiry, {{"listener", listener.name}, {"file", file}}, *expiry);
      } else {
        log::warn("cannot read the certificate's expiry", {{"file", file}});
      }
    }
  }
}

}  // namespace portier::app
