#include "core/journal/postgresql/postgresql_journal.h"

#include <chrono>
#include <utility>

#include "core/base/log.h"
#include "core/journal/instance_name.h"
#include "core/journal/postgresql/connection.h"
#include "core/journal/postgresql/schema.h"

namespace portier::journal {
namespace {

using postgresql::Connection;

constexpr std::chrono::seconds kReconnectEvery{1};

Status with_context(const Status& s, const std::string& context) {
  return Status(s.code(), context + ": " + s.message());
}

Result<std::unique_ptr<Connection>> connect(const std::string& conninfo) {
  Result<std::unique_ptr<Connection>> db = Connection::open(conninfo);
  if (!db.is_ok()) return db.status();
  // Group commit relies on each COMMIT being durable before it is answered; notices (e.g. a
  // table that exists already) are not for the operator's terminal.
  for (const char* setting : {"SET synchronous_commit = on", "SET client_min_messages = warning"}) {
    if (Status s = (*db)->run(setting); !s.is_ok()) return s;
  }
  return db;
}

class PostgresqlStore final : public sql::Store {
 public:
  PostgresqlStore(std::unique_ptr<Connection> writer, std::string conninfo, int pool_size)
      : conninfo_(std::move(conninfo)),
        writer_(std::move(writer)),
        readers_(
            [this]() -> Result<std::unique_ptr<sql::Connection>> {
              Result<std::unique_ptr<Connection>> db = connect(conninfo_);
              if (!db.is_ok()) return db.status();
              return std::unique_ptr<sql::Connection>(std::move(*db));
            },
            pool_size) {}

  const char* name() const override { return "postgresql"; }

  Result<sql::Connection*> writer() override {
    if (writer_ && writer_->fatal().is_ok()) return writer_.get();
    const auto now = std::chrono::steady_clock::now();
    if (writer_ == nullptr && now < next_attempt_) {
      return unavailable("journal database unreachable: " + last_error_.message());
    }
    writer_.reset();
    Result<std::unique_ptr<Connection>> db = connect(conninfo_);
    if (!db.is_ok()) {
      next_attempt_ = now + kReconnectEvery;
      last_error_ = db.status();
      log::warn("journal: cannot reach PostgreSQL", {{"error", db.status().message()}});
      return db.status();
    }
    log::info("journal: connected to PostgreSQL again");
    writer_ = std::move(*db);
    return writer_.get();
  }

  Status begin_write(sql::Connection& db, bool durable) override {
    if (Status s = db.run("BEGIN"); !s.is_ok()) return s;
    if (!durable) {
      if (Status s = db.run("SET LOCAL synchronous_commit = off"); !s.is_ok()) return s;
    }
    return db.run("SELECT pg_advisory_xact_lock(" + std::to_string(postgresql::kWriteLock) + ")");
  }

  // The server keeps what it committed; whatever failed here was rolled back or, if the
  // connection broke during COMMIT, is settled by the idempotency keys of the retries.
  Verdict after_failure(sql::Connection& /*db*/, const Status& failure) override {
    return {false, Status(StatusCode::kUnavailable, failure.message())};
  }

  sql::ConnectionPool& readers() override { return readers_; }
  const char* claim_lock_clause() const override { return " FOR UPDATE OF w SKIP LOCKED"; }

 private:
  const std::string conninfo_;
  std::unique_ptr<Connection> writer_;  // writer thread only (after open)
  std::chrono::steady_clock::time_point next_attempt_{};
  Status last_error_;
  sql::ConnectionPool readers_;
};

}  // namespace

Result<std::unique_ptr<PostgresqlJournal>> PostgresqlJournal::open(const Clock& clock,
                                                                   Options options) {
  auto fail = [](const Status& s) { return with_context(s, "cannot open journal (PostgreSQL)"); };
  if (options.instance.empty()) options.instance = default_instance_name();

  Result<std::unique_ptr<Connection>> writer = connect(options.conninfo);
  if (!writer.is_ok()) return fail(writer.status());
  Connection& db = **writer;
  if (Status s = postgresql::migrate(db, clock); !s.is_ok()) return fail(s);

  // Items this instance (by its name) held when it stopped are due again now; other instances'
  // leases are theirs until they expire.
  Result<sql::Statement> reset = db.prepare(
      "UPDATE work_items SET state = 'pending', lease_until_ms = NULL, lease_owner = NULL, "
      "next_attempt_ms = LEAST(next_attempt_ms, ?1), updated_ms = ?1 "
      "WHERE state = 'inflight' AND lease_owner = ?2");
  if (!reset.is_ok()) return fail(reset.status());
  if (Status s = reset->bind(1, clock.now_ms()).bind(2, options.instance).run(); !s.is_ok()) {
    return fail(s);
  }
  if (int64_t n = reset->changes(); n > 0) {
    log::info("journal: items this instance had in flight are pending again",
              {{"items", std::to_string(n)}, {"instance", options.instance}});
  }

  sql::JournalOptions journal_options;
  journal_options.group_commit_max = options.group_commit_max;
  journal_options.instance = options.instance;
  auto store =
      std::make_unique<PostgresqlStore>(std::move(*writer), options.conninfo, options.pool_size);
  return std::unique_ptr<PostgresqlJournal>(
      new PostgresqlJournal(std::move(store), clock, std::move(journal_options)));
}

}  // namespace portier::journal
