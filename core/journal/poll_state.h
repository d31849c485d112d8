#pragma once
// What pollers of counterparts keep: how far each feed or mailbox was read (its cursor), and
// the lease that lets one instance at a time poll it.
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/journal/records.h"

namespace portier::journal {

class PollState {
 public:
  virtual ~PollState() = default;
  // How far Portier has read a counterpart's event feed (0 at first), and advancing it: the
  // events become department events of the cases' departments (events of cases Portier did not
  // open are skipped) in the same transaction that moves the cursor, so a crash neither loses
  // nor repeats one.
  virtual Result<int64_t> feed_cursor(const std::string& feed) = 0;
  virtual Status advance_feed(const std::string& feed, int64_t cursor,
                              const std::vector<CaseEvent>& events) = 0;

  // One holder at a time may poll `name` (an APF mailbox, a receipt mailbox, the portal's event
  // feed, the inbox tracker). hold_lease() takes the lease if it is free or expired, or renews it
  // for its holder, until now_ms + ttl_ms; false if another holder has it.
  virtual Result<bool> hold_lease(const std::string& name, const std::string& holder,
                                  int64_t now_ms, int64_t ttl_ms) = 0;
  // Gives the lease up if `holder` has it (at a clean stop), so another may take it at once.
  virtual Status release_lease(const std::string& name, const std::string& holder) = 0;
  virtual Result<std::vector<LeaseRecord>> leases() = 0;
};

}  // namespace portier::journal
