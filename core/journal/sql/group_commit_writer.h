#pragma once
// The journal's one writer thread and its group commit. Writes are queued as operations; the
// thread takes up to `group_commit_max` of them, runs them in one transaction (begun by the
// store so that it excludes every other writer), each inside its own savepoint so that a failing
// operation rolls back only itself, commits once (one fsync for the whole group) and only then
// answers them.
//
// When a batch fails, the store decides (Store::after_failure): either nothing was written for
// sure (a busy lock, a lost connection) and the batch is answered kUnavailable, or the state is
// unknown and the writer stops for good: the batch and every later write fail with
// kUnavailable("journal stopped: ..."), and health() reports it until the process restarts.
//
// Threads: submit() and health() from any thread; operations run on the writer thread. The
// destructor answers everything still queued and then stops the thread.
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/base/status.h"
#include "core/journal/sql/connection.h"
#include "core/journal/sql/store.h"

namespace portier::journal::sql {

class GroupCommitWriter {
 public:
  // One queued write. `apply` runs on the writer thread inside its own savepoint on `db`; an
  // error rolls the savepoint back. `finish` runs after the commit with the final outcome, which
  // is the batch's error if the commit failed.
  //
  // Durability: a batch is made durable (fsync, synchronous commit) before it is answered if
  // any of its operations is `durable`. The others (claims, settles, heartbeats) lose nothing a
  // caller was promised if a crash takes them: a claim or a settle that did not survive leaves
  // the item to be delivered again, which the downstream idempotency key makes harmless. A
  // durable commit after them makes them durable too (they come first in the log).
  struct Op {
    std::function<Status(Connection& db)> apply;
    std::function<void(const Status&)> finish;
    bool durable = true;
  };
  // Runs at the start of each transaction, before its operations (e.g. a periodic purge); an
  // error fails the batch.
  using BatchStart = std::function<Status(Connection& db)>;

  GroupCommitWriter(Store& store, int group_commit_max, BatchStart batch_start);
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  void submit(Op op);
  // Queues `op` unless `max_queued` writes are waiting already (the queue is bounded for
  // intakes: a writer that cannot keep up refuses new work rather than holding it in memory
  // without limit). False: `op` was not queued and will not be answered.
  bool try_submit(Op op, size_t max_queued);
  // Writes waiting for the writer thread now.
  size_t queued() const;
  // Queues `body` and waits for its committed outcome. kInternal on the writer thread itself.
  template <class T>
  Result<T> write_and_wait(std::function<Result<T>(Connection& db)> body, bool durable = true);

  Status health() const;
  bool on_writer_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

  struct Stats {
    int64_t commits = 0;
    int64_t operations = 0;
  };
  Stats stats() const;

 private:
  void loop();
  void run_batch(std::vector<Op>& batch);
  // Runs the batch's operations in one transaction; the failure that ended it, if any.
  Status commit_batch(Connection& db, std::vector<Op>& batch, std::vector<Status>& outcomes);
  void note_failure(const Status& status);
  bool health_is_passing_failure() const;
  // Writer thread: whether the database answers again after a failed batch.
  void probe();

  Store& store_;
  const int group_commit_max_;
  const BatchStart batch_start_;

  mutable std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Op> queue_;   // guarded by queue_mutex_
  bool stopping_ = false;  // guarded by queue_mutex_

  mutable std::mutex health_mutex_;
  Status sticky_;   // guarded by health_mutex_: the failure that stopped the writer
  Status passing_;  // guarded by health_mutex_: the last batch's non-sticky failure, if any
  Stats stats_;     // guarded by health_mutex_

  std::thread thread_;  // last: starts once everything above exists
};

template <class T>
Result<T> GroupCommitWriter::write_and_wait(std::function<Result<T>(Connection& db)> body,
                                            bool durable) {
  if (on_writer_thread()) {
    return internal_error("journal: blocking write called on the journal's own writer thread");
  }
  std::optional<Result<T>> outcome;
  std::mutex done_mutex;
  std::condition_variable done_cv;
  bool done = false;
  submit({[&outcome, &body](Connection& db) -> Status {
            outcome.emplace(body(db));
            return outcome->status();
          },
          [&](const Status& final_status) {
            if (!final_status.is_ok()) outcome.emplace(final_status);
            std::lock_guard lock(done_mutex);
            done = true;
            done_cv.notify_one();
          },
          durable});
  std::unique_lock lock(done_mutex);
  done_cv.wait(lock, [&] { return done; });
  return std::move(*outcome);
}

}  // namespace portier::journal::sql
