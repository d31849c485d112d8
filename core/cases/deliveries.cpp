#include "core/cases/deliveries.h"

#include <fstream>
#include <iterator>

#include "core/base/clock.h"
#include "core/cases/delivery_news.h"

namespace portier::cases {
namespace {

Result<journal::StoredItem> owned_delivery(journal::Journal& journal, const std::string& department,
                                           const std::string& delivery_id, const char* field) {
  auto found = journal.find_delivery(delivery_id);
  if (!found.is_ok()) return found.status();
  if (!*found) return not_found(std::string(field) + " '" + delivery_id + "' is not known");
  if ((*found)->item.department != department) {
    return permission_denied(std::string(field) + " '" + delivery_id +
                             "' belongs to another department");
  }
  return **found;
}

// Before the platform has it, the work item tells; afterwards its receipts do.
std::string registered_status(const journal::StoredItem& item, const registered::Standing& s) {
  switch (item.state) {
    case journal::ItemState::kParked:
      return "FAILED";
    case journal::ItemState::kDone:
      return registered::to_string(s.state);
    default:
      return "QUEUED";
  }
}

// Queued until the RC adapter took it, then ACCEPTED until the adapter says it is in the
// inbox (DELIVERED) or refused it (FAILED, with the inbox's reason).
Result<DeliveryAnswer> inbox_standing(journal::Journal& journal, const journal::StoredItem& item,
                                      DeliveryAnswer a) {
  if (item.state == journal::ItemState::kParked) {
    a.status = "FAILED";
    return a;
  }
  if (item.state != journal::ItemState::kDone) {
    a.status = "QUEUED";
    return a;
  }
  auto progress = journal.inbox_status(a.delivery_id);
  if (!progress.is_ok()) return progress.status();
  const std::string status = *progress ? (*progress)->first : "";
  if (status == "REJECTED") {
    a.status = "FAILED";
    a.detail = "the inbox refused it: " + (*progress)->second;
  } else {
    a.status = status == "STORED_IN_INBOX" || status == "READ" ? "DELIVERED" : "ACCEPTED";
  }
  return a;
}

}  // namespace

Result<std::string> read_stored(const documents::DocumentStore& store, const std::string& sha) {
  auto path = store.path_of(sha);
  if (!path.is_ok()) return path.status();
  std::ifstream in(*path, std::ios::binary);
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (!in.good() && !in.eof()) return unavailable("cannot read " + *path);
  return bytes;
}

Result<DeliveryAnswer> describe_delivery(journal::Journal& journal, const std::string& department,
                                         const std::string& delivery_id,
                                         const registered::LifecycleRule& rule) {
  auto item = owned_delivery(journal, department, delivery_id, "deliveryId");
  if (!item.is_ok()) return item.status();
  const model::DocumentDelivery& d = item->item.message.documentDelivery;
  DeliveryAnswer a;
  a.delivery_id = d.deliveryId;
  a.business_process_id = item->item.businessProcessId;
  a.channel = "inbox";
  a.file_name = d.fileName;
  a.title = d.title;
  a.sha256 = d.documentSha256;
  if (item->state == journal::ItemState::kParked) a.detail = item->last_error;
  if (d.channel != model::DeliveryChannel::REGISTERED) return inbox_standing(journal, *item, a);
  auto receipts = journal.receipts(delivery_id);
  if (!receipts.is_ok()) return receipts.status();
  std::vector<registered::ReceiptFact> facts;
  for (const journal::ReceiptRecord& r : *receipts) {
    if (auto kind = registered::parse_receipt_kind(r.kind)) facts.push_back({*kind, r.event_ms});
    a.receipts.push_back({r.receipt_id, r.kind, r.event_ms, r.signature_valid});
  }
  registered::Standing standing = standing_of(d, facts, rule);
  a.channel = "registered";
  a.platform = d.__isset.platform ? d.platform : "";
  a.status = registered_status(*item, standing);
  if (standing.legal_delivery_day) {
    a.legal_delivery_date = registered::format_day(*standing.legal_delivery_day);
  }
  if (standing.deadline_last_day) {
    a.deadline_last_day = registered::format_day(*standing.deadline_last_day);
  }
  return a;
}

Result<ReceiptAnswer> read_receipt(journal::Journal& journal,
                                   const documents::DocumentStore* documents,
                                   const std::string& department, const std::string& receipt_id) {
  auto found = journal.find_receipt(receipt_id);
  if (!found.is_ok()) return found.status();
  if (!*found) return not_found("receiptId '" + receipt_id + "' is not known");
  const journal::ReceiptRecord& r = **found;
  auto owner = owned_delivery(journal, department, r.delivery_id, "receiptId's delivery");
  if (!owner.is_ok()) {
    if (owner.status().code() == StatusCode::kPermissionDenied) {
      return permission_denied("receiptId '" + receipt_id + "' belongs to another department");
    }
    return owner.status();
  }
  if (r.purged_ms != 0) {
    return failed_precondition("receiptId '" + receipt_id +
                               "': its retention ran out and it was "
                               "purged on " +
                               format_utc(r.purged_ms) + "; its digests remain");
  }
  if (!documents) return failed_precondition("documents are not configured");
  ReceiptAnswer a{r.receipt_id,      r.delivery_id,      r.kind, r.event_ms, r.platform,
                  r.signature_valid, r.signature_detail, {},     {},         {}};
  for (auto [sha, out] :
       {std::pair{&r.pdf_sha256, &a.pdf}, std::pair{&r.signature_sha256, &a.signature},
        std::pair{&r.receipt_id, &a.message}}) {
    auto bytes = read_stored(*documents, *sha);
    if (!bytes.is_ok()) return bytes.status();
    *out = std::move(*bytes);
  }
  return a;
}

}  // namespace portier::cases
