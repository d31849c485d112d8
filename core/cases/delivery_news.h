#pragma once
// The use case "a registered delivery's life changed" (a receipt arrived, or the acceptance
// window is closing): what it tells the department (a listEvents event) and the citizen's
// business case on the portal (an activity), recorded as one journal intake. The receipt
// collector calls it for what it records. Pure functions; any thread.
#include <functional>
#include <string>

#include "core/journal/journal.h"
#include "core/model/codec.h"
#include "core/registered/lifecycle.h"

namespace portier::cases {

// What changed: a receipt of this kind arrived, or (nullopt) the acceptance window is closing.
struct DeliveryNews {
  std::optional<registered::ReceiptKind> receipt;
  std::string delivery_id;
  std::string receipt_id;  // empty for the warning
  std::string platform;
  std::string document_title;
  int64_t at_ms = 0;              // the receipt's event time, or now for the warning
  registered::Standing standing;  // after the change
};

// The standing of registered delivery `d` after `receipts`, with the deadline it sets.
registered::Standing standing_of(const model::DocumentDelivery& d,
                                 const std::vector<registered::ReceiptFact>& receipts,
                                 const registered::LifecycleRule& rule);

// registeredDeliveryAvailable | …Accepted | …Refused | …Expired | …Undeliverable | …Expiring.
const char* news_kind(const DeliveryNews& news);

// The event of that kind, with a JSON detail (deliveryId, receiptId, platform, status,
// legalDeliveryDate, deadlineLastDay, closesAt).
journal::DepartmentEvent department_event(const DeliveryNews& news, const std::string& department,
                                          const std::string& business_process_id);

// The activity on the case, in German as the portal shows it.
model::Message case_activity(const DeliveryNews& news, const journal::BusinessCaseRecord& c);

// The intake under `key` for the delivery's case: records what `extra` adds (e.g. the receipt),
// tells the department (event) and puts an activity on the case for the portal.
journal::Intake news_intake(std::string key, const journal::StoredItem& delivery,
                            const DeliveryNews& news,
                            std::function<void(journal::IntakeTransaction&)> extra);

}  // namespace portier::cases
