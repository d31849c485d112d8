#include "core/cases/delivery_news.h"

#include <boost/json.hpp>

#include "core/base/clock.h"
#include "core/base/digest.h"
#include "core/cases/vocabulary.h"

namespace portier::cases {
namespace {

using registered::ReceiptKind;

}  // namespace

registered::Standing standing_of(const model::DocumentDelivery& d,
                                 const std::vector<registered::ReceiptFact>& receipts,
                                 const registered::LifecycleRule& rule) {
  return registered::standing(
      receipts, rule, d.__isset.deadlineDays ? std::optional<int>(d.deadlineDays) : std::nullopt);
}

const char* news_kind(const DeliveryNews& n) {
  if (!n.receipt) return "registeredDeliveryExpiring";
  switch (*n.receipt) {
    case ReceiptKind::kSubmission:
      return "registeredDeliveryAvailable";
    case ReceiptKind::kAcceptance:
      return "registeredDeliveryAccepted";
    case ReceiptKind::kRefusal:
      return "registeredDeliveryRefused";
    case ReceiptKind::kExpiry:
      return "registeredDeliveryExpired";
    case ReceiptKind::kUndeliverable:
      return "registeredDeliveryUndeliverable";
  }
  return "";
}

namespace {

std::string day_of(int64_t ms) { return registered::format_day(registered::swiss_day(ms)); }

std::string legal_date(const DeliveryNews& n) {
  return n.standing.legal_delivery_day ? registered::format_day(*n.standing.legal_delivery_day)
                                       : std::string();
}

}  // namespace

journal::DepartmentEvent department_event(const DeliveryNews& n, const std::string& department,
                                          const std::string& business_process_id) {
  boost::json::object detail{{"deliveryId", n.delivery_id},
                             {"platform", n.platform},
                             {"status", registered::to_string(n.standing.state)}};
  if (!n.receipt_id.empty()) detail["receiptId"] = n.receipt_id;
  if (n.receipt) detail["receiptKind"] = registered::to_string(*n.receipt);
  if (std::string legal = legal_date(n); !legal.empty()) detail["legalDeliveryDate"] = legal;
  if (n.standing.deadline_last_day) {
    detail["deadlineLastDay"] = registered::format_day(*n.standing.deadline_last_day);
  }
  if (n.standing.closes_ms) detail["closesAt"] = format_utc(*n.standing.closes_ms);
  return {
      0, department, news_kind(n), business_process_id, n.at_ms, boost::json::serialize(detail)};
}

model::Message case_activity(const DeliveryNews& n, const journal::BusinessCaseRecord& c) {
  const std::string doc = "«" + n.document_title + "»";
  const std::string closes = n.standing.closes_ms ? day_of(*n.standing.closes_ms) : "";
  std::string title, body;
  if (!n.receipt) {
    title = "Einschreiben: Abholfrist läuft ab";
    body = doc + " kann noch bis " + closes + " abgeholt werden.";
  } else {
    switch (*n.receipt) {
      case ReceiptKind::kSubmission:
        title = "Einschreiben zur Abholung bereit";
        body = doc + " liegt bis " + closes + " zur Abholung bereit.";
        break;
      case ReceiptKind::kAcceptance:
        title = "Einschreiben abgeholt";
        body = doc + " wurde am " + day_of(n.at_ms) + " abgeholt.";
        break;
      case ReceiptKind::kRefusal:
        title = "Einschreiben verweigert";
        body = "Die Annahme von " + doc + " wurde am " + day_of(n.at_ms) + " verweigert.";
        break;
      case ReceiptKind::kExpiry:
        title = "Einschreiben nicht abgeholt";
        body = doc + " wurde nicht abgeholt und gilt als am " + legal_date(n) + " zugestellt.";
        break;
      case ReceiptKind::kUndeliverable:
        title = "Einschreiben unzustellbar";
        body = doc + " konnte nicht zugestellt werden.";
        break;
    }
  }
  model::Activity a;
  a.businessCaseId = c.business_case_id;
  a.ownerId = c.owner_id;
  a.title = title;
  a.body = body;
  a.type = "INFO";
  a.__set_event(news_kind(n));
  a.__set_serviceId(c.service_id);
  a.__set_displayStampMs(n.at_ms);
  model::Message m;
  m.__set_activity(a);
  return m;
}

journal::Intake news_intake(std::string key, const journal::StoredItem& delivery,
                            const DeliveryNews& news,
                            std::function<void(journal::IntakeTransaction&)> extra) {
  journal::Intake in;
  in.idempotency_key = std::move(key);
  in.department = delivery.item.department;
  in.business_process_id = delivery.item.businessProcessId;
  in.correlation_id = delivery.item.correlationId;
  in.operation = std::string("registered:") + news_kind(news);
  in.request_sha256 = news.receipt_id.empty() ? sha256_hex(in.idempotency_key) : news.receipt_id;
  in.build = [news, delivery,
              extra = std::move(extra)](journal::IntakeTransaction& txn) -> Result<std::string> {
    extra(txn);
    txn.add_event(
        department_event(news, delivery.item.department, delivery.item.businessProcessId));
    if (auto c = txn.find_case(delivery.item.businessProcessId)) {
      txn.enqueue(kPortalDestination, case_activity(news, *c));
    }
    return std::string("{}");
  };
  return in;
}

}  // namespace portier::cases
