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
            std::max<std::chrono::milliseconds>(interval * 3, std::chrono::seconds(30))),
      wait_(interval) {}

bool PortalFeed::poll_in_turn() { return turn_.take() ? poll_once() : true; }

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

Millis PortalFeed::turn() {
  wait_ = poll_in_turn() ? interval_ : std::min<Millis>(wait_ * 2, std::chrono::minutes(1));
  return wait_;
}

}  // namespace portier::query
