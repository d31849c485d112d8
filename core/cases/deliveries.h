#pragma once
// getDelivery and getReceipt: where a document delivery stands and its proof, read from the
// journal (work item and receipts) and the document store (the receipts' bytes). Only the
// department that sent the document may read either.
// Threads: blocking; on a worker pool.
#include <string>

#include "core/cases/requests.h"
#include "core/base/status.h"
#include "core/documents/document_store.h"
#include "core/journal/journal.h"
#include "core/registered/lifecycle.h"

namespace portier::cases {

// The bytes the document store keeps under `sha` (hex SHA-256); kNotFound if it has none.
Result<std::string> read_stored(const documents::DocumentStore& store, const std::string& sha);

Result<DeliveryAnswer> describe_delivery(journal::Journal& journal, const std::string& department,
                                         const std::string& delivery_id,
                                         const registered::LifecycleRule& rule);

Result<ReceiptAnswer> read_receipt(journal::Journal& journal,
                                   const documents::DocumentStore* documents,
                                   const std::string& department, const std::string& receipt_id);

}  // namespace portier::cases
