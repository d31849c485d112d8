#include "core/journal/sql/connection_pool.h"

#include <utility>

namespace portier::journal::sql {

ConnectionPool::ConnectionPool(Open open, int size)
    : open_(std::move(open)), size_(size < 1 ? 1 : size) {}

ConnectionPool::Loan::~Loan() {
  if (connection_) pool_->give_back(std::move(connection_));
}

Result<ConnectionPool::Loan> ConnectionPool::borrow() {
  {
    std::unique_lock lock(mutex_);
    idle_cv_.wait(lock, [this] { return !idle_.empty() || open_count_ < size_; });
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Loan(*this, std::move(connection));
    }
    ++open_count_;  // a slot for the one opened below, outside the lock
  }
  Result<std::unique_ptr<Connection>> opened = open_();
  if (!opened.is_ok()) {
    {
      std::lock_guard lock(mutex_);
      --open_count_;
    }
    idle_cv_.notify_one();
    return opened.status();
  }
  return Loan(*this, std::move(*opened));
}

void ConnectionPool::give_back(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    if (connection->fatal().is_ok()) {
      idle_.push_back(std::move(connection));
    } else {
      --open_count_;  // broken: dropped, its slot opens a fresh one
      connection.reset();
    }
  }
  idle_cv_.notify_one();
}

}  // namespace portier::journal::sql
