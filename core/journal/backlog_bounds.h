#pragma once
// Back-pressure per destination: how much undelivered work (pending and in flight) each
// destination may hold before intakes that would add to it are refused. A refused intake
// changes nothing and fails with kResourceExhausted and a Retry-After hint, so a department's
// call gets 503 and a poller leaves the submission where it is until the next turn, instead of
// the journal growing without limit while a counterpart is down or slow.
//
// The backlog is counted in the journal (across all instances sharing it) by the dispatcher's
// periodic refresh; intakes admitted since the last count are added on top and items this
// instance settled since are taken off, so the bound holds between two counts as well. It may
// refuse a little early (an intake that rolled back still counts until the next refresh), never
// late by more than the intakes in one group commit.
//
// Threads: set_bound() before use; everything else from any thread.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "core/base/status.h"

namespace portier::journal {

class BacklogBounds {
 public:
  // `max_items` 0: no bound. `retry_after`: the hint given with a refusal.
  void set_bound(const std::string& destination, int64_t max_items,
                 std::chrono::seconds retry_after);

  // The destination's backlog as just counted in the journal.
  void observe(const std::string& destination, int64_t backlog);
  // OK if one more item for `destination` is within its bound (and counts it); otherwise
  // kResourceExhausted naming the destination, its backlog and bound, with retry_after set.
  Status admit(const std::string& destination);
  // One item of `destination` left the backlog (delivered or parked).
  void settled(const std::string& destination);

  struct Reading {
    int64_t backlog = 0;  // last count plus admitted since
    int64_t bound = 0;    // 0: none
    int64_t refused = 0;  // intakes refused since start
  };
  std::map<std::string, Reading> readings() const;

 private:
  struct Bound {
    int64_t max_items = 0;
    std::chrono::seconds retry_after{1};
    std::atomic<int64_t> counted{0};   // the journal's last count
    std::atomic<int64_t> admitted{0};  // admitted less settled since that count
    std::atomic<int64_t> refused{0};
  };
  std::map<std::string, std::unique_ptr<Bound>> bounds_;  // fixed after set_bound()
};

}  // namespace portier::journal
