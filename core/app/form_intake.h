#pragma once
// Assembles the forms flow from the configuration: the APF client, one poller per mailbox, the
// "department" destination (form intake through the mappings' templates) and one take-over
// destination "afs:<mailbox>" per mailbox, with the "afs" destination's settings.
#include <functional>
#include <memory>
#include <vector>

#include "connectors/afs/mailbox_poller.h"
#include "core/base/clock.h"
#include "core/base/metrics.h"
#include "core/config/config.h"
#include "core/dispatch/dispatcher.h"
#include "core/documents/document_store.h"
#include "core/journal/journal.h"
#include "core/mapping/registry.h"
#include "core/runtime/work_pool.h"

namespace portier::app {

struct FormIntake {
  std::shared_ptr<afs::ApfClient> apf;
  std::vector<std::unique_ptr<afs::MailboxPoller>> pollers;
};

// Adds the destinations to `dispatcher` (before it starts) and builds the pollers (not
// started; they take a page's applications side by side on `pool`). Everything passed must
// outlive the result.
FormIntake assemble_form_intake(const config::Config& config, journal::Journal& journal,
                                const documents::DocumentStore& documents,
                                const mapping::Registry& mappings, dispatch::Dispatcher& dispatcher,
                                const Clock& clock, metrics::Registry& metrics,
                                runtime::WorkPool& pool);

// This process's name on poll leases: host, process id and a random part.
std::string instance_name();

}  // namespace portier::app
