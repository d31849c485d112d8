#pragma once
// A bounded pool of connections for reads. borrow() lends an idle one (opening a new one while
// fewer than `size` exist, waiting otherwise); the loan gives it back when it ends, or drops it
// if it broke (fatal()), so the next borrow opens a fresh one.
//
// Threads: any thread.
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/base/status.h"
#include "core/journal/sql/connection.h"

namespace portier::journal::sql {

class ConnectionPool {
 public:
  using Open = std::function<Result<std::unique_ptr<Connection>>()>;
  ConnectionPool(Open open, int size);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  class Loan {
   public:
    Loan(ConnectionPool& pool, std::unique_ptr<Connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Loan(Loan&& other) noexcept = default;
    Loan& operator=(Loan&&) = delete;
    ~Loan();
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  Result<Loan> borrow();

 private:
  void give_back(std::unique_ptr<Connection> connection);

  const Open open_;
  const int size_;
  std::mutex mutex_;
  std::condition_variable idle_cv_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
  int open_count_ = 0;                             // guarded by mutex_
};

}  // namespace portier::journal::sql
