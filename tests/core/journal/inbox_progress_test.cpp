// Inbox deliveries are followed from the moment the RC adapter took them (its id kept with the
// item) until a final status, which tells the department.
#include <gtest/gtest.h>

#include "core/base/digest.h"
#include "core/journal/sqlite_journal.h"
#include "tests/core/journal/temp_journal.h"

namespace portier::journal {
namespace {

class InboxProgressTest : public testing::TempJournalTest {
 protected:
  // A document delivery for the inbox, accepted, claimed and settled as `ref` at the adapter.
  void deliver(const std::string& delivery_id, const std::string& ref) {
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
    ASSERT_TRUE(accept_and_wait(std::move(in)).is_ok());
    auto claimed = journal_->claim("rc_adapter", 1, clock_.now_ms(), 30'000);
    ASSERT_TRUE(claimed.is_ok() && claimed->size() == 1);
    AttemptRecord delivered;
    delivered.counterpart_ref = ref;
    ASSERT_TRUE(journal_->settle((*claimed)[0].id, delivered).is_ok());
  }
};

TEST_F(InboxProgressTest, FollowedUntilAFinalStatusWhichTellsTheDepartment) {
  deliver("d-1", "rc-1");
  deliver("d-2", "rc-2");
  deliver("d-3", "");  // the adapter named nothing to follow
  auto open = journal_->inbox_awaiting_storage("rc_adapter", 10);
  ASSERT_TRUE(open.is_ok());
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].counterpart_ref, "rc-1");
  EXPECT_EQ((*open)[1].business_process_id, "bp-d-2");

  ASSERT_TRUE(journal_->record_inbox_status((*open)[0], "ACCEPTED", 1, "").is_ok());
  ASSERT_TRUE(
      journal_->record_inbox_status((*open)[1], "REJECTED", 2, "Postfach gesperrt").is_ok());
  EXPECT_EQ(journal_->inbox_awaiting_storage("rc_adapter", 10)->size(), 1u);  // d-1 still
  ASSERT_TRUE(journal_->record_inbox_status((*open)[0], "STORED_IN_INBOX", 3, "").is_ok());
  EXPECT_TRUE(journal_->inbox_awaiting_storage("rc_adapter", 10)->empty());

  auto rejected = journal_->inbox_status("d-2");
  ASSERT_TRUE(rejected.is_ok() && rejected->has_value());
  EXPECT_EQ(**rejected, (std::pair<std::string, std::string>{"REJECTED", "Postfach gesperrt"}));
  EXPECT_FALSE(journal_->inbox_status("d-3")->has_value());

  auto events = journal_->events("betreibungsamt", 0, 10);
  ASSERT_TRUE(events.is_ok());
  ASSERT_EQ(events->size(), 2u);  // ACCEPTED is no news
  EXPECT_EQ((*events)[0].kind, "deliveryFailed");
  EXPECT_NE((*events)[0].detail.find("Postfach gesperrt"), std::string::npos);
  EXPECT_EQ((*events)[1].kind, "documentInInbox");
  EXPECT_EQ((*events)[1].business_process_id, "bp-d-1");
}

}  // namespace
}  // namespace portier::journal
