// Receipts of registered deliveries: kept with their intake, read back in event order, and the
// deliveries still waiting for an outcome.
#include <gtest/gtest.h>

#include "core/base/digest.h"
#include "core/journal/sqlite_journal.h"
#include "tests/core/journal/temp_journal.h"

namespace portier::journal {
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

class ReceiptsTest : public testing::TempJournalTest {
 protected:
  // One intake under `key` that records `r` and tells the department.
  Result<IntakeOutcome> record(const std::string& key, const ReceiptRecord& r) {
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
    return accept_and_wait(std::move(in));
  }
};

TEST_F(ReceiptsTest, KeptWithTheirEventAndReadBackInEventOrder) {
  ASSERT_TRUE(record("receipt/b", receipt("d-1", "ACCEPTANCE", 2000)).is_ok());
  ASSERT_TRUE(record("receipt/a", receipt("d-1", "SUBMISSION", 1000)).is_ok());
  auto kept = journal_->receipts("d-1");
  ASSERT_TRUE(kept.is_ok());
  ASSERT_EQ(kept->size(), 2u);
  EXPECT_EQ((*kept)[0].kind, "SUBMISSION");
  EXPECT_EQ((*kept)[1].kind, "ACCEPTANCE");
  EXPECT_EQ((*kept)[1].signature_detail, "CN=Test Seal");
  EXPECT_TRUE((*kept)[1].signature_valid);
  auto events = journal_->events("betreibungsamt", 0, 10);
  ASSERT_TRUE(events.is_ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].kind, "registeredDeliveryACCEPTANCE");

  auto one = journal_->find_receipt((*kept)[0].receipt_id);
  ASSERT_TRUE(one.is_ok() && one->has_value());
  EXPECT_EQ((**one).receipt_message_id, "r-SUBMISSION@platform");
  auto none = journal_->find_receipt("nope");
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(ReceiptsTest, TheSameReceiptTwiceIsRecordedOnce) {
  ReceiptRecord r = receipt("d-1", "SUBMISSION", 1000);
  ASSERT_TRUE(record("receipt/" + r.receipt_id, r).is_ok());
  auto again = record("receipt/" + r.receipt_id, r);
  ASSERT_TRUE(again.is_ok());
  EXPECT_TRUE(again->duplicate);
  // Under another key the receipt itself refuses, and nothing of that intake is kept.
  EXPECT_FALSE(record("other-key", r).is_ok());
  EXPECT_EQ(journal_->receipts("d-1")->size(), 1u);
  EXPECT_EQ(journal_->events("betreibungsamt", 0, 10)->size(), 1u);
}

TEST_F(ReceiptsTest, AwaitingOutcomeUntilAFinalReceiptOrAWarning) {
  ASSERT_TRUE(record("receipt/1", receipt("d-1", "SUBMISSION", 1000)).is_ok());
  ASSERT_TRUE(record("receipt/2", receipt("d-2", "SUBMISSION", 1000)).is_ok());
  ASSERT_TRUE(record("receipt/3", receipt("d-3", "SUBMISSION", 1000)).is_ok());
  ASSERT_TRUE(record("receipt/4", receipt("d-2", "REFUSAL", 2000)).is_ok());
  ASSERT_TRUE(record("expiring/d-3", receipt("d-x", "UNDELIVERABLE", 2000)).is_ok());
  auto open = journal_->deliveries_awaiting_outcome("expiring/");
  ASSERT_TRUE(open.is_ok());
  EXPECT_EQ(*open, std::vector<std::string>{"d-1"});
}

}  // namespace
}  // namespace portier::journal
