#pragma once
// What a database gives the journal's relational logic (sql_journal.h): its connections and
// the few things the stores do differently. SQLite (../sqlite) and PostgreSQL (../postgresql)
// implement it.
//
// Threads: writer(), begin_write(), after_failure() and after_commit() are called by the
// journal's writer thread only; readers() by any thread.
#include <memory>
#include <string>

#include "core/base/status.h"
#include "core/journal/sql/connection.h"
#include "core/journal/sql/connection_pool.h"

namespace portier::journal::sql {

class Store {
 public:
  virtual ~Store() = default;
  // "sqlite" or "postgresql", for messages and metrics.
  virtual const char* name() const = 0;

  // The write connection, connecting again if the last one was lost.
  virtual Result<Connection*> writer() = 0;
  // Starts a transaction that excludes every other writer of the database until it ends, so the
  // evidence chain's head and each case's queue order are read and extended by one writer at a
  // time, across instances and processes. Unless `durable`, its commit need not reach the disk
  // before it returns (see GroupCommitWriter::Op).
  virtual Status begin_write(Connection& db, bool durable) = 0;
  // A batch failed with `failure` (the transaction is rolled back). kUnavailable and not sticky
  // if nothing was written for sure (a busy lock, a lost connection); otherwise the journal
  // stops for good (sticky) with what is returned.
  struct Verdict {
    bool sticky;
    Status status;
  };
  virtual Verdict after_failure(Connection& db, const Status& failure) = 0;
  // After each committed batch (SQLite checkpoints its WAL here); an error stops the journal.
  virtual Status after_commit(Connection& /*db*/) { return Status::ok(); }

  // Connections for reads; they never wait for the writer.
  virtual ConnectionPool& readers() = 0;

  // Appended to the claim query: PostgreSQL locks the claimed rows and skips rows another
  // transaction holds (FOR UPDATE SKIP LOCKED); SQLite has one writer and needs nothing.
  virtual const char* claim_lock_clause() const = 0;
};

}  // namespace portier::journal::sql
