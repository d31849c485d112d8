#include "core/query/portal_feed.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/base/log.h"

namespace portier::query {
namespace {
constexpr int kPage = 100;
}

std::string department_event_kind(const std::string& portal_kind) {
  if (portal_kind == "MESSAGE_READ") return "messageRead";
  if (portal_kind == "MESSAGE_DELIVERED") return "messageDelivered";
  return "";
}

PortalFeed::PortalFeed(journal::Journal& journal, PortalReader& portal, const Clock& clock,
                       std::chrono::milliseconds interval)
    : journal_(journal),
      portal_(portal),
      interval_(interval),
      turn_(journal, std::string("feed/") + kPortalFeed, journal.instance(), clock,
            std::max<std::chrono::milliseconds>(interval * 3, std::chrono::seconds(30))) {}

bool PortalFeed::poll_in_turn() { return turn_.take() ? poll_once() : true; }

PortalFeed::~PortalFeed() { stop(); }

bool PortalFeed::poll_once() {
  auto cursor = journal_.feed_cursor(kPortalFeed);
  if (!cursor.is_ok()) return false;
  for (;;) {
    auto events = portal_.read_events(*cursor, kPage);
    if (!events.is_ok()) {
      log::warn("cannot read the portal's event feed", {{"error", events.status().to_string()}});
      return false;
    }
    if (events->empty()) return true;
    std::vector<journal::CaseEvent> mapped;
    int64_t next = *cursor;
    for (const PortalEvent& e : *events) {
      next = std::max(next, e.cursor);
      std::string kind = department_event_kind(e.kind);
      if (kind.empty()) continue;
      boost::json::object detail{{"messageId", e.message_id}};
      mapped.push_back({e.business_case_id, kind, e.at_ms, boost::json::serialize(detail)});
    }
    if (Status s = journal_.advance_feed(kPortalFeed, next, mapped); !s.is_ok()) {
      log::error("cannot record the portal's events", {{"error", s.to_string()}});
      return false;
    }
    *cursor = next;
    if (static_cast<int>(events->size()) < kPage) return true;
  }
}

void PortalFeed::start() {
  {
    std::lock_guard lock(mutex_);
    running_ = true;
  }
  thread_ = std::thread([this] {
    auto wait = interval_;
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, wait, [this] { return !running_; })) {
      lock.unlock();
      bool reachable = poll_in_turn();
      lock.lock();
      // Back off up to a minute while the portal is unreachable.
      wait = reachable ? interval_ : std::min<std::chrono::milliseconds>(wait * 2, std::chrono::minutes(1));
    }
  });
}

void PortalFeed::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!running_) return;
    running_ = false;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  turn_.give_up();
}

}  // namespace portier::query
