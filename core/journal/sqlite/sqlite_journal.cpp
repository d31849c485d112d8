#include "core/journal/sqlite/sqlite_journal.h"

#include <atomic>
#include <utility>

#include "core/base/log.h"
#include "core/journal/instance_name.h"
#include "core/journal/sqlite/connection.h"
#include "core/journal/sqlite/schema.h"

namespace portier::journal {
namespace {

using sqlite::Connection;

// WAL size (in pages) after which the writer checkpoints.
constexpr int64_t kCheckpointFrames = 1000;

Status with_context(const Status& s, const std::string& context) {
  return Status(s.code(), context + ": " + s.message());
}

// Connection settings that SQLite keeps per connection, so every connection sets them.
Status configure(Connection& db, const SqliteJournalOptions& options, bool writer) {
  sqlite3_busy_timeout(db.handle(), options.busy_timeout_ms);
  if (writer) {
    Result<std::string> mode = db.query_text("PRAGMA journal_mode=WAL");
    if (!mode.is_ok()) return mode.status();
    if (*mode != "wal") {
      return failed_precondition("journal needs WAL mode, but SQLite answered journal_mode=\"" +
                                 *mode + "\"");
    }
  }
  for (const char* pragma : {"PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    if (Status s = db.exec(pragma); !s.is_ok()) return s;
  }
  return Status::ok();
}

Status quick_check(Connection& db) {
  Result<sql::Statement> st = db.prepare("PRAGMA quick_check(5)");
  if (!st.is_ok()) return st.status();
  Result<std::vector<std::string>> lines =
      st->collect([](sql::Statement& row) { return row.text(0); });
  if (!lines.is_ok()) return lines.status();
  std::string problems;
  for (const std::string& line : *lines) {
    if (line != "ok") problems += (problems.empty() ? "" : "; ") + line;
  }
  if (!problems.empty()) return data_loss("journal file is damaged (quick_check): " + problems);
  return Status::ok();
}

class SqliteStore final : public sql::Store {
 public:
  SqliteStore(std::unique_ptr<Connection> writer, std::string path, SqliteJournalOptions options)
      : writer_(std::move(writer)),
        readers_(
            [path = std::move(path), options]() -> Result<std::unique_ptr<sql::Connection>> {
              Result<std::unique_ptr<Connection>> reader = Connection::open(
                  path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, options.vfs_name);
              if (!reader.is_ok()) return reader.status();
              if (Status s = configure(**reader, options, false); !s.is_ok()) return s;
              return std::unique_ptr<sql::Connection>(std::move(*reader));
            },
            1) {
    sqlite3_wal_hook(
        writer_->handle(),
        [](void* self, sqlite3*, const char*, int frames) -> int {
          static_cast<SqliteStore*>(self)->wal_frames_ = frames;
          return SQLITE_OK;
        },
        this);
  }

  const char* name() const override { return "sqlite"; }
  Result<sql::Connection*> writer() override { return writer_.get(); }
  // WAL with synchronous=NORMAL commits without an fsync of the log; the next FULL commit's
  // fsync covers the frames before it too.
  Status begin_write(sql::Connection& db, bool durable) override {
    if (durable != synchronous_full_) {
      if (Status s = db.run(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
          !s.is_ok()) {
        return s;
      }
      synchronous_full_ = durable;
    }
    return db.run("BEGIN IMMEDIATE");
  }

  Verdict after_failure(sql::Connection& /*db*/, const Status& failure) override {
    // Unavailable but not fatal: a lock someone else held (SQLITE_BUSY or SQLITE_LOCKED), so
    // nothing was written and the state is known.
    if (failure.code() == StatusCode::kUnavailable && writer_->fatal().is_ok()) {
      return {false, unavailable("journal busy: " + failure.message())};
    }
    return {true, failure};
  }

  Status after_commit(sql::Connection& /*db*/) override {
    if (wal_frames_.load() < kCheckpointFrames) return Status::ok();
    int rc = sqlite3_wal_checkpoint_v2(writer_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                       nullptr, nullptr);
    if (rc == SQLITE_OK) {
      wal_frames_ = 0;
    } else if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) {
      return writer_->error(rc, "WAL checkpoint");
    }
    return Status::ok();
  }

  sql::ConnectionPool& readers() override { return readers_; }
  const char* claim_lock_clause() const override { return ""; }

 private:
  std::unique_ptr<Connection> writer_;  // writer thread only (after open)
  sql::ConnectionPool readers_;
  std::atomic<int64_t> wal_frames_{0};  // set by SQLite's WAL hook on the writer thread
  bool synchronous_full_ = true;        // writer thread only: the connection's setting now
};

}  // namespace

Result<std::unique_ptr<SqliteJournal>> SqliteJournal::open(const std::string& path,
                                                           const Clock& clock, Options options) {
  auto fail = [](const Status& s) { return with_context(s, "cannot open journal"); };

  Result<std::unique_ptr<Connection>> writer = Connection::open(
      path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, options.vfs_name);
  if (!writer.is_ok()) return writer.status();
  Connection& db = **writer;
  if (Status s = configure(db, options, true); !s.is_ok()) return fail(s);
  if (Status s = quick_check(db); !s.is_ok()) return fail(s);
  if (Status s = sqlite::migrate(db, clock); !s.is_ok()) return fail(s);

  // One process owns the file, so whatever was in flight died with the last one: due now.
  // (Not for an operator tool opening the file beside a running daemon.)
  if (options.recover_in_flight) {
    Result<sql::Statement> reset = db.prepare(
        "UPDATE work_items SET state = 'pending', lease_until_ms = NULL, lease_owner = NULL, "
        "next_attempt_ms = MIN(next_attempt_ms, ?1), updated_ms = ?1 WHERE state = 'inflight'");
    if (!reset.is_ok()) return fail(reset.status());
    if (Status s = reset->bind(1, clock.now_ms()).run(); !s.is_ok()) return fail(s);
    if (int64_t n = reset->changes(); n > 0) {
      log::info("journal: items in flight at the last stop are pending again",
                {{"items", std::to_string(n)}});
    }
  }

  sql::JournalOptions journal_options;
  journal_options.group_commit_max = options.group_commit_max;
  journal_options.instance = options.instance.empty() ? default_instance_name() : options.instance;
  auto store = std::make_unique<SqliteStore>(std::move(*writer), path, options);
  return std::unique_ptr<SqliteJournal>(
      new SqliteJournal(std::move(store), clock, std::move(journal_options)));
}

}  // namespace portier::journal
