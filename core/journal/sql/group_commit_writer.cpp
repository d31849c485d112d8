#include "core/journal/sql/group_commit_writer.h"

#include <chrono>
#include <exception>
#include <string>

#include "core/base/log.h"

namespace portier::journal::sql {
namespace {

template <class Fn>
Status guarded(const char* what, Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return internal_error(std::string(what) + " threw: " + e.what());
  } catch (...) {
    return internal_error(std::string(what) + " threw");
  }
}

constexpr std::chrono::seconds kProbeEvery{1};

}  // namespace

bool GroupCommitWriter::health_is_passing_failure() const {
  std::lock_guard lock(health_mutex_);
  return sticky_.is_ok() && !passing_.is_ok();
}

void GroupCommitWriter::probe() {
  Result<Connection*> db = store_.writer();
  Status s = db.is_ok() ? (*db)->run("SELECT 1") : db.status();
  if (!s.is_ok()) return;
  std::lock_guard lock(health_mutex_);
  passing_ = Status::ok();
}

GroupCommitWriter::GroupCommitWriter(Store& store, int group_commit_max, BatchStart batch_start)
    : store_(store),
      group_commit_max_(group_commit_max < 1 ? 1 : group_commit_max),
      batch_start_(std::move(batch_start)),
      thread_([this] { loop(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void GroupCommitWriter::submit(Op op) {
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back(std::move(op));
  }
  queue_cv_.notify_one();
}

bool GroupCommitWriter::try_submit(Op op, size_t max_queued) {
  {
    std::lock_guard lock(queue_mutex_);
    if (queue_.size() >= max_queued) return false;
    queue_.push_back(std::move(op));
  }
  queue_cv_.notify_one();
  return true;
}

size_t GroupCommitWriter::queued() const {
  std::lock_guard lock(queue_mutex_);
  return queue_.size();
}

Status GroupCommitWriter::health() const {
  std::lock_guard lock(health_mutex_);
  return sticky_.is_ok() ? passing_ : sticky_;
}

GroupCommitWriter::Stats GroupCommitWriter::stats() const {
  std::lock_guard lock(health_mutex_);
  return stats_;
}

void GroupCommitWriter::loop() {
  std::vector<Op> batch;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      auto ready = [this] { return stopping_ || !queue_.empty(); };
      // While the last batch failed without stopping the writer (the database was away), look
      // every second whether it is back, so health() turns green without waiting for a write.
      while (!ready()) {
        if (health_is_passing_failure()) {
          lock.unlock();
          probe();
          lock.lock();
          queue_cv_.wait_for(lock, kProbeEvery, ready);
        } else {
          queue_cv_.wait(lock, ready);
        }
      }
      if (queue_.empty()) return;  // stopping, and everything queued has been answered
      while (!queue_.empty() && static_cast<int>(batch.size()) < group_commit_max_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    run_batch(batch);
    batch.clear();
  }
}

void GroupCommitWriter::note_failure(const Status& status) {
  std::lock_guard lock(health_mutex_);
  if (!sticky_.is_ok()) return;
  sticky_ = unavailable("journal stopped: " + status.message());
  log::error("journal stopped: refusing all further writes until restart",
             {{"cause", status.to_string()}});
}

Status GroupCommitWriter::commit_batch(Connection& db, std::vector<Op>& batch,
                                       std::vector<Status>& outcomes) {
  bool durable = false;
  for (const Op& op : batch) durable = durable || op.durable;
  if (Status s = store_.begin_write(db, durable); !s.is_ok()) return s;
  if (batch_start_) {
    if (Status s = batch_start_(db); !s.is_ok()) return s;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (Status s = db.run("SAVEPOINT op"); !s.is_ok()) return s;
    Status outcome = guarded("journal write", [&] { return batch[i].apply(db); });
    if (!db.fatal().is_ok()) return db.fatal();
    Status s = outcome.is_ok() ? db.run("RELEASE op") : db.run("ROLLBACK TO op");
    if (s.is_ok() && !outcome.is_ok()) s = db.run("RELEASE op");
    if (!s.is_ok()) return s;
    outcomes[i] = std::move(outcome);
  }
  return db.run("COMMIT");
}

void GroupCommitWriter::run_batch(std::vector<Op>& batch) {
  std::vector<Status> outcomes(batch.size());
  Status refusal;
  {
    std::lock_guard lock(health_mutex_);
    refusal = sticky_;
  }
  bool committed = false;
  if (refusal.is_ok()) {
    Result<Connection*> db = store_.writer();
    Status failure = db.is_ok() ? commit_batch(**db, batch, outcomes) : db.status();
    committed = failure.is_ok();
    if (!committed) {
      // The failure is what counts; a rollback that fails too leaves after_failure to judge.
      if (db.is_ok() && (*db)->in_transaction()) (*db)->run("ROLLBACK").ignore();
      Store::Verdict verdict =
          db.is_ok() ? store_.after_failure(**db, failure) : Store::Verdict{false, failure};
      if (verdict.sticky) {
        note_failure(verdict.status);
        refusal = health();
      } else {
        refusal = verdict.status;
        std::lock_guard lock(health_mutex_);
        passing_ = verdict.status;
      }
    } else {
      {
        std::lock_guard lock(health_mutex_);
        passing_ = Status::ok();
        ++stats_.commits;
        stats_.operations += static_cast<int64_t>(batch.size());
      }
      // Committed: this batch stands, but a failed checkpoint stops the next ones.
      if (Status after = store_.after_commit(**db); !after.is_ok()) note_failure(after);
    }
  }
  if (!committed) {
    for (Status& o : outcomes) o = refusal;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    Status s = guarded("journal callback", [&] {
      batch[i].finish(outcomes[i]);
      return Status::ok();
    });
    if (!s.is_ok()) log::error("journal: a write callback failed", {{"error", s.to_string()}});
  }
}

}  // namespace portier::journal::sql
