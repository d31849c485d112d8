#include "core/journal/store/open_journal.h"

#include "core/journal/postgresql/postgresql_journal.h"
#include "core/journal/sqlite/sqlite_journal.h"

namespace portier::journal {

Result<std::unique_ptr<sql::SqlJournal>> open_journal(const config::Journal& config,
                                                      const Clock& clock, JournalUse use) {
  const bool daemon = use == JournalUse::kDaemon;
  if (!config.postgresql_conninfo.empty()) {
    PostgresqlJournal::Options options;
    options.conninfo = config.postgresql_conninfo;
    options.pool_size = static_cast<int>(config.pool);
    options.group_commit_max = static_cast<int>(config.group_commit_max);
    // An operator tool never takes over its own name's leases: it has none.
    options.instance = daemon ? config.instance : "portierctl";
    auto opened = PostgresqlJournal::open(clock, options);
    if (!opened.is_ok()) return opened.status();
    return std::unique_ptr<sql::SqlJournal>(std::move(*opened));
  }
  SqliteJournal::Options options;
  options.group_commit_max = static_cast<int>(config.group_commit_max);
  options.recover_in_flight = daemon;  // portierctl: the daemon may be running and own them
  options.instance = daemon ? config.instance : "portierctl";
  auto opened = SqliteJournal::open(config.sqlite_path, clock, options);
  if (!opened.is_ok()) return opened.status();
  return std::unique_ptr<sql::SqlJournal>(std::move(*opened));
}

}  // namespace portier::journal
