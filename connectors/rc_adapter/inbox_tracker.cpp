#include "connectors/rc_adapter/inbox_tracker.h"

#include <algorithm>

#include "core/base/log.h"

namespace portier::rc_adapter {
namespace {

constexpr int kPerRound = 100;

}  // namespace

InboxTracker::InboxTracker(RcAdapterConnector& adapter, journal::Journal& journal,
                           const Clock& clock, std::string destination,
                           std::chrono::milliseconds poll)
    : adapter_(adapter),
      journal_(journal),
      clock_(clock),
      destination_(std::move(destination)),
      poll_(poll),
      turn_(journal, "inbox-tracker/" + destination_, journal.instance(), clock,
            std::max<std::chrono::milliseconds>(poll * 3, std::chrono::seconds(30))) {}

Millis InboxTracker::turn() {
  if (!turn_.take()) return poll_;  // another instance follows them now
  if (auto round = follow_once(); !round.is_ok()) {
    log::warn("inbox deliveries: could not follow them this round",
              {{"error", round.status().message()}});
  }
  return poll_;
}

Result<int> InboxTracker::follow_once() {
  auto open = journal_.inbox_awaiting_storage(destination_, kPerRound);
  if (!open.is_ok()) return open.status();
  int settled = 0;
  for (const journal::InboxFollowUp& d : *open) {
    auto status = adapter_.read_delivery(d.counterpart_ref);
    if (!status.is_ok()) return status.status();  // the rest waits for the next round
    if (status->status == "ACCEPTED") continue;
    if (Status s = journal_.record_inbox_status(d, status->status, clock_.now_ms(), status->reason);
        !s.is_ok()) {
      return s;
    }
    ++settled;
    log::info("inbox delivery followed", {{"delivery_id", d.delivery_id},
                                          {"status", status->status},
                                          {"business_process_id", d.business_process_id}});
  }
  return settled;
}

}  // namespace portier::rc_adapter
