#pragma once
// The heart of `portier-sim`: owns the simulated counterparts (SimModule), the controllable
// clock, the fault plan, the request log and the delayed-replies thread, and serves the common
// endpoints every module shares:
//
//   POST   /_sim/faults   add to the fault plan (fault_injector.h)     GET /_sim/faults
//   DELETE /_sim/faults   clear it, answering hung calls 503
//   GET    /_sim/log      request log (request_log.h); ?since=SEQ for newer entries only
//   POST   /_sim/reset    clear faults, log, clock offset and every module's state
//   GET    /_sim/state    {"<module name>": module.inspect(), ...}
//   GET    /_sim/clock    {nowMs, now, offsetMs}
//   POST   /_sim/clock    {"nowMs": 1700000000000}: set the sim clock
//   POST   /_sim/advance  {"days": 7, "hours": 1, "seconds": 30, "ms": 5}: move it forward
//   *      /_sim/<module>/...  the module's own control endpoints (register_control_routes)
//
// A call under a module's prefix goes: fault plan (hang / injected failure) -> request log ->
// the module's own Router -> log the status -> injected latency -> answer.
//
// Threads: add() and register_routes() on the main thread before the server starts; the
// routes from any I/O thread; release_held() from the main thread before draining the server.
// The SimCore must outlive the server that routes to it.
#include <memory>
#include <string>
#include <vector>

#include "adapters/http/router.h"
#include "core/base/clock.h"
#include "tests/sim/delayed_replies.h"
#include "tests/sim/fault_injector.h"
#include "tests/sim/request_log.h"
#include "tests/sim/sim_clock.h"
#include "tests/sim/sim_module.h"

namespace portier::sim {

struct SimCoreOptions {
  bool log_requests = false;         // one structured log line (stderr) per answered call
  size_t max_log_entries = 100'000;  // request log bound
};

class SimCore {
 public:
  // `base_clock` must outlive the core: the system clock in the binary, a ManualClock in tests.
  explicit SimCore(const Clock& base_clock, SimCoreOptions options = {});
  ~SimCore();
  SimCore(const SimCore&) = delete;
  SimCore& operator=(const SimCore&) = delete;

  // The clock modules must use for everything they timestamp or expire.
  SimClock& clock() { return clock_; }
  FaultInjector& faults() { return faults_; }
  RequestLog& log() { return log_; }

  // Takes a module; call before register_routes().
  void add(std::unique_ptr<SimModule> module);
  // Registers the /_sim/* endpoints and every module's prefixes on `router`. Call once.
  void register_routes(http::Router& router);
  // Answers every hung call (503), so that a server drain does not wait for them.
  void release_held() { faults_.clear(); }

 private:
  struct Mounted {
    std::unique_ptr<SimModule> module;
    std::string name;
    http::Router router;
    http::Router control;  // /_sim/<name>/...
  };

  void dispatch(const Mounted& mounted, http::Request request, http::Respond respond);
  void reset();
  boost::json::value state() const;
  boost::json::value clock_json() const;

  const SimCoreOptions options_;
  SimClock clock_;
  FaultInjector faults_;
  RequestLog log_;
  std::vector<std::unique_ptr<Mounted>> modules_;
  DelayedReplies delayed_;
};

}  // namespace portier::sim
