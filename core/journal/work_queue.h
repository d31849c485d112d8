#pragma once
// The work queue: dispatch claims due work items under a lease and settles each attempt;
// operators list, replay and park them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/journal/records.h"

namespace portier::journal {

class WorkQueue {
 public:
  virtual ~WorkQueue() = default;

  // Claims up to `max` due items of `destination` for `lease_ms`, for this instance. Items of
  // one Business Process ID are handed out in order: an item waits while an earlier one of its
  // case is pending or in flight (parked ones do not hold the case up), on every instance
  // sharing the store. Each claimed item carries a fresh fencing token (WorkItem.leaseToken).
  // An item whose lease ran out may be claimed again, by any instance, with a new token. A
  // payload whose SHA-256 no longer matches is parked as damaged and never returned.
  virtual Result<std::vector<model::WorkItem>> claim(const std::string& destination, int max,
                                                     int64_t now_ms, int64_t lease_ms) = 0;
  // Records how the attempt under `lease_token` ended. kFailedPrecondition if the item is no
  // longer in flight under that token (its lease was taken over): nothing is recorded then.
  virtual Status settle(int64_t item_id, int64_t lease_token, const AttemptRecord& attempt) = 0;
  // settle(), then, in the same transaction, claim() up to `max` due items of the settled
  // item's destination: a worker's pipeline, one journal round trip per delivery.
  virtual Result<std::vector<model::WorkItem>> settle_and_claim(int64_t item_id,
                                                                int64_t lease_token,
                                                                const AttemptRecord& attempt,
                                                                int max, int64_t now_ms,
                                                                int64_t lease_ms) = 0;

  // Operator actions: a parked (or pending) item back to pending now; any unfinished item parked.
  // `by` names who replayed (e.g. "console:anna", "portierctl") in the replay's evidence record;
  // "" names nobody.
  virtual Status replay(int64_t item_id, const std::string& by) = 0;
  virtual Status park(int64_t item_id, const std::string& reason) = 0;

  virtual Result<std::vector<StoredItem>> list(const ItemFilter& filter) = 0;
  virtual Result<StoredItem> get(int64_t item_id) = 0;
  virtual Result<std::vector<DepthRow>> depth() = 0;
  virtual Result<Backlog> backlog(const std::string& destination) = 0;
  // The next time any item of `destination` becomes due, if one is waiting.
  virtual Result<std::optional<int64_t>> next_due_ms(const std::string& destination) = 0;
};

}  // namespace portier::journal
