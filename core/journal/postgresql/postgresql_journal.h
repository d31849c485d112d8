#pragma once
// The journal on PostgreSQL: several portierd instances sharing one database. The relational
// logic is the shared one (sql/sql_journal.h); this store gives it:
//  - a write connection whose transactions take one advisory lock (kWriteLock), so writes of
//    all instances and of portierctl are serialised as SQLite's BEGIN IMMEDIATE serialises
//    them on one file: each case's queue order and the evidence chain's head hold across
//    instances. Group commit carries up to group_commit_max operations per transaction, so the
//    lock is taken once per batch; synchronous_commit stays on.
//  - claims with FOR UPDATE SKIP LOCKED, under leases that name their owner instance and carry a
//    fencing token; an instance that dies leaves leases that another takes over when they expire;
//  - a pool of read connections (pool_size), so reads never wait for the writer.
// A lost connection fails the operations of its transaction with kUnavailable (never answered
// as accepted), health() reports it, and the writer connects again (at once, then every second
// while the database is away).
#include <memory>
#include <string>

#include "core/base/clock.h"
#include "core/journal/sql/sql_journal.h"

namespace portier::journal {

struct PostgresqlJournalOptions {
  std::string conninfo;  // libpq connection string or URI, the secret already resolved
  int pool_size = 4;     // read connections
  int group_commit_max = 64;
  // This instance's name (default: host name and process id). Items it held in flight when it
  // last stopped are pending again at once when it starts under the same name; others wait for
  // their lease to expire.
  std::string instance;
};

class PostgresqlJournal final : public sql::SqlJournal {
 public:
  using Options = PostgresqlJournalOptions;

  // Connects, migrates (one instance at a time), and takes back this instance's own leases.
  static Result<std::unique_ptr<PostgresqlJournal>> open(const Clock& clock, Options options);

 private:
  using sql::SqlJournal::SqlJournal;
};

}  // namespace portier::journal
