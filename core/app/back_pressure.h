#pragma once
// Back-pressure, as configured: each destination's backlog bound (<destination maxBacklog>) and
// the journal's bounded write queue (<journal writeQueueMax>), and what /metrics shows of them:
//   portier_destination_backlog{destination}        undelivered items (pending, in flight)
//   portier_destination_backlog_bound{destination}  its bound (0: none)
//   portier_backpressure_refusals_total{reason,destination}
//                                                   intakes refused: reason "backlog" (with the
//                                                   destination) or "write_queue"
//   portier_journal_write_queue                     writes waiting for the journal's writer
//   portier_journal_write_queue_max                 the bound on it
// Threads: apply once at start, before calls are taken; `bounds` and `journal` must outlive the
// registry's renders.
#include "core/base/metrics.h"
#include "core/config/config.h"
#include "core/journal/backlog_bounds.h"
#include "core/journal/sql/sql_journal.h"

namespace portier::app {

void apply_back_pressure(const config::Config& config, journal::BacklogBounds& bounds,
                         journal::sql::SqlJournal& journal, metrics::Registry& metrics);

}  // namespace portier::app
