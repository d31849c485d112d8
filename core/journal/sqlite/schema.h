#pragma once
// The journal's SQLite schema as an ordered list of migrations. Each migration runs in its own
// transaction and is recorded in schema_migrations(version, applied_ms); a file written by a
// newer build (a version this build does not know) is refused rather than guessed at.
// Migrations are append-only: never edit or renumber one that has shipped.
//
// Threads: migrate() runs once at open, on the opening thread, before any other use of the file.
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/journal/sql/migrations.h"
#include "core/journal/sqlite/connection.h"

namespace portier::journal::sqlite {

using sql::Migration;

// In ascending version order, starting at 1 with no gaps.
const std::vector<Migration>& migrations();
int latest_schema_version();

// Brings the file up to latest_schema_version(). kFailedPrecondition for a newer file.
Status migrate(Connection& db, const Clock& clock);

}  // namespace portier::journal::sqlite
