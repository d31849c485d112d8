#pragma once
// The journal on one SQLite file (WAL, synchronous=FULL): the default for a single portierd.
// The relational logic is the shared one (sql/sql_journal.h); this store gives it a write
// connection whose transactions begin with BEGIN IMMEDIATE (so portierctl, writing from another
// process, waits its turn and extends the same evidence chain), and a read-only connection.
//
// Durability errors are sticky: after a failed BEGIN, COMMIT or fsync, or any I/O, disk-full or
// corruption error inside a transaction, the batch is rolled back, every operation in it and
// every later write fails with kUnavailable("journal stopped: ..."), and health() reports it.
// The fsync is never retried: the process is expected to restart. A write lock held by another
// process past busy_timeout_ms fails that batch only (kUnavailable "journal busy").
//
// WAL checkpoints are made by the writer after commits (SQLite's automatic checkpoint would
// swallow an fsync error of the database file; doing it here makes it sticky too).
#include <memory>
#include <string>

#include "core/base/clock.h"
#include "core/journal/sql/sql_journal.h"

namespace portier::journal {

struct SqliteJournalOptions {
  // Operations per transaction; one fsync is shared by all of them.
  int group_commit_max = 64;
  // Name of a registered sqlite3_vfs, or nullptr for the default one (tests inject faults).
  const char* vfs_name = nullptr;
  // How long a connection waits for a lock held by someone else (e.g. portierctl).
  int busy_timeout_ms = 5000;
  // Put items left in flight by a previous process back to pending. Off for portierctl, which
  // opens the file while portierd may be running and own them.
  bool recover_in_flight = true;
  // This instance's name (default: host name and process id).
  std::string instance;
};

class SqliteJournal final : public sql::SqlJournal {
 public:
  using Options = SqliteJournalOptions;

  // Opens (creating it if needed) and migrates the file, refuses a damaged file or one with a
  // newer schema, and puts items that were in flight when the last process stopped back to
  // pending. `clock` must outlive the journal.
  static Result<std::unique_ptr<SqliteJournal>> open(const std::string& path, const Clock& clock,
                                                     Options options = {});

 private:
  using sql::SqlJournal::SqlJournal;
};

}  // namespace portier::journal
