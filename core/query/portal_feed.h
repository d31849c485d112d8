#pragma once
// Follows the portal's event feed (a citizen received or read a message) and turns its events
// into department events that departments pull with listEvents: "messageDelivered",
// "messageRead". The cursor lives in the journal and moves in the same transaction as the
// events it produced. A periodic task (core/runtime) runs its turns: every `interval`, backing
// off while the portal is unreachable. Instances sharing the journal read the feed one at a time
// (a poll lease).
// Threads: one turn at a time, on any thread; release() after the last.
#include <chrono>

#include "core/base/clock.h"
#include "core/journal/journal.h"
#include "core/journal/poll_turn.h"
#include "core/query/portal_reader.h"

namespace portier::query {

inline constexpr char kPortalFeed[] = "portal";

class PortalFeed {
 public:
  PortalFeed(journal::Journal& journal, PortalReader& portal, const Clock& clock,
             std::chrono::milliseconds interval);
  // Reads what is new if it is this instance's turn; the delay before the next turn:
  // `interval`, or longer each time (up to a minute) while the portal is unreachable.
  Millis turn();
  // Lets another instance take the feed over at once (at a clean stop, after the last turn).
  void release() { turn_.give_up(); }
  // Reads what is new once; true if the feed was reachable. For tests and the loop.
  bool poll_once();
  // poll_once() if this instance holds the feed's poll lease; true if not its turn.
  bool poll_in_turn();

 private:
  journal::Journal& journal_;
  PortalReader& portal_;
  std::chrono::milliseconds interval_;
  journal::PollTurn turn_;
  Millis wait_;  // turns only
};

// The department event kind for a portal event kind, "" for kinds departments do not see.
std::string department_event_kind(const std::string& portal_kind);

}  // namespace portier::query
