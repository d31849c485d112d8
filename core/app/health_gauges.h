#pragma once
// Gauges that let Prometheus alert on what /healthz and /readyz say, and on certificates that
// are about to expire (deploy/monitoring/portier-alerts.yaml):
//   portier_journal_healthy                    1, or 0 once the journal has stopped (restart)
//   portier_ready                              1 while calls are taken (what /readyz says)
//   portier_tls_certificate_expiry_timestamp_seconds{listener,file}
//                                              notAfter of each listener's server certificate
//                                              and client CA, as read at start (a renewed
//                                              certificate is read at the next restart)
//   portier_tls_certificate_expiry_timestamp_seconds{endpoint,file}
//                                              the same for each client certificate Portier
//                                              presents: endpoint portal, rcAdapter,
//                                              antragspostfach or a delivery platform's name
// The first two are read at every render of /metrics. Threads: publish once, at start; the
// journal and `ready` must outlive the registry's renders.
#include <atomic>

#include "core/base/metrics.h"
#include "core/config/config.h"
#include "core/journal/journal.h"

namespace portier::app {

void publish_health_gauges(metrics::Registry& metrics, const journal::Journal& journal,
                           const std::atomic<bool>& ready, const config::Config& config);

}  // namespace portier::app
