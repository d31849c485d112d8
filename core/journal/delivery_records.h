#pragma once
// What follows a document delivery after dispatch: the receipts of registered deliveries and
// the inbox progress of deliveries through the RC adapter.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/base/status.h"
#include "core/journal/records.h"

namespace portier::journal {

class DeliveryRecords {
 public:
  virtual ~DeliveryRecords() = default;
  // The work item that carries the document delivery `delivery_id`, if there is one.
  virtual Result<std::optional<StoredItem>> find_delivery(const std::string& delivery_id) = 0;
  // The receipts of a registered delivery, oldest event first; one receipt by its id.
  virtual Result<std::vector<ReceiptRecord>> receipts(const std::string& delivery_id) = 0;
  virtual Result<std::optional<ReceiptRecord>> find_receipt(const std::string& receipt_id) = 0;
  // Registered deliveries made available (a SUBMISSION receipt) that have no final receipt yet
  // and no intake under `"<key_prefix>" + delivery_id`: the ones a periodic check still watches.
  virtual Result<std::vector<std::string>> deliveries_awaiting_outcome(
      const std::string& key_prefix) = 0;
  // Inbox deliveries of `destination` to follow (delivered there, no final status yet), oldest
  // first; recording a status: STORED_IN_INBOX, READ (final, event documentInInbox) and REJECTED
  // (final, event deliveryFailed) end the following; anything else is just kept.
  virtual Result<std::vector<InboxFollowUp>> inbox_awaiting_storage(const std::string& destination,
                                                                    int limit) = 0;
  virtual Status record_inbox_status(const InboxFollowUp& delivery, const std::string& status,
                                     int64_t at_ms, const std::string& detail) = 0;
  // The last recorded status of an inbox delivery and its detail, if any.
  virtual Result<std::optional<std::pair<std::string, std::string>>> inbox_status(
      const std::string& delivery_id) = 0;
};

}  // namespace portier::journal
