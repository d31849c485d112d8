#pragma once
// Follows the portal's event feed (a citizen received or read a message) and turns its events
// into department events that departments pull with listEvents: "messageDelivered",
// "messageRead". The cursor lives in the journal and moves in the same transaction as the
// events it produced. One thread; it polls every `interval` and backs off while the portal is
// unreachable.
// Threads: start() and stop() from the owning thread.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/journal/journal.h"
#include "core/query/portal_reader.h"

namespace portier::query {

inline constexpr char kPortalFeed[] = "portal";

class PortalFeed {
 public:
  PortalFeed(journal::Journal& journal, PortalReader& portal, std::chrono::milliseconds interval);
  ~PortalFeed();
  void start();
  void stop();
  // Reads what is new once; true if the feed was reachable. For tests and the loop.
  bool poll_once();

 private:
  journal::Journal& journal_;
  PortalReader& portal_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool running_ = false;
  std::thread thread_;
};

// The department event kind for a portal event kind, "" for kinds departments do not see.
std::string department_event_kind(const std::string& portal_kind);

}  // namespace portier::query
