#include "connectors/securemail/receipt_collector.h"

#include <algorithm>

#include "connectors/securemail/receipt_parser.h"
#include "connectors/securemail/receipt_signature.h"
#include "core/base/digest.h"
#include "core/base/log.h"
#include "core/cases/delivery_news.h"

namespace portier::securemail {
namespace {

using cases::DeliveryNews;
using cases::news_intake;
using cases::news_kind;

constexpr char kWarningKeyPrefix[] = "expiring/";
constexpr uint64_t kMaxPartBytes = 64ull << 20;

// The delivery id in "<id@domain>", if the domain is ours.
std::optional<std::string> delivery_of(const std::string& message_id, const std::string& domain) {
  if (message_id.size() < 3 || message_id.front() != '<' || message_id.back() != '>') {
    return std::nullopt;
  }
  std::string inner = message_id.substr(1, message_id.size() - 2);
  size_t at = inner.rfind('@');
  if (at == 0 || at == std::string::npos || inner.substr(at + 1) != domain) return std::nullopt;
  return inner.substr(0, at);
}

Result<std::string> keep(const documents::DocumentStore& store, const std::string& bytes) {
  auto stored = store.store_bytes(bytes, kMaxPartBytes);
  if (!stored.is_ok()) return stored.status();
  return stored->sha256_hex;
}

std::vector<registered::ReceiptFact> facts_of(const std::vector<journal::ReceiptRecord>& records) {
  std::vector<registered::ReceiptFact> facts;
  for (const auto& r : records) {
    if (auto kind = registered::parse_receipt_kind(r.kind)) facts.push_back({*kind, r.event_ms});
  }
  return facts;
}

}  // namespace

ReceiptCollector::ReceiptCollector(CollectorSettings settings, journal::Journal& journal,
                                   const documents::DocumentStore& documents, const Clock& clock,
                                   metrics::Registry& metrics, std::function<void()> work_accepted)
    : settings_(std::move(settings)),
      journal_(journal),
      documents_(documents),
      clock_(clock),
      metrics_(metrics),
      work_accepted_(std::move(work_accepted)),
      mailbox_(settings_.mailbox),
      turn_(journal, std::string("receipts/") + to_string(settings_.platform), journal.instance(),
            clock, std::max<std::chrono::milliseconds>(settings_.poll * 3, std::chrono::seconds(30))) {
  metrics_.describe("portier_receipts_total", "counter",
                    "Messages taken from a receipt mailbox, by platform and outcome");
  metrics_.describe("portier_receipt_rounds_failed_total", "counter",
                    "Receipt-mailbox rounds ended by an error (mailbox or journal unavailable)");
}

Millis ReceiptCollector::turn() {
  auto round = turn_.take() ? collect_once() : Result<CollectReport>(CollectReport{});
  if (!round.is_ok()) {
    metrics_.increment("portier_receipt_rounds_failed_total",
                       {{"platform", to_string(settings_.platform)}});
    log::warn("registered mail: receipt round failed",
              {{"platform", to_string(settings_.platform)}, {"error", round.status().message()}});
  }
  return settings_.poll;
}

void ReceiptCollector::count(const char* outcome) {
  metrics_.increment("portier_receipts_total",
                     {{"platform", to_string(settings_.platform)}, {"outcome", outcome}});
}

Result<CollectReport> ReceiptCollector::collect_once() {
  CollectReport report;
  auto uids = mailbox_.list_inbox();
  if (!uids.is_ok()) return uids.status();
  for (uint32_t uid : *uids) {
    auto raw = mailbox_.fetch(uid);
    if (!raw.is_ok() && raw.status().code() != StatusCode::kInvalidArgument) return raw.status();
    auto outcome = raw.is_ok() ? take(*raw) : too_large(raw.status());
    if (!outcome.is_ok()) return outcome.status();  // stays in INBOX for the next round
    MailboxFolder to =
        *outcome == Outcome::kRecorded || *outcome == Outcome::kRepeated ? MailboxFolder::kArchive
                                                                          : MailboxFolder::kUnmatched;
    if (Status s = mailbox_.move(uid, to); !s.is_ok() && s.code() != StatusCode::kNotFound) {
      return s;
    }
    switch (*outcome) {
      case Outcome::kRecorded:
        ++report.recorded;
        count("recorded");
        break;
      case Outcome::kRepeated:
        ++report.repeated;
        count("repeated");
        break;
      case Outcome::kUnmatched:
        ++report.unmatched;
        count("unmatched");
        break;
      case Outcome::kTooLarge:
        ++report.unmatched;
        count("too_large");
        break;
    }
  }
  if (report.recorded > 0 && work_accepted_) work_accepted_();
  if (Status s = warn_before_expiry(report); !s.is_ok()) return s;
  return report;
}

ReceiptCollector::Outcome ReceiptCollector::too_large(const Status& why) {
  log::warn("registered mail: a message too large to be a receipt; moved to Unmatched unread",
            {{"platform", to_string(settings_.platform)}, {"reason", why.message()}});
  return Outcome::kTooLarge;
}

Result<ReceiptCollector::Outcome> ReceiptCollector::take(const std::string& raw) {
  const char* platform = to_string(settings_.platform);
  auto receipt = parse_receipt(raw, settings_.platform);
  if (!receipt.is_ok()) {
    log::warn("registered mail: not a receipt; moved to Unmatched",
              {{"platform", platform}, {"reason", receipt.status().message()}});
    return Outcome::kUnmatched;
  }
  auto delivery_id = delivery_of(receipt->original_message_id, settings_.message_id_domain);
  auto delivery = delivery_id ? journal_.find_delivery(*delivery_id)
                              : Result<std::optional<journal::StoredItem>>(std::nullopt);
  if (!delivery.is_ok()) return delivery.status();
  if (!*delivery ||
      (**delivery).item.message.documentDelivery.channel != model::DeliveryChannel::REGISTERED) {
    log::warn("registered mail: a receipt for no registered delivery of ours; moved to Unmatched",
              {{"platform", platform}, {"answers", receipt->original_message_id}});
    return Outcome::kUnmatched;
  }
  const journal::StoredItem& item = **delivery;

  SealCheck seal = verify_receipt_seal(receipt->pdf, receipt->signature, settings_.receipt_ca_file);
  journal::ReceiptRecord record;
  using Part = std::pair<const std::string*, std::string*>;
  for (auto [bytes, out] : {Part{&raw, &record.receipt_id}, Part{&receipt->pdf, &record.pdf_sha256},
                            Part{&receipt->signature, &record.signature_sha256}}) {
    auto sha = keep(documents_, *bytes);
    if (!sha.is_ok()) return sha.status();
    *out = *sha;
  }
  record.delivery_id = *delivery_id;
  record.kind = registered::to_string(receipt->kind);
  record.event_ms = receipt->event_time_ms;
  record.platform = platform;
  record.receipt_message_id = receipt->receipt_message_id;
  record.signature_valid = seal.valid;
  record.signature_detail = seal.valid ? seal.signer_subject : seal.reason;
  record.recorded_ms = clock_.now_ms();
  if (!seal.valid) {
    log::warn("registered mail: a receipt's seal does not hold; kept with that finding",
              {{"platform", platform}, {"receipt", record.receipt_id}, {"reason", seal.reason}});
  }

  auto before = journal_.receipts(*delivery_id);
  if (!before.is_ok()) return before.status();
  auto facts = facts_of(*before);
  facts.push_back({receipt->kind, receipt->event_time_ms});
  DeliveryNews news{receipt->kind,
                    *delivery_id,
                    record.receipt_id,
                    platform,
                    item.item.message.documentDelivery.title,
                    receipt->event_time_ms,
                    cases::standing_of(item.item.message.documentDelivery, facts, settings_.rule)};
  auto outcome = journal::accept_and_wait(
      journal_,
      news_intake("receipt/" + record.receipt_id, item, news,
                  [record](journal::IntakeTransaction& txn) { txn.record_receipt(record); }));
  if (!outcome.is_ok()) return outcome.status();
  if (!outcome->duplicate) {
    log::info("registered mail: receipt recorded",
              {{"platform", platform},
               {"delivery_id", *delivery_id},
               {"kind", record.kind},
               {"business_process_id", item.item.businessProcessId}});
  }
  return outcome->duplicate ? Outcome::kRepeated : Outcome::kRecorded;
}

Status ReceiptCollector::warn_before_expiry(CollectReport& report) {
  auto open = journal_.deliveries_awaiting_outcome(kWarningKeyPrefix);
  if (!open.is_ok()) return open.status();
  const int64_t now = clock_.now_ms();
  for (const std::string& delivery_id : *open) {
    auto delivery = journal_.find_delivery(delivery_id);
    if (!delivery.is_ok()) return delivery.status();
    if (!*delivery) continue;
    const journal::StoredItem& item = **delivery;
    const auto& doc = item.item.message.documentDelivery;
    if (!doc.__isset.platform || doc.platform != to_string(settings_.platform)) continue;
    auto receipts = journal_.receipts(delivery_id);
    if (!receipts.is_ok()) return receipts.status();
    registered::Standing s = cases::standing_of(doc, facts_of(*receipts), settings_.rule);
    if (!registered::expiry_warning_due(s, now, settings_.rule)) continue;
    DeliveryNews news{std::nullopt, delivery_id, "", doc.platform, doc.title, now, s};
    auto outcome = journal::accept_and_wait(
        journal_, news_intake(kWarningKeyPrefix + delivery_id, item, news,
                              [](journal::IntakeTransaction&) {}));
    if (!outcome.is_ok()) return outcome.status();
    if (!outcome->duplicate) ++report.warned;
  }
  if (report.warned > 0 && work_accepted_) work_accepted_();
  return Status::ok();
}

}  // namespace portier::securemail
