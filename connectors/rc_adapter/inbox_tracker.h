#pragma once
// Follows inbox deliveries at the RC adapter until they are in the citizen's inbox: an upload
// the adapter took (its deliveryId kept with the work item) is read back every `poll` until it
// is STORED_IN_INBOX or READ (event documentInInbox) or REJECTED (event deliveryFailed with the
// inbox's reason). An unreachable adapter just means another look next round.
// Threads: one turn at a time (a periodic task, core/runtime), on any thread; release() after
// the last.
#include <chrono>

#include "connectors/rc_adapter/rc_adapter_connector.h"
#include "core/journal/journal.h"
#include "core/journal/poll_turn.h"

namespace portier::rc_adapter {

class InboxTracker {
 public:
  InboxTracker(RcAdapterConnector& adapter, journal::Journal& journal, const Clock& clock,
               std::string destination, std::chrono::milliseconds poll);
  // One round if it is this instance's turn; the delay before the next (`poll`).
  Millis turn();
  // Lets another instance take over at once (at a clean stop, after the last turn).
  void release() { turn_.give_up(); }
  // One round; returns how many deliveries reached a final status.
  Result<int> follow_once();

 private:
  RcAdapterConnector& adapter_;
  journal::Journal& journal_;
  const Clock& clock_;
  std::string destination_;
  std::chrono::milliseconds poll_;
  journal::PollTurn turn_;  // one instance at a time follows the deliveries
};

}  // namespace portier::rc_adapter
