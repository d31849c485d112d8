#pragma once
// Opens the journal store the configuration names: SQLite (<journal><sqlite .../>) or
// PostgreSQL (<journal><postgresql .../>). The only place that knows both stores, so that
// portierd and portierctl work against either from the same configuration.
#include <memory>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/config/config.h"
#include "core/journal/sql/sql_journal.h"

namespace portier::journal {

enum class JournalUse {
  kDaemon,    // portierd: takes back the work a previous run of this instance left in flight
  kOperator,  // portierctl: opens the store beside running instances and takes nothing back
};

Result<std::unique_ptr<sql::SqlJournal>> open_journal(const config::Journal& config,
                                                      const Clock& clock, JournalUse use);

}  // namespace portier::journal
