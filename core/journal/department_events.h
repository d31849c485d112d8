#pragma once
// Events for departments that pull, kept until they acknowledge them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/journal/records.h"

namespace portier::journal {

class DepartmentEvents {
 public:
  virtual ~DepartmentEvents() = default;
  // Also written when dispatch parks an item of a department (kind "deliveryFailed"), in the
  // same transaction as the parking. department and kind are required; at_ms 0 means now, an
  // empty detail is stored as "{}".
  virtual Status add_event(const DepartmentEvent& event) = 0;
  // Unacknowledged events of `department` with seq > after_seq, oldest first.
  virtual Result<std::vector<DepartmentEvent>> events(const std::string& department,
                                                      int64_t after_seq, int limit) = 0;
  // Acknowledges the department's events with these seqs; returns how many were open. An event
  // that holds a work item releases it (parked -> pending, due now) in the same transaction.
  virtual Result<int> ack_events(const std::string& department,
                                 const std::vector<int64_t>& seqs) = 0;
  // The item held by the event of `kind` about `subject`, or by the event that holds work item
  // `item_id`; nothing if there is none.
  virtual Result<std::optional<HeldItem>> held_item(const std::string& kind,
                                                    const std::string& subject) = 0;
  virtual Result<std::optional<HeldItem>> held_item(int64_t item_id) = 0;
};

}  // namespace portier::journal
