#pragma once
// Collects one platform's receipts from the sender account's mailbox and turns them into the
// registered delivery's life (docs/contracts/delivery-platform.md §3):
//
//   every message in INBOX → parse (GMime) → its delivery, by the Message-ID it answers →
//   seal checked against the platform's CA → raw message, PDF and signature into the document
//   store → one journal intake (key "receipt/<sha256 of the raw message>") that records the
//   receipt, tells the department (event) and the portal (an activity on the business case) →
//   only then moved to Archive.
//
// A crash between the intake and the move leaves the message in INBOX; the next round finds
// its key known and just moves it. What is no receipt of this platform, or answers no delivery
// of ours, goes to Unmatched (and is counted), never deleted.
//
// Each round also warns departments whose registered deliveries are still uncollected shortly
// before the acceptance window closes (event registeredDeliveryExpiring, once per delivery).
//
// Threads: one turn at a time (a periodic task, core/runtime), on any thread; release() after
// the last. collect_once() is for tests and runs on the caller's thread (not between turns).
#include <chrono>
#include <functional>
#include <string>

#include "connectors/securemail/dialect.h"
#include "connectors/securemail/receipt_mailbox.h"
#include "core/base/clock.h"
#include "core/base/metrics.h"
#include "core/documents/document_store.h"
#include "core/journal/journal.h"
#include "core/journal/poll_turn.h"
#include "core/registered/lifecycle.h"

namespace portier::securemail {

struct CollectorSettings {
  Platform platform = Platform::kIncaMail;
  ImapAccount mailbox;
  std::string receipt_ca_file;    // the platform's seal CA
  std::string message_id_domain;  // ours: <deliveryId@domain>
  std::chrono::milliseconds poll{5'000};
  registered::LifecycleRule rule;
};

// How one round went.
struct CollectReport {
  int recorded = 0;   // new receipts
  int repeated = 0;   // already recorded (moved now)
  int unmatched = 0;  // moved to Unmatched (not a receipt of ours, or too large to read)
  int warned = 0;     // expiry warnings given
};

class ReceiptCollector {
 public:
  ReceiptCollector(CollectorSettings settings, journal::Journal& journal,
                   const documents::DocumentStore& documents, const Clock& clock,
                   metrics::Registry& metrics, std::function<void()> work_accepted);

  // One round if it is this instance's turn; the delay before the next (the poll interval).
  Millis turn();
  // Lets another instance take over at once (at a clean stop, after the last turn).
  void release() { turn_.give_up(); }
  // One round. An error (mailbox or journal unavailable) ends the round; the rest waits for
  // the next one.
  Result<CollectReport> collect_once();

 private:
  enum class Outcome { kRecorded, kRepeated, kUnmatched, kTooLarge };
  Result<Outcome> take(const std::string& raw);
  Outcome too_large(const Status& why);
  Status warn_before_expiry(CollectReport& report);
  void count(const char* outcome);

  CollectorSettings settings_;
  journal::Journal& journal_;
  const documents::DocumentStore& documents_;
  const Clock& clock_;
  metrics::Registry& metrics_;
  std::function<void()> work_accepted_;
  ReceiptMailbox mailbox_;
  journal::PollTurn turn_;  // one instance at a time reads the mailbox
};

}  // namespace portier::securemail
