#pragma once
// The mappings in force, replaced atomically on reload. A request takes a snapshot
// (`current()`) when it starts and keeps it to the end, so in-flight work finishes under the
// set it started with. A reload that finds any problem keeps the old set, logs every problem
// with file:line and counts `portier_mapping_reload_failures_total`.
// Threads: current() from any thread; reload() from one thread at a time (the watcher or the
// SIGHUP handler).
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "core/base/metrics.h"
#include "core/mapping/loader.h"

namespace portier::mapping {

class Registry {
 public:
  // An empty `folder` means no mappings (the configuration has no <mappings>): every load
  // gives the valid, empty set. Before the first successful load current() is that empty set.
  Registry(std::string folder, metrics::Registry& metrics);
  // Loads the folder; the first load must succeed (portierd refuses to start otherwise).
  LoadResult load();
  std::shared_ptr<const MappingSet> current() const;
  // Re-reads the folder; true if the new set is in force.
  bool reload();
  // A stamp of the folder's files (names, sizes, modification times) to notice edits.
  std::string fingerprint() const;
  // The problems of the last reload that was refused (file:line each); empty once a reload
  // succeeds again.
  std::vector<config::Problem> last_problems() const;

 private:
  LoadResult load_now() const;

  std::string folder_;
  metrics::Registry& metrics_;
  std::shared_ptr<const MappingSet> current_;  // read and replaced with std::atomic_load/store
  std::mutex reload_mutex_;
  mutable std::mutex problems_mutex_;
  std::vector<config::Problem> last_problems_;
};

}  // namespace portier::mapping
