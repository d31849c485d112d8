#pragma once
// Versioned schema migrations, run the same way on both stores. Each migration runs in its own
// transaction and is recorded in schema_migrations(version, applied_ms); a database written by
// a newer build (a version this build does not know) is refused rather than guessed at.
// Migrations are append-only: never edit or renumber one that has shipped.
//
// Threads: at open, on the opening thread, before any other use of the database.
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/journal/sql/connection.h"

namespace portier::journal::sql {

struct Migration {
  int version;
  const char* description;
  const char* sql;  // a script: one or more statements
};

// Brings `db` up to the last of `migrations` (ascending, from 1, no gaps), each in a
// transaction begun with `begin`. kFailedPrecondition for a newer database.
Status migrate(Connection& db, const std::vector<Migration>& migrations, const char* begin,
               const Clock& clock);

}  // namespace portier::journal::sql
