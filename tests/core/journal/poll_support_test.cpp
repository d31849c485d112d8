// What pollers of counterpart mailboxes (the AFS Antragspostfach) need from the journal: poll
// leases, knowing an intake by its key, the work items of one intake, items parked at intake,
// and a destination's backlog.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "core/base/digest.h"
#include "core/journal/sqlite_journal.h"

namespace portier::journal {
namespace {

namespace fs = std::filesystem;

model::Message submission(const std::string& id) {
  model::FormSubmission f;
  f.mailbox = "box";
  f.submissionId = id;
  f.formId = "F";
  model::Message m;
  m.__set_formSubmission(f);
  return m;
}

class PollSupportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("portier-poll-test-" + random_uuid());
    fs::create_directories(dir_);
    open();
  }
  void TearDown() override {
    journal_.reset();
    fs::remove_all(dir_);
  }
  void open() {
    journal_.reset();
    auto j = SqliteJournal::open((dir_ / "journal.db").string(), clock_, {});
    ASSERT_TRUE(j.is_ok()) << j.status().to_string();
    journal_ = std::move(*j);
  }
  Result<IntakeOutcome> accept(const std::string& key, const std::string& bpid,
                               std::function<void(IntakeTransaction&)> body) {
    Intake in;
    in.idempotency_key = key;
    in.department = "amt";
    in.business_process_id = bpid;
    in.operation = "afs:submission";
    in.request_sha256 = sha256_hex(key);
    in.build = [body](IntakeTransaction& txn) -> Result<std::string> {
      body(txn);
      return std::string("{}");
    };
    std::promise<Result<IntakeOutcome>> done;
    journal_->accept(std::move(in), [&done](Result<IntakeOutcome> o) { done.set_value(o); });
    return done.get_future().get();
  }

  fs::path dir_;
  ManualClock clock_;
  std::unique_ptr<SqliteJournal> journal_;
};

TEST_F(PollSupportTest, ALeaseHasOneHolderUntilItExpiresOrIsReleased) {
  const int64_t now = clock_.now_ms();
  EXPECT_TRUE(*journal_->hold_lease("afs:box", "a", now, 1000));
  EXPECT_FALSE(*journal_->hold_lease("afs:box", "b", now + 500, 1000));
  EXPECT_TRUE(*journal_->hold_lease("afs:box", "a", now + 900, 1000));  // renewed to +1900
  EXPECT_FALSE(*journal_->hold_lease("afs:box", "b", now + 1500, 1000));
  EXPECT_TRUE(*journal_->hold_lease("afs:other", "b", now, 1000));       // leases are per name
  EXPECT_TRUE(*journal_->hold_lease("afs:box", "b", now + 1900, 1000));  // expired: taken
  EXPECT_FALSE(*journal_->hold_lease("afs:box", "a", now + 2000, 1000));
  ASSERT_TRUE(journal_->release_lease("afs:box", "a").is_ok());  // not a's: no effect
  EXPECT_FALSE(*journal_->hold_lease("afs:box", "a", now + 2000, 1000));
  ASSERT_TRUE(journal_->release_lease("afs:box", "b").is_ok());
  EXPECT_TRUE(*journal_->hold_lease("afs:box", "a", now + 2000, 1000));
}

TEST_F(PollSupportTest, LeasesAndCursorsSurviveARestart) {
  ASSERT_TRUE(*journal_->hold_lease("afs:box", "a", clock_.now_ms(), 60'000));
  ASSERT_TRUE(journal_->advance_feed("afs:box", 1234, {}).is_ok());
  open();
  EXPECT_FALSE(*journal_->hold_lease("afs:box", "b", clock_.now_ms(), 60'000));
  EXPECT_EQ(*journal_->feed_cursor("afs:box"), 1234);
}

TEST_F(PollSupportTest, KnowsAnIntakeByItsKeyAndListsItsItemsInOrder) {
  EXPECT_FALSE(*journal_->knows_intake("afs/box/1"));
  ASSERT_TRUE(accept("afs/box/1", "bp-1", [](IntakeTransaction& txn) {
                txn.enqueue("department", submission("1"));
                txn.enqueue("afs:box", submission("1"));
              }).is_ok());
  ASSERT_TRUE(accept("afs/box/10", "bp-10", [](IntakeTransaction& txn) {
                txn.enqueue("department", submission("10"));
              }).is_ok());
  EXPECT_TRUE(*journal_->knows_intake("afs/box/1"));
  auto items = journal_->items_of_intake("afs/box/1");
  ASSERT_TRUE(items.is_ok());
  ASSERT_EQ(items->size(), 2u);  // not afs/box/10's
  EXPECT_EQ((*items)[0].item.destination, "department");
  EXPECT_EQ((*items)[1].item.destination, "afs:box");
  EXPECT_TRUE(journal_->items_of_intake("afs/box")->empty());
}

TEST_F(PollSupportTest, AnItemParkedAtIntakeIsKeptAndNeverClaimed) {
  ASSERT_TRUE(accept("afs/box/bad", "", [](IntakeTransaction& txn) {
                txn.enqueue_parked("afs:box", submission("bad"), "form data is not XML");
              }).is_ok());
  auto claimed = journal_->claim("afs:box", 10, clock_.now_ms(), 30'000);
  ASSERT_TRUE(claimed.is_ok());
  EXPECT_TRUE(claimed->empty());
  auto items = journal_->items_of_intake("afs/box/bad");
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].state, ItemState::kParked);
  EXPECT_EQ((*items)[0].last_error, "form data is not XML");
  auto b = journal_->backlog("afs:box");
  EXPECT_EQ(b->open, 0);
  EXPECT_EQ(b->parked, 1);
}

TEST_F(PollSupportTest, BacklogCountsOpenItemsAndTheOldest) {
  const int64_t first = clock_.now_ms();
  ASSERT_TRUE(accept("k1", "bp-1", [](IntakeTransaction& txn) {
                txn.enqueue("afs:box", submission("1"));
              }).is_ok());
  clock_.advance(std::chrono::milliseconds(5000));
  ASSERT_TRUE(accept("k2", "bp-2", [](IntakeTransaction& txn) {
                txn.enqueue("afs:box", submission("2"));
              }).is_ok());
  auto b = journal_->backlog("afs:box");
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(b->open, 2);
  EXPECT_EQ(b->oldest_open_ms, first);
  const int64_t oldest_id = b->oldest_open_id;
  EXPECT_EQ(journal_->get(oldest_id)->item.message.formSubmission.submissionId, "1");
  auto claimed = journal_->claim("afs:box", 1, clock_.now_ms(), 30'000);
  ASSERT_EQ(claimed->size(), 1u);
  AttemptRecord delivered;
  delivered.detail = "ok";
  ASSERT_TRUE(journal_->settle(claimed->front().id, delivered).is_ok());
  b = journal_->backlog("afs:box");
  EXPECT_EQ(b->open, 1);
  EXPECT_EQ(b->oldest_open_ms, first + 5000);
  EXPECT_GT(b->oldest_open_id, oldest_id);
  EXPECT_EQ(journal_->backlog("elsewhere")->open, 0);
}

}  // namespace
}  // namespace portier::journal
