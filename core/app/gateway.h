#pragma once
// The composition root: builds Portier from a Config — journal, dispatch with its connectors,
// the department SOAP service and the operational endpoints on one HTTP server — and takes it
// down again in reverse order. The only place that knows every folder.
//
// Threads: start(), stop() and ports() from the main thread.
#include <memory>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/config/config.h"

namespace portier::app {

class Gateway {
 public:
  explicit Gateway(std::shared_ptr<const config::Config> config);
  ~Gateway();

  Status start();
  // Re-reads the mapping files (SIGHUP; also done by the watcher when a file changes). An
  // invalid set is refused and the old one keeps serving.
  void reload_mappings();
  // Graceful: stop accepting, finish requests in flight, settle deliveries in flight, close.
  void stop();

 private:
  struct Parts;
  std::shared_ptr<const config::Config> config_;
  SystemClock clock_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace portier::app
