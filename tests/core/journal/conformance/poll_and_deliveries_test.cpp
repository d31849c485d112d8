// What pollers keep (cursors, and the lease that lets one holder at a time poll, across handles)
// and what follows a delivery (receipts of registered deliveries, inbox progress).
#include <gtest/gtest.h>

#include "tests/core/journal/conformance/journal_conformance.h"

namespace portier::journal::testing {
namespace {

ReceiptRecord receipt(const std::string& delivery, const std::string& kind, int64_t at_ms) {
  ReceiptRecord r;
  r.receipt_id = sha256_hex(delivery + kind + std::to_string(at_ms));
  r.delivery_id = delivery;
  r.kind = kind;
  r.event_ms = at_ms;
  r.platform = "incamail";
  r.receipt_message_id = "r-" + kind + "@platform";
  r.pdf_sha256 = sha256_hex("pdf" + kind);
  r.signature_sha256 = sha256_hex("sig" + kind);
  r.signature_valid = true;
  r.signature_detail = "CN=Test Seal";
  return r;
}

// One intake under `key` that records `r` and tells the department.
Result<IntakeOutcome> record(Journal& j, const std::string& key, const ReceiptRecord& r) {
  Intake in;
  in.idempotency_key = key;
  in.department = "betreibungsamt";
  in.business_process_id = "bp-1";
  in.operation = "receipt";
  in.request_sha256 = r.receipt_id;
  in.build = [r](IntakeTransaction& txn) -> Result<std::string> {
    txn.record_receipt(r);
    txn.add_event({0, "betreibungsamt", "registeredDelivery" + r.kind, "bp-1", r.event_ms, "{}"});
    return std::string("ok");
  };
  return accept_and_wait(j, std::move(in));
}

TYPED_TEST_SUITE(JournalConformance, Stores, StoreName);

TYPED_TEST(JournalConformance, ALeaseHasOneHolderUntilItExpiresOrIsReleased) {
  Journal& j = this->open();
  const int64_t now = this->clock_.now_ms();
  EXPECT_TRUE(*j.hold_lease("afs:box", "a", now, 1000));
  EXPECT_FALSE(*j.hold_lease("afs:box", "b", now + 500, 1000));
  EXPECT_TRUE(*j.hold_lease("afs:box", "a", now + 900, 1000));  // renewed to +1900
  EXPECT_FALSE(*j.hold_lease("afs:box", "b", now + 1500, 1000));
  EXPECT_TRUE(*j.hold_lease("afs:other", "b", now, 1000));       // leases are per name
  EXPECT_TRUE(*j.hold_lease("afs:box", "b", now + 1900, 1000));  // expired: taken
  EXPECT_FALSE(*j.hold_lease("afs:box", "a", now + 2000, 1000));
  ASSERT_TRUE(j.release_lease("afs:box", "a").is_ok());  // not a's: no effect
  EXPECT_FALSE(*j.hold_lease("afs:box", "a", now + 2000, 1000));
  ASSERT_TRUE(j.release_lease("afs:box", "b").is_ok());
  EXPECT_TRUE(*j.hold_lease("afs:box", "a", now + 2000, 1000));
}

TYPED_TEST(JournalConformance, LeasesAndCursorsSurviveARestart) {
  Journal& first = this->open();
  ASSERT_TRUE(*first.hold_lease("afs:box", "a", this->clock_.now_ms(), 60'000));
  ASSERT_TRUE(first.advance_feed("afs:box", 1234, {}).is_ok());
  Journal& j = this->open();
  EXPECT_FALSE(*j.hold_lease("afs:box", "b", this->clock_.now_ms(), 60'000));
  EXPECT_EQ(*j.feed_cursor("afs:box"), 1234);
  EXPECT_EQ(*j.feed_cursor("elsewhere"), 0);
}

TYPED_TEST(JournalConformance, FeedEventsBecomeEventsOfTheirCasesWithTheCursor) {
  Journal& j = this->open();
  Intake opening = make_intake("k1", "bp-1");
  opening.build = [](IntakeTransaction& txn) -> Result<std::string> {
    txn.open_case({"bp-1", "case-1", "steueramt", 7, "owner-1", 0});
    return std::string("case-1");
  };
  this->accept_ok(opening);
  std::vector<CaseEvent> events = {{"case-1", "messageRead", 1'000, R"({"messageId":"m1"})"},
                                   {"case-of-others", "messageRead", 2'000, "{}"}};
  ASSERT_TRUE(j.advance_feed("portal:events", 17, events).is_ok());
  EXPECT_EQ(*j.feed_cursor("portal:events"), 17);
  std::vector<DepartmentEvent> open = this->open_events("steueramt");
  ASSERT_EQ(open.size(), 1u) << "events of cases Portier did not open are skipped";
  EXPECT_EQ(open[0].kind, "messageRead");
  EXPECT_EQ(open[0].business_process_id, "bp-1");
  EXPECT_EQ(open[0].at_ms, 1'000);
  EXPECT_EQ(open[0].detail, R"({"messageId":"m1"})");
  ASSERT_TRUE(j.advance_feed("portal:events", 18, {}).is_ok());
  EXPECT_EQ(*j.feed_cursor("portal:events"), 18);
  EXPECT_EQ(this->open_events("steueramt").size(), 1u);
}

TYPED_TEST(JournalConformance, PollLeasesHaveOneHolderAcrossHandles) {
  Journal& a = this->open();
  Journal& b = this->open_beside("node-b");
  const int64_t now = this->clock_.now_ms();
  constexpr int64_t kTtl = 10'000;
  ASSERT_TRUE(*a.hold_lease("afs:box", a.instance(), now, kTtl));
  EXPECT_FALSE(*b.hold_lease("afs:box", b.instance(), now + 1, kTtl));
  ASSERT_TRUE(*b.hold_lease("portal:feed", b.instance(), now, kTtl));
  for (Journal* j : {&a, &b}) {
    Result<std::vector<LeaseRecord>> leases = j->leases();
    ASSERT_TRUE(leases.is_ok()) << leases.status().to_string();
    ASSERT_EQ(leases->size(), 2u);
    EXPECT_EQ((*leases)[0].name, "afs:box");
    EXPECT_EQ((*leases)[0].holder, "node-a");
    EXPECT_EQ((*leases)[0].expires_ms, now + kTtl);
    EXPECT_EQ((*leases)[1].name, "portal:feed");
    EXPECT_EQ((*leases)[1].holder, "node-b");
  }

  // A clean stop releases: the other takes the lease at once.
  ASSERT_TRUE(a.release_lease("afs:box", a.instance()).is_ok());
  EXPECT_TRUE(*b.hold_lease("afs:box", b.instance(), now + 2, kTtl));
  EXPECT_FALSE(*a.hold_lease("afs:box", a.instance(), now + 3, kTtl));
  EXPECT_EQ(a.leases()->front().holder, "node-b");

  // A holder that stops renewing (it died) loses the lease when its ttl has passed, not before.
  EXPECT_FALSE(*a.hold_lease("afs:box", a.instance(), now + 2 + kTtl - 1, kTtl));
  EXPECT_TRUE(*a.hold_lease("afs:box", a.instance(), now + 2 + kTtl, kTtl));
  EXPECT_FALSE(*b.hold_lease("afs:box", b.instance(), now + 2 + kTtl + 1, kTtl));
  Result<std::vector<LeaseRecord>> leases = b.leases();
  ASSERT_TRUE(leases.is_ok());
  EXPECT_EQ(leases->front().holder, "node-a");
  EXPECT_EQ(leases->front().expires_ms, now + 2 + 2 * kTtl);
}

TYPED_TEST(JournalConformance, ReceiptsAreKeptWithTheirEventAndReadBackInEventOrder) {
  Journal& j = this->open();
  ASSERT_TRUE(record(j, "receipt/b", receipt("d-1", "ACCEPTANCE", 2000)).is_ok());
  ASSERT_TRUE(record(j, "receipt/a", receipt("d-1", "SUBMISSION", 1000)).is_ok());
  auto kept = j.receipts("d-1");
  ASSERT_TRUE(kept.is_ok()) << kept.status().to_string();
  ASSERT_EQ(kept->size(), 2u);
  EXPECT_EQ((*kept)[0].kind, "SUBMISSION");
  EXPECT_EQ((*kept)[1].kind, "ACCEPTANCE");
  EXPECT_EQ((*kept)[1].signature_detail, "CN=Test Seal");
  EXPECT_TRUE((*kept)[1].signature_valid);
  EXPECT_EQ((*kept)[1].recorded_ms, this->clock_.now_ms());
  auto events = j.events("betreibungsamt", 0, 10);
  ASSERT_TRUE(events.is_ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].kind, "registeredDeliveryACCEPTANCE");

  auto one = j.find_receipt((*kept)[0].receipt_id);
  ASSERT_TRUE(one.is_ok() && one->has_value());
  EXPECT_EQ((**one).receipt_message_id, "r-SUBMISSION@platform");
  EXPECT_EQ((**one).pdf_sha256, sha256_hex("pdfSUBMISSION"));
  auto none = j.find_receipt("nope");
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none->has_value());
}

TYPED_TEST(JournalConformance, TheSameReceiptTwiceIsRecordedOnce) {
  Journal& j = this->open();
  ReceiptRecord r = receipt("d-1", "SUBMISSION", 1000);
  ASSERT_TRUE(record(j, "receipt/" + r.receipt_id, r).is_ok());
  auto again = record(j, "receipt/" + r.receipt_id, r);
  ASSERT_TRUE(again.is_ok());
  EXPECT_TRUE(again->duplicate);
  // Under another key the receipt itself refuses, and nothing of that intake is kept.
  EXPECT_FALSE(record(j, "other-key", r).is_ok());
  EXPECT_FALSE(*j.knows_intake("other-key"));
  EXPECT_EQ(j.receipts("d-1")->size(), 1u);
  EXPECT_EQ(j.events("betreibungsamt", 0, 10)->size(), 1u);
}

TYPED_TEST(JournalConformance, DeliveriesAwaitAnOutcomeUntilAFinalReceiptOrAWarning) {
  Journal& j = this->open();
  ASSERT_TRUE(record(j, "receipt/1", receipt("d-1", "SUBMISSION", 1000)).is_ok());
  ASSERT_TRUE(record(j, "receipt/2", receipt("d-2", "SUBMISSION", 1000)).is_ok());
  ASSERT_TRUE(record(j, "receipt/3", receipt("d-3", "SUBMISSION", 1000)).is_ok());
  ASSERT_TRUE(record(j, "receipt/4", receipt("d-2", "REFUSAL", 2000)).is_ok());
  ASSERT_TRUE(record(j, "expiring/d-3", receipt("d-x", "UNDELIVERABLE", 2000)).is_ok());
  auto open = j.deliveries_awaiting_outcome("expiring/");
  ASSERT_TRUE(open.is_ok()) << open.status().to_string();
  EXPECT_EQ(*open, std::vector<std::string>{"d-1"});
}

TYPED_TEST(JournalConformance, InboxDeliveriesAreFollowedUntilAFinalStatusThatTellsTheDepartment) {
  Journal& j = this->open();
  // A document delivery for the inbox, accepted, claimed and settled as `ref` at the adapter.
  auto deliver = [&](const std::string& delivery_id, const std::string& ref) {
    Intake in;
    in.idempotency_key = "k-" + delivery_id;
    in.department = "betreibungsamt";
    in.business_process_id = "bp-" + delivery_id;
    in.operation = "deliverDocument";
    in.request_sha256 = sha256_hex(delivery_id);
    in.build = [delivery_id](IntakeTransaction& txn) -> Result<std::string> {
      model::DocumentDelivery d;
      d.deliveryId = delivery_id;
      model::Message m;
      m.__set_documentDelivery(d);
      txn.enqueue("rc_adapter", m);
      return std::string("ok");
    };
    this->accept_ok(std::move(in));
    std::vector<int64_t> claimed = this->claim_ids("rc_adapter", 1);
    ASSERT_EQ(claimed.size(), 1u);
    AttemptRecord taken;
    taken.counterpart_ref = ref;
    ASSERT_TRUE(this->settle(claimed[0], taken).is_ok());
  };
  deliver("d-1", "rc-1");
  deliver("d-2", "rc-2");
  deliver("d-3", "");  // the adapter named nothing to follow
  Result<std::optional<StoredItem>> found = j.find_delivery("d-2");
  ASSERT_TRUE(found.is_ok() && found->has_value()) << found.status().to_string();
  EXPECT_EQ((*found)->item.id, this->item_id("k-d-2"));
  EXPECT_EQ((*found)->state, ItemState::kDone);
  EXPECT_FALSE(j.find_delivery("d-9")->has_value());

  auto open = j.inbox_awaiting_storage("rc_adapter", 10);
  ASSERT_TRUE(open.is_ok()) << open.status().to_string();
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].counterpart_ref, "rc-1");
  EXPECT_EQ((*open)[1].business_process_id, "bp-d-2");

  ASSERT_TRUE(j.record_inbox_status((*open)[0], "ACCEPTED", 1, "").is_ok());
  ASSERT_TRUE(j.record_inbox_status((*open)[1], "REJECTED", 2, "Postfach gesperrt").is_ok());
  EXPECT_EQ(j.inbox_awaiting_storage("rc_adapter", 10)->size(), 1u);  // d-1 still
  ASSERT_TRUE(j.record_inbox_status((*open)[0], "STORED_IN_INBOX", 3, "").is_ok());
  EXPECT_TRUE(j.inbox_awaiting_storage("rc_adapter", 10)->empty());

  auto rejected = j.inbox_status("d-2");
  ASSERT_TRUE(rejected.is_ok() && rejected->has_value());
  EXPECT_EQ(**rejected, (std::pair<std::string, std::string>{"REJECTED", "Postfach gesperrt"}));
  EXPECT_FALSE(j.inbox_status("d-3")->has_value());

  auto events = j.events("betreibungsamt", 0, 10);
  ASSERT_TRUE(events.is_ok());
  ASSERT_EQ(events->size(), 2u);  // ACCEPTED is no news
  EXPECT_EQ((*events)[0].kind, "deliveryFailed");
  EXPECT_NE((*events)[0].detail.find("Postfach gesperrt"), std::string::npos);
  EXPECT_EQ((*events)[1].kind, "documentInInbox");
  EXPECT_EQ((*events)[1].business_process_id, "bp-d-1");
}

}  // namespace
}  // namespace portier::journal::testing
