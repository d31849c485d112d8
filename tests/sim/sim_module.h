#pragma once
// One simulated counterpart (portal, RC adapter, delivery platform, AFS mailbox, department
// system) inside the `portier-sim` binary. The sim core (sim_core.h) owns the modules, serves
// the common `/_sim/*` endpoints, and sends every request under a module's path prefixes
// through fault injection and the request log before the module's own Router sees it.
//
// Threads: register_routes(), register_control_routes() and path_prefixes() are called once,
// from the main thread, before the server starts. The handlers a module registers, inspect()
// and reset() are called concurrently from any I/O thread: a module guards its state itself and
// never blocks.
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "adapters/http/router.h"

namespace portier::sim {

class SimModule {
 public:
  virtual ~SimModule() = default;

  // Short name used in the request log and in GET /_sim/state, e.g. "portal".
  virtual std::string name() const = 0;
  // The path prefixes this module serves, each ending in '/' (e.g. "/api/v9/"). They must not
  // overlap with another module's or with "/_sim/".
  virtual std::vector<std::string> path_prefixes() const = 0;
  // Registers the module's endpoints on its own Router (the core hands each module one).
  virtual void register_routes(http::Router& router) = 0;
  // Registers the module's test-only control endpoints, each below "/_sim/<name()>/" (e.g.
  // "/_sim/portal/read"), on a second Router of its own. Like the core's /_sim/* endpoints they
  // are neither faulted nor logged. Most modules have none.
  virtual void register_control_routes(http::Router& /*router*/) {}
  // Everything a test may want to assert on, as JSON (GET /_sim/state).
  virtual boost::json::value inspect() const = 0;
  // Forgets the simulated state (POST /_sim/reset). Configuration stays, and so may what a
  // running client holds (the portal keeps issued access tokens valid); the module says so.
  virtual void reset() = 0;
};

}  // namespace portier::sim
