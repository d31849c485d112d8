#include "core/app/delivery_export.h"

#include <boost/json.hpp>

#include "core/base/clock.h"
#include "core/cases/delivery_news.h"
#include "core/evidence/chain.h"

namespace portier::app {
namespace {

namespace json = boost::json;

// Where the content-addressed store keeps these bytes (core/documents/document_store.h).
std::string stored_at(const std::string& folder, const std::string& sha) {
  return folder.empty() ? std::string() : folder + "/" + sha.substr(0, 2) + "/" + sha;
}

json::object receipt_json(const journal::ReceiptRecord& r, const std::string& folder) {
  json::object o{{"receiptId", r.receipt_id},
                 {"kind", r.kind},
                 {"eventTime", format_utc(r.event_ms)},
                 {"platform", r.platform},
                 {"receiptMessageId", r.receipt_message_id},
                 {"messageSha256", r.receipt_id},
                 {"pdfSha256", r.pdf_sha256},
                 {"signatureSha256", r.signature_sha256},
                 {"signatureValid", r.signature_valid},
                 {"signatureDetail", r.signature_detail},
                 {"recordedAt", format_utc(r.recorded_ms)}};
  // A purged receipt's files are gone; its digests above remain.
  if (r.purged_ms != 0) {
    o["purgedAt"] = format_utc(r.purged_ms);
  } else {
    o["files"] = {{"message", stored_at(folder, r.receipt_id)},
                  {"pdf", stored_at(folder, r.pdf_sha256)},
                  {"signature", stored_at(folder, r.signature_sha256)}};
  }
  return o;
}

}  // namespace

Result<json::array> deliveries_of_case(journal::Journal& journal, const std::string& bpid,
                                       const registered::LifecycleRule& rule,
                                       const std::string& folder) {
  journal::ItemFilter filter;
  filter.business_process_id = bpid;
  filter.limit = 100000;
  auto items = journal.list(filter);
  if (!items.is_ok()) return items.status();
  json::array out;
  for (const journal::StoredItem& item : *items) {
    if (!item.item.message.__isset.documentDelivery) continue;
    const model::DocumentDelivery& d = item.item.message.documentDelivery;
    const bool registered = d.channel == model::DeliveryChannel::REGISTERED;
    json::object o{{"deliveryId", d.deliveryId},
                   {"channel", registered ? "registered" : "inbox"},
                   {"fileName", d.fileName},
                   {"title", d.title},
                   {"documentSha256", d.documentSha256},
                   {"sizeBytes", d.sizeBytes},
                   {"document", stored_at(folder, d.documentSha256)},
                   {"workItemId", item.item.id},
                   {"workItemState", journal::to_string(item.state)}};
    // Purged: the document and what named the person are gone; the digest remains.
    if (item.purged_ms != 0) {
      o.erase("document");
      o["purgedAt"] = format_utc(item.purged_ms);
    }
    if (!registered) {
      out.push_back(std::move(o));
      continue;
    }
    o["platform"] = d.__isset.platform ? d.platform : "";
    o["recipient"] = d.__isset.recipient ? d.recipient : "";
    auto receipts = journal.receipts(d.deliveryId);
    if (!receipts.is_ok()) return receipts.status();
    std::vector<registered::ReceiptFact> facts;
    json::array proofs;
    for (const journal::ReceiptRecord& r : *receipts) {
      if (auto kind = registered::parse_receipt_kind(r.kind)) facts.push_back({*kind, r.event_ms});
      proofs.push_back(receipt_json(r, folder));
    }
    registered::Standing s = cases::standing_of(d, facts, rule);
    o["status"] = registered::to_string(s.state);
    if (s.legal_delivery_day) {
      o["legalDeliveryDate"] = registered::format_day(*s.legal_delivery_day);
    }
    if (s.deadline_last_day) o["deadlineLastDay"] = registered::format_day(*s.deadline_last_day);
    o["receipts"] = std::move(proofs);
    out.push_back(std::move(o));
  }
  return out;
}

Result<boost::json::value> export_case(journal::Journal& journal,
                                       const std::string& business_process_id,
                                       const registered::LifecycleRule& rule,
                                       const std::string& documents_folder) {
  auto records = journal.evidence(business_process_id);
  if (!records.is_ok()) return records.status();
  if (records->empty()) {
    return not_found("no evidence for business process id '" + business_process_id + "'");
  }
  auto deliveries = deliveries_of_case(journal, business_process_id, rule, documents_folder);
  if (!deliveries.is_ok()) return deliveries.status();
  boost::json::value doc = boost::json::parse(evidence::export_json(business_process_id, *records));
  doc.as_object()["deliveries"] = std::move(*deliveries);
  return doc;
}

}  // namespace portier::app
