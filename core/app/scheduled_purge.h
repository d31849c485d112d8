#pragma once
// portierd's purge of expired content (core/retention), as the turn of a periodic task. Instances
// sharing a journal take turns through the poll lease "purge", held for one interval: one of
// them purges per interval, and another takes over when it stops. What was purged is counted on
// /metrics (portier_purged_total by department and kind, portier_purge_files_deleted_total);
// the purge itself writes the evidence records and the audit-log line.
//
// Threads: turn() runs on the work pool, one at a time (runtime::PeriodicTask).
#include <string>

#include "core/base/clock.h"
#include "core/base/metrics.h"
#include "core/retention/purge.h"

namespace portier::app {

class ScheduledPurge {
 public:
  // The first turn runs this long after the start at most, so that a daemon restarted more
  // often than the interval purges all the same.
  static constexpr Millis kFirstTurnAtMost{3'600'000};

  // `journal`, `clock` and `metrics` must outlive it.
  ScheduledPurge(retention::Purge purge, journal::Journal& journal, const Clock& clock,
                 metrics::Registry& metrics, Millis interval);

  Millis first_delay() const { return std::min(interval_, kFirstTurnAtMost); }
  // One purge, if this instance holds the lease; returns the interval.
  Millis turn();
  // Gives the lease up (shutdown), so another instance purges next.
  void release();

 private:
  retention::Purge purge_;
  journal::Journal& journal_;
  const Clock& clock_;
  metrics::Registry& metrics_;
  const Millis interval_;
};

}  // namespace portier::app
