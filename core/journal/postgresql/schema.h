#pragma once
// The journal's PostgreSQL schema as an ordered list of migrations (the same tables and
// columns as the SQLite schema, in PostgreSQL's types; key columns collate as "C" so that
// range scans compare bytes). Instances starting together migrate one at a time: migrate()
// holds a session advisory lock while it reads the version and applies what is missing, each
// migration in its own transaction, recorded in schema_migrations. A database from a newer
// build is refused.
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/journal/postgresql/connection.h"
#include "core/journal/sql/migrations.h"

namespace portier::journal::postgresql {

using sql::Migration;

const std::vector<Migration>& migrations();
int latest_schema_version();

// Brings the database up to latest_schema_version(). kFailedPrecondition for a newer one.
Status migrate(Connection& db, const Clock& clock);

// Advisory lock keys (pg_advisory_lock): one for migrations, one that every write transaction
// holds (writes are serialised across instances, as SQLite's BEGIN IMMEDIATE does on one file).
inline constexpr int64_t kMigrationLock = 0x506f72746965'01;
inline constexpr int64_t kWriteLock = 0x506f72746965'02;

}  // namespace portier::journal::postgresql
