#pragma once
// The journal: Portier's durable memory of accepted work. Everything an adapter acknowledges is
// committed here first (with its idempotency key and its evidence record), and dispatch claims
// and settles work items through it. Its users depend on the small interface of their concern;
// `Journal` is all of them, as a store implements them. Stores: SQLite (sqlite/, the default,
// one instance) and PostgreSQL (postgresql/, several instances sharing one database).
//
// Durability errors: on SQLite they are sticky (once a commit fails in an unknown state, every
// later write fails with kUnavailable and health() reports the first error, until the process
// restarts); on PostgreSQL a lost connection fails the operations of its transaction with
// kUnavailable and health() reports it until a new connection works.
//
// Threads: every method may be called from any thread. accept() never blocks; its callback runs
// on the journal's own writer thread after the commit and must only post work elsewhere.
// The other methods block and belong on worker threads, never on I/O threads, nor in an
// accept callback or an intake's build function (they fail with kInternal there).
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/journal/access_log.h"
#include "core/journal/content_retention.h"
#include "core/journal/delivery_records.h"
#include "core/journal/department_events.h"
#include "core/journal/evidence_log.h"
#include "core/journal/identity_links.h"
#include "core/journal/intake_log.h"
#include "core/journal/poll_state.h"
#include "core/journal/records.h"
#include "core/journal/work_queue.h"

namespace portier::journal {

class Journal : public IntakeLog,
                public WorkQueue,
                public EvidenceLog,
                public DepartmentEvents,
                public PollState,
                public DeliveryRecords,
                public IdentityLinks,
                public AccessLog,
                public ContentRetention {
 public:
  ~Journal() override = default;

  // This instance's name: the owner of its work-item and poll leases.
  virtual const std::string& instance() const = 0;
  // Records that this instance is alive (a heartbeat, every few seconds).
  virtual Status report_alive(int64_t now_ms) = 0;
  // The instances that reported since `since_ms`, with what each holds.
  virtual Result<std::vector<InstanceRecord>> instances(int64_t since_ms) = 0;

  // OK, or why the journal cannot write now (sticky on SQLite, see above).
  virtual Status health() const = 0;
};

}  // namespace portier::journal
