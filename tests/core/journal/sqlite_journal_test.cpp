#include "core/journal/sqlite_journal.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "core/base/digest.h"
#include "core/evidence/chain.h"
#include "core/journal/sqlite_schema.h"
#include "tests/core/journal/faulty_vfs.h"

namespace portier::journal {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kLease = 30'000;

model::Message status_update(const std::string& case_id) {
  model::StatusUpdate u;
  u.__set_businessCaseId(case_id);
  u.__set_status(model::CaseStatus::IN_PROGRESS);
  model::Message m;
  m.__set_statusUpdate(u);
  return m;
}

// An intake that enqueues one status update per destination and answers "answer:<key>".
Intake make_intake(const std::string& key, const std::string& bpid,
                   std::vector<std::string> destinations = {"portal"}) {
  Intake in;
  in.idempotency_key = key;
  in.department = "steueramt";
  in.business_process_id = bpid;
  in.correlation_id = "corr-" + key;
  in.operation = "reportStatus";
  in.request_sha256 = sha256_hex(key);
  in.build = [key, bpid, destinations](IntakeTransaction& txn) -> Result<std::string> {
    for (const std::string& d : destinations) txn.enqueue(d, status_update(bpid));
    return "answer:" + key;
  };
  return in;
}

Result<IntakeOutcome> accept_now(Journal& journal, Intake intake) {
  std::promise<Result<IntakeOutcome>> promise;
  std::future<Result<IntakeOutcome>> future = promise.get_future();
  journal.accept(std::move(intake),
                 [&promise](Result<IntakeOutcome> r) { promise.set_value(std::move(r)); });
  return future.get();
}

// A raw connection to the journal's file, for counting and for tampering.
class RawDb {
 public:
  explicit RawDb(const fs::path& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  int64_t scalar(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    int64_t value = -1;
    if (sqlite3_step(st) == SQLITE_ROW) value = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return value;
  }
  void exec(const std::string& sql) {
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << sql << ": " << (error ? error : "");
    sqlite3_free(error);
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("portier-journal-test-" + random_uuid());
    fs::create_directories(dir_);
    path_ = dir_ / "journal.db";
  }
  void TearDown() override {
    journal_.reset();
    fs::remove_all(dir_);
  }

  SqliteJournal& open(SqliteJournal::Options options = {}) {
    journal_.reset();
    Result<std::unique_ptr<SqliteJournal>> j = SqliteJournal::open(path_.string(), clock_, options);
    EXPECT_TRUE(j.is_ok()) << j.status().to_string();
    journal_ = std::move(*j);
    return *journal_;
  }
  void close() { journal_.reset(); }

  int64_t count(const std::string& table) {
    return RawDb(path_).scalar("SELECT COUNT(*) FROM " + table);
  }
  void accept_ok(const Intake& intake) {
    Result<IntakeOutcome> r = accept_now(*journal_, intake);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_FALSE(r->duplicate);
  }
  std::vector<int64_t> claim_ids(const std::string& destination, int max = 10) {
    Result<std::vector<model::WorkItem>> items =
        journal_->claim(destination, max, clock_.now_ms(), kLease);
    EXPECT_TRUE(items.is_ok()) << items.status().to_string();
    std::vector<int64_t> ids;
    if (items.is_ok()) {
      for (const model::WorkItem& i : *items) ids.push_back(i.id);
    }
    return ids;
  }
  ItemState state_of(int64_t id) {
    Result<StoredItem> item = journal_->get(id);
    EXPECT_TRUE(item.is_ok()) << item.status().to_string();
    return item.is_ok() ? item->state : ItemState::kPending;
  }
  evidence::Verdict verify_chain() {
    Result<std::vector<evidence::Record>> chain = journal_->evidence(std::nullopt);
    Result<int64_t> high_water = journal_->evidence_high_water();
    EXPECT_TRUE(chain.is_ok() && high_water.is_ok());
    return evidence::verify(*chain, *high_water);
  }

  fs::path dir_;
  fs::path path_;
  ManualClock clock_;
  std::unique_ptr<SqliteJournal> journal_;
};

AttemptRecord delivered() {
  return {AttemptRecord::Verdict::kDelivered, 0, "", "req", "resp", "HTTP 201", ""};
}
AttemptRecord retry_at(int64_t ms) {
  return {AttemptRecord::Verdict::kRetry, ms, "HTTP 503", "req", "resp", "attempt failed", ""};
}
AttemptRecord park_it() { return {AttemptRecord::Verdict::kPark, 0, "HTTP 400", "req", "", "", ""}; }

TEST_F(SqliteJournalTest, AcceptCommitsIntakeWorkItemsAndEvidence) {
  SqliteJournal& j = open();
  Result<IntakeOutcome> r = accept_now(j, make_intake("k1", "bp-1", {"portal", "rc_adapter"}));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_FALSE(r->duplicate);
  EXPECT_EQ(r->answer, "answer:k1");
  EXPECT_EQ(count("intake"), 1);
  EXPECT_EQ(count("work_items"), 2);
  EXPECT_EQ(count("evidence"), 1);

  Result<StoredItem> first = j.get(1);
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(first->state, ItemState::kPending);
  EXPECT_EQ(first->kind, "statusUpdate");
  EXPECT_EQ(first->item.idempotencyKey, "k1/portal/1");
  EXPECT_EQ(first->item.destination, "portal");
  EXPECT_EQ(first->item.correlationId, "corr-k1");
  EXPECT_EQ(first->item.message.statusUpdate.businessCaseId, "bp-1");
  EXPECT_EQ(first->next_attempt_ms, clock_.now_ms());
  EXPECT_EQ(first->payload_sha256, sha256_hex(model::encode(status_update("bp-1"))));
  Result<StoredItem> second = j.get(2);
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(second->item.idempotencyKey, "k1/rc_adapter/2");

  Result<std::vector<evidence::Record>> ev = j.evidence(std::string("bp-1"));
  ASSERT_TRUE(ev.is_ok());
  ASSERT_EQ(ev->size(), 1u);
  EXPECT_EQ((*ev)[0].hop, "accepted");
  EXPECT_EQ((*ev)[0].operation, "reportStatus");
  EXPECT_EQ((*ev)[0].detail, "2");
  EXPECT_EQ((*ev)[0].request_sha256, sha256_hex("k1"));
  EXPECT_TRUE(j.health().is_ok());
}

TEST_F(SqliteJournalTest, DuplicateKeyReturnsFirstAnswerAndStoresNothing) {
  SqliteJournal& j = open();
  accept_ok(make_intake("k1", "bp-1"));
  bool built_again = false;
  Intake again = make_intake("k1", "bp-1", {"portal", "afs"});
  again.build = [&built_again](IntakeTransaction& txn) -> Result<std::string> {
    built_again = true;
    txn.enqueue("afs", status_update("bp-1"));
    return std::string("another answer");
  };
  Result<IntakeOutcome> r = accept_now(j, again);
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r->duplicate);
  EXPECT_EQ(r->answer, "answer:k1");
  EXPECT_FALSE(built_again);
  EXPECT_EQ(count("intake"), 1);
  EXPECT_EQ(count("work_items"), 1);
  EXPECT_EQ(count("evidence"), 1);
}

TEST_F(SqliteJournalTest, DuplicateKeyOfAnotherDepartmentIsRefused) {
  SqliteJournal& j = open();
  accept_ok(make_intake("k1", "bp-1"));
  Intake other = make_intake("k1", "bp-1");
  other.department = "bauamt";
  Result<IntakeOutcome> r = accept_now(j, other);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(SqliteJournalTest, BuildErrorStoresNothing) {
  SqliteJournal& j = open();
  Intake bad = make_intake("k1", "bp-1");
  bad.build = [](IntakeTransaction& txn) -> Result<std::string> {
    txn.enqueue("portal", status_update("bp-1"));
    txn.open_case({"bp-1", "case-1", "steueramt", 7, "owner", 0});
    return invalid_argument("serviceId 7 is not ours");
  };
  Result<IntakeOutcome> r = accept_now(j, bad);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "serviceId 7 is not ours");
  EXPECT_EQ(count("intake"), 0);
  EXPECT_EQ(count("work_items"), 0);
  EXPECT_EQ(count("business_cases"), 0);
  EXPECT_EQ(count("evidence"), 0);

  // A build that throws is an error too, and the key stays free for a good attempt.
  Intake throws = make_intake("k1", "bp-1");
  throws.build = [](IntakeTransaction&) -> Result<std::string> { throw std::runtime_error("x"); };
  EXPECT_EQ(accept_now(j, throws).status().code(), StatusCode::kInternal);
  accept_ok(make_intake("k1", "bp-1"));
  EXPECT_EQ(count("work_items"), 1);
  EXPECT_TRUE(verify_chain().intact);
}

TEST_F(SqliteJournalTest, OpenCaseIsVisibleInsideAndAfterTheTransaction) {
  SqliteJournal& j = open();
  Intake opening = make_intake("k1", "bp-1");
  bool seen_before = true;
  bool seen_inside = false;
  opening.build = [&](IntakeTransaction& txn) -> Result<std::string> {
    seen_before = txn.find_case("bp-1").has_value();
    txn.open_case({"bp-1", "case-1", "steueramt", 7, "owner-1", 0});
    seen_inside = txn.find_case("bp-1").has_value();
    txn.enqueue("portal", status_update("case-1"));
    return std::string("case-1");
  };
  accept_ok(opening);
  EXPECT_FALSE(seen_before);
  EXPECT_TRUE(seen_inside);
  Result<std::optional<BusinessCaseRecord>> c = j.find_case("bp-1");
  ASSERT_TRUE(c.is_ok() && c->has_value());
  EXPECT_EQ((*c)->business_case_id, "case-1");
  EXPECT_EQ((*c)->service_id, 7);
  EXPECT_EQ((*c)->opened_ms, clock_.now_ms());

  // Opening the same case twice fails the second intake as a whole.
  Intake twice = opening;
  twice.idempotency_key = "k2";
  Result<IntakeOutcome> r = accept_now(j, twice);
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(count("work_items"), 1);
  EXPECT_EQ(count("intake"), 1);
}

TEST_F(SqliteJournalTest, ClaimHandsOutDueItemsOfOneDestinationInIdOrder) {
  SqliteJournal& j = open();
  accept_ok(make_intake("k1", "bp-1", {"portal"}));
  accept_ok(make_intake("k2", "bp-2", {"rc_adapter"}));
  accept_ok(make_intake("k3", "bp-3", {"portal"}));
  accept_ok(make_intake("k4", "bp-4", {"portal"}));

  Result<std::vector<model::WorkItem>> items = j.claim("portal", 2, clock_.now_ms(), kLease);
  ASSERT_TRUE(items.is_ok());
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].id, 1);
  EXPECT_EQ((*items)[1].id, 3);
  EXPECT_EQ((*items)[0].attempts, 1);
  EXPECT_EQ((*items)[0].businessProcessId, "bp-1");
  EXPECT_EQ((*items)[0].department, "steueramt");
  EXPECT_EQ((*items)[0].correlationId, "corr-k1");
  EXPECT_EQ((*items)[0].message.statusUpdate.businessCaseId, "bp-1");
  EXPECT_EQ(state_of(1), ItemState::kInFlight);

  EXPECT_EQ(claim_ids("portal"), std::vector<int64_t>{4});
  EXPECT_TRUE(claim_ids("portal").empty());
  EXPECT_EQ(claim_ids("rc_adapter"), std::vector<int64_t>{2});
  EXPECT_EQ(j.claim("portal", 0, clock_.now_ms(), kLease).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SqliteJournalTest, LaterItemOfACaseWaitsWhileAnEarlierOneIsOpen) {
  SqliteJournal& j = open();
  accept_ok(make_intake("k1", "bp-1", {"portal"}));
  accept_ok(make_intake("k2", "bp-1", {"portal"}));
  accept_ok(make_intake("k3", "bp-2", {"portal"}));

  EXPECT_EQ(claim_ids("portal"), (std::vector<int64_t>{1, 3}));
  EXPECT_TRUE(claim_ids("portal").empty()) << "item 2 must wait while item 1 is in flight";
  // Item 2 is pending and past due, but held up: the next due time is item 1's lease expiry.
  EXPECT_EQ(*j.next_due_ms("portal"), std::optional<int64_t>(clock_.now_ms() + kLease));
  ASSERT_TRUE(j.settle(1, delivered()).is_ok());
  EXPECT_EQ(claim_ids("portal"), std::vector<int64_t>{2});

  // The order holds across destinations: a pending item elsewhere holds the case up too.
  accept_ok(make_intake("k4", "bp-3", {"rc_adapter"}));
  accept_ok(make_intake("k5", "bp-3", {"portal"}));
  EXPECT_TRUE(claim_ids("portal").empty());
  EXPECT_EQ(claim_ids("rc_adapter"), std::vector<int64_t>{4});
  ASSERT_TRUE(j.settle(4, retry_at(clock_.now_ms() + 60'000)).is_ok());
  EXPECT_TRUE(claim_ids("portal").empty()) << "a pending retry still holds its case";
}

TEST_F(SqliteJournalTest, ParkedItemDoesNotHoldItsCaseUp) {
  SqliteJournal& j = open();
  accept_ok(make_intake("k1", "bp-1"));
  accept_ok(make_intake("k2", "bp-1"));
  EXPECT_EQ(claim_ids("portal"), std::vector<int64_t>{1});
  ASSERT_TRUE(j.settle(1, park_it()).is_ok());
  EXPECT_EQ(state_of(1), ItemState::kParked);
  EXPECT_EQ(claim_ids("portal"), std::vector<int64_t>{2});
}

TEST_F(SqliteJournalTest, RetryIsDueOnlyAtItsNextAttempt) {
  SqliteJournal& j = open();
  accept_ok(make_intake("k1", "bp-1"));
  EXPECT_EQ(claim_ids("portal"), std::vector<int64_t>{1});
  const int64_t later = clock_.now_ms() + 5'000;
  ASSERT_TRUE(j.settle(1, retry_at(later)).is_ok());

  Result<StoredItem> item = j.get(1);
  ASSERT_TRUE(item.is_ok());
  EXPECT_EQ(item->state, ItemState::kPending);
  EXPECT_EQ(item->last_error, "HTTP 503");
  EXPECT_EQ(item->next_attempt_ms, later);
  Result<std::optional<int64_t>> due = j.next_due_ms("portal");
  ASSERT_TRUE(due.is_ok());
  EXPECT_EQ(*due, std::optional<int64_t>(later));

  clock_.set(later - 1);
  EXPECT_TRUE(claim_ids("portal").empty());
  clock_.set(later);
  Result<std::vector<model::WorkItem>> again = j.claim("portal", 5, clock_.now_ms(), kLease);
  ASSERT_TRUE(again.is_ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].attempts, 2);
  ASSERT_TRUE(j.settle(1, delivered()).is_ok());
  EXPECT_EQ(state_of(1), ItemState::kDone);
  EXPECT_EQ(j.next_due_ms("portal")->has_value(), false);
}

TEST_F(SqliteJournalTest, ExpiredLeaseMakesAnInflightItemClaimableAgain) {
  SqliteJournal& j = open();
  accept_ok(make_intake("k1", "bp-1"));
  const int64_t start = clock_.now_ms();
  ASSERT_EQ(j.claim("portal", 1, start, 1'000)->size(), 1u);
  EXPECT_EQ(*j.next_due_ms("portal"), std::optional<int64_t>(start + 1'000));
  EXPECT_TRUE(j.claim("portal", 1, start + 999, 1'000)->empty());
  Result<std::vector<model::WorkItem>> again = j.claim("portal", 1, start + 1'000, 1'000);
  ASSERT_TRUE(again.is_ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].attempts, 2);
}

TEST_F(SqliteJournalTest, InflightItemsArePendingAgainAfterReopen) {
  open();
  accept_ok(make_intake("k1", "bp-1"));
  accept_ok(make_intake("k2", "bp-2"));
  EXPECT_EQ(claim_ids("portal"), (std::vector<int64_t>{1, 2}));
  close();
  clock_.advance(Millis(10));
  SqliteJournal& j = open();
  EXPECT_EQ(state_of(1), ItemState::kPending);
  EXPECT_EQ(state_of(2), ItemState::kPending);
  Result<std::vector<model::WorkItem>> items = j.claim("portal", 5, clock_.now_ms(), kLease);
  ASSERT_TRUE(items.is_ok());
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].attempts, 2);
}

TEST_F(SqliteJournalTest, TamperedPayloadIsParkedAsDamagedAndNeverHandedOut) {
  SqliteJournal& j = open();
  accept_ok(make_intake("k1", "bp-1"));
  accept_ok(make_intake("k2", "bp-1"));
  accept_ok(make_intake("k3", "bp-2"));
  RawDb(path_).exec("UPDATE work_items SET payload = X'1800' WHERE id = 1");

  Result<StoredItem> seen = j.get(1);
  ASSERT_TRUE(seen.is_ok());
  EXPECT_EQ(seen->last_error, "payload damaged: SHA-256 mismatch");
  EXPECT_EQ(model::kind_of(seen->item.message), "");

  // Item 1 is parked, which frees item 2 of the same case in the same claim.
  EXPECT_EQ(claim_ids("portal"), (std::vector<int64_t>{3, 2}));
  Result<StoredItem> parked = j.get(1);
  ASSERT_TRUE(parked.is_ok());
  EXPECT_EQ(parked->state, ItemState::kParked);
  EXPECT_EQ(parked->last_error, "payload damaged: SHA-256 mismatch");
  EXPECT_EQ(parked->item.attempts, 0);

  Result<std::vector<evidence::Record>> ev = j.evidence(std::string("bp-1"));
  ASSERT_TRUE(ev.is_ok());
  ASSERT_EQ(ev->size(), 3u);
  EXPECT_EQ(ev->back().hop, "parked");
  EXPECT_EQ(ev->back().work_item_id, 1);
  EXPECT_EQ(ev->back().detail, "payload damaged: SHA-256 mismatch");
  EXPECT_TRUE(verify_chain().intact);

  // The department learns that item 1 will not be delivered.
  Result<std::vector<DepartmentEvent>> events = j.events("steueramt", 0, 10);
  ASSERT_TRUE(events.is_ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].kind, "deliveryFailed");
  EXPECT_EQ((*events)[0].business_process_id, "bp-1");
  EXPECT_NE((*events)[0].detail.find("payload damaged"), std::string::npos);
}

TEST_F(SqliteJournalTest, OnlyAnInflightItemCanBeSettled) {
  SqliteJournal& j = open();
  accept_ok(make_intake("k1", "bp-1"));
  EXPECT_EQ(j.settle(1, delivered()).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(j.settle(99, delivered()).code(), StatusCode::kNotFound);
  EXPECT_EQ(claim_ids("portal"), std::vector<int64_t>{1});
  EXPECT_TRUE(j.settle(1, delivered()).is_ok());
  EXPECT_EQ(j.settle(1, delivered()).code(), StatusCode::kFailedPrecondition);
}

TEST_F(SqliteJournalTest, ReplayAndParkFollowTheLifecycle) {
  SqliteJournal& j = open();
  accept_ok(make_intake("k1", "bp-1"));
  accept_ok(make_intake("k2", "bp-2"));

  // pending -> parked by an operator; parking twice is refused.
  ASSERT_TRUE(j.park(1, "wrong recipient").is_ok());
  Result<StoredItem> parked = j.get(1);
  EXPECT_EQ(parked->state, ItemState::kParked);
  EXPECT_EQ(parked->last_error, "wrong recipient");
  EXPECT_EQ(j.park(1, "again").code(), StatusCode::kFailedPrecondition);

  // parked -> pending, due now, attempts reset.
  EXPECT_EQ(claim_ids("portal"), std::vector<int64_t>{2});
  ASSERT_TRUE(j.settle(2, retry_at(clock_.now_ms() + 1'000)).is_ok());
  clock_.advance(Millis(500));
  ASSERT_TRUE(j.replay(1).is_ok());
  ASSERT_TRUE(j.replay(2).is_ok()) << "a pending item may be replayed to make it due now";
  Result<StoredItem> replayed = j.get(2);
  EXPECT_EQ(replayed->state, ItemState::kPending);
  EXPECT_EQ(replayed->item.attempts, 0);
  EXPECT_EQ(replayed->next_attempt_ms, clock_.now_ms());
  EXPECT_EQ(claim_ids("portal"), (std::vector<int64_t>{1, 2}));

  // inflight: cannot be replayed, can be parked; its worker's settle then fails.
  EXPECT_EQ(j.replay(1).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(j.park(2, "").is_ok());
  EXPECT_EQ(j.get(2)->last_error, "parked by an operator");
  EXPECT_EQ(j.settle(2, delivered()).code(), StatusCode::kFailedPrecondition);

  // done is final.
  ASSERT_TRUE(j.settle(1, delivered()).is_ok());
  EXPECT_EQ(j.replay(1).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(j.park(1, "late").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(j.replay(42).code(), StatusCode::kNotFound);
  EXPECT_EQ(j.park(42, "x").code(), StatusCode::kNotFound);

  Result<std::vector<evidence::Record>> ev = j.evidence(std::string("bp-1"));
  std::vector<std::string> hops;
  for (const evidence::Record& r : *ev) hops.push_back(r.hop);
  EXPECT_EQ(hops, (std::vector<std::string>{"accepted", "parked", "replayed", "delivered"}));
  EXPECT_TRUE(verify_chain().intact);
}

TEST_F(SqliteJournalTest, DepthCountsEveryStatePerDestination) {
  SqliteJournal& j = open();
  for (int i = 1; i <= 4; ++i) {
    accept_ok(make_intake("k" + std::to_string(i), "bp-" + std::to_string(i), {"portal"}));
  }
  accept_ok(make_intake("k5", "bp-5", {"afs"}));
  ASSERT_EQ(claim_ids("portal", 3).size(), 3u);
  ASSERT_TRUE(j.settle(1, delivered()).is_ok());
  ASSERT_TRUE(j.settle(2, park_it()).is_ok());

  Result<std::vector<DepthRow>> rows = j.depth();
  ASSERT_TRUE(rows.is_ok());
  ASSERT_EQ(rows->size(), 8u);
  auto find = [&](const std::string& d, ItemState s) {
    for (const DepthRow& r : *rows) {
      if (r.destination == d && r.state == s) return r.count;
    }
    return int64_t{-1};
  };
  EXPECT_EQ(find("portal", ItemState::kPending), 1);
  EXPECT_EQ(find("portal", ItemState::kInFlight), 1);
  EXPECT_EQ(find("portal", ItemState::kDone), 1);
  EXPECT_EQ(find("portal", ItemState::kParked), 1);
  EXPECT_EQ(find("afs", ItemState::kPending), 1);
  EXPECT_EQ(find("afs", ItemState::kDone), 0);
}

TEST_F(SqliteJournalTest, ListIsNewestFirstAndFiltered) {
  SqliteJournal& j = open();
  accept_ok(make_intake("k1", "bp-1", {"portal", "afs"}));
  accept_ok(make_intake("k2", "bp-2", {"portal"}));
  ASSERT_TRUE(j.park(2, "operator").is_ok());

  Result<std::vector<StoredItem>> all = j.list({});
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].item.id, 3);
  EXPECT_EQ((*all)[2].item.id, 1);

  ItemFilter parked;
  parked.state = ItemState::kParked;
  ASSERT_EQ(j.list(parked)->size(), 1u);
  EXPECT_EQ(j.list(parked)->front().item.id, 2);
  ItemFilter by_case;
  by_case.business_process_id = "bp-1";
  by_case.destination = "portal";
  ASSERT_EQ(j.list(by_case)->size(), 1u);
  EXPECT_EQ(j.list(by_case)->front().item.id, 1);
  ItemFilter limited;
  limited.limit = 2;
  EXPECT_EQ(j.list(limited)->size(), 2u);
}

TEST_F(SqliteJournalTest, ConcurrentAcceptsShareCommits) {
  SqliteJournal& j = open();  // group_commit_max 64
  // A first intake holds the writer thread inside its build until every other accept has been
  // queued, so the batching below is deterministic.
  std::promise<void> building, release;
  std::shared_future<void> released = release.get_future().share();
  Intake gate = make_intake("gate", "bp-gate");
  gate.build = [&building, released](IntakeTransaction&) -> Result<std::string> {
    building.set_value();
    released.wait();
    return std::string("gate");
  };
  std::promise<Result<IntakeOutcome>> gate_done;
  j.accept(std::move(gate),
           [&gate_done](Result<IntakeOutcome> r) { gate_done.set_value(std::move(r)); });
  building.get_future().wait();

  constexpr int kThreads = 8;
  constexpr int kPerThread = 250;
  std::mutex mutex;
  std::condition_variable cv;
  int answered = 0;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
        j.accept(make_intake(key, "bp-" + key), [&](Result<IntakeOutcome> r) {
          if (!r.is_ok() || r->duplicate) ++failures;
          std::lock_guard lock(mutex);
          ++answered;
          cv.notify_all();
        });
      }
    });
  }
  for (std::thread& t : threads) t.join();
  release.set_value();
  ASSERT_TRUE(gate_done.get_future().get().is_ok());
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(120),
                            [&] { return answered == kThreads * kPerThread; }));
  }
  constexpr int kTotal = kThreads * kPerThread + 1;
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(count("intake"), kTotal);
  EXPECT_EQ(count("work_items"), kTotal - 1);
  EXPECT_EQ(count("evidence"), kTotal);
  SqliteJournal::Stats stats = j.stats();
  EXPECT_EQ(stats.operations, kTotal);
  // The gate alone, then 2000 queued accepts in full groups of 64 (the last one partly full).
  EXPECT_EQ(stats.commits, 1 + (kTotal - 1 + 63) / 64);
  EXPECT_TRUE(verify_chain().intact);
}

TEST_F(SqliteJournalTest, OneFailingOperationInABatchRollsBackOnlyItself) {
  SqliteJournal::Options options;
  options.group_commit_max = 64;
  SqliteJournal& j = open(options);
  // Enqueued back to back, these land in one or a few batches; the failing ones must leave no
  // trace, not even in the evidence chain's in-memory tail.
  std::vector<std::future<Result<IntakeOutcome>>> results;
  std::vector<std::shared_ptr<std::promise<Result<IntakeOutcome>>>> promises;
  for (int i = 0; i < 40; ++i) {
    Intake in = make_intake("k" + std::to_string(i), "bp-" + std::to_string(i % 3));
    if (i % 4 == 1) {
      in.build = [](IntakeTransaction& txn) -> Result<std::string> {
        txn.enqueue("portal", status_update("x"));
        return failed_precondition("refused");
      };
    }
    auto p = std::make_shared<std::promise<Result<IntakeOutcome>>>();
    results.push_back(p->get_future());
    j.accept(std::move(in), [p](Result<IntakeOutcome> r) { p->set_value(std::move(r)); });
  }
  int ok = 0;
  for (auto& f : results) ok += f.get().is_ok() ? 1 : 0;
  EXPECT_EQ(ok, 30);
  EXPECT_EQ(count("intake"), 30);
  EXPECT_EQ(count("work_items"), 30);
  EXPECT_TRUE(verify_chain().intact);
  EXPECT_EQ(*j.evidence_high_water(), 30);
}

TEST_F(SqliteJournalTest, BlockingWriteFromTheWriterThreadIsRefused) {
  SqliteJournal& j = open();
  Intake in = make_intake("k1", "bp-1");
  std::promise<StatusCode> code;
  in.build = [&](IntakeTransaction&) -> Result<std::string> {
    code.set_value(j.replay(1).code());
    return std::string("ok");
  };
  accept_ok(in);
  EXPECT_EQ(code.get_future().get(), StatusCode::kInternal);
}

TEST_F(SqliteJournalTest, ReopeningKeepsDataAndTheChainGoesOn) {
  open();
  accept_ok(make_intake("k1", "bp-1"));
  close();
  SqliteJournal& j = open();
  EXPECT_EQ(count("intake"), 1);
  EXPECT_EQ(RawDb(path_).scalar("SELECT MAX(version) FROM schema_migrations"),
            sqlite::latest_schema_version());
  EXPECT_EQ(RawDb(path_).scalar("SELECT COUNT(*) FROM schema_migrations"),
            static_cast<int64_t>(sqlite::migrations().size()));
  Result<IntakeOutcome> dup = accept_now(j, make_intake("k1", "bp-1"));
  ASSERT_TRUE(dup.is_ok());
  EXPECT_TRUE(dup->duplicate);
  accept_ok(make_intake("k2", "bp-1"));
  evidence::Verdict v = verify_chain();
  EXPECT_TRUE(v.intact);
  EXPECT_EQ(v.records, 2);
}

TEST_F(SqliteJournalTest, NewerSchemaIsRefused) {
  open();
  close();
  RawDb(path_).exec("INSERT INTO schema_migrations (version, applied_ms) VALUES (999, 0)");
  Result<std::unique_ptr<SqliteJournal>> j = SqliteJournal::open(path_.string(), clock_);
  ASSERT_FALSE(j.is_ok());
  EXPECT_EQ(j.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(j.status().message().find("newer"), std::string::npos) << j.status().message();
}

TEST_F(SqliteJournalTest, JournalModeIsWal) {
  open();
  close();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST_F(SqliteJournalTest, DamagedFileIsRefused) {
  {
    std::ofstream junk(path_, std::ios::binary);
    for (int i = 0; i < 4096; ++i) junk << "not a database ";
  }
  Result<std::unique_ptr<SqliteJournal>> j = SqliteJournal::open(path_.string(), clock_);
  ASSERT_FALSE(j.is_ok());
  EXPECT_NE(j.status().message().find("cannot open journal"), std::string::npos);
}

TEST_F(SqliteJournalTest, DamagedPageIsFoundByQuickCheck) {
  open();
  for (int i = 0; i < 200; ++i) {
    accept_ok(make_intake("k" + std::to_string(i), "bp-" + std::to_string(i)));
  }
  close();  // the last connection checkpoints, so everything is in the main file
  const uintmax_t size = fs::file_size(path_);
  ASSERT_GT(size, 8 * 4096u);
  {
    // Overwrite the middle of the file, where work_items and evidence pages live.
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2 / 4096 * 4096));
    std::string garbage(3 * 4096, '\xA5');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  Result<std::unique_ptr<SqliteJournal>> j = SqliteJournal::open(path_.string(), clock_);
  ASSERT_FALSE(j.is_ok());
  EXPECT_EQ(j.status().code(), StatusCode::kDataLoss) << j.status().to_string();
}

TEST_F(SqliteJournalTest, FailedFsyncStopsTheJournalForGood) {
  SqliteJournal::Options options;
  options.vfs_name = testing::register_faulty_vfs();
  SqliteJournal& j = open(options);
  accept_ok(make_intake("k1", "bp-1"));
  accept_ok(make_intake("k2", "bp-2"));
  ASSERT_TRUE(j.health().is_ok());

  const long syncs_before = testing::sync_calls();
  testing::fail_syncs(true);
  Result<IntakeOutcome> failed = accept_now(j, make_intake("k3", "bp-3"));
  testing::fail_syncs(false);
  EXPECT_GT(testing::sync_calls(), syncs_before);
  ASSERT_FALSE(failed.is_ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);

  // Sticky: the disk "works" again, but nothing is written until a restart.
  Status health = j.health();
  EXPECT_EQ(health.code(), StatusCode::kUnavailable);
  EXPECT_EQ(health.message().rfind("journal stopped: ", 0), 0u) << health.message();
  Result<IntakeOutcome> later = accept_now(j, make_intake("k4", "bp-4"));
  EXPECT_EQ(later.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(later.status().message(), health.message());
  EXPECT_EQ(j.claim("portal", 5, clock_.now_ms(), kLease).status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(j.park(1, "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(j.get(1)->state, ItemState::kPending) << "reads still work for operators";
  close();

  // What was acknowledged before the fault is there after a restart on the normal VFS.
  SqliteJournal& reopened = open();
  EXPECT_TRUE(reopened.health().is_ok());
  RawDb raw(path_);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM intake WHERE idempotency_key IN ('k1', 'k2')"), 2);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM intake WHERE idempotency_key = 'k4'"), 0);
  EXPECT_EQ(claim_ids("portal").size(), static_cast<size_t>(count("work_items")));
  EXPECT_TRUE(verify_chain().intact);
}

// --- the evidence chain as the journal records it ---------------------------------------------

class EvidenceTamperTest : public SqliteJournalTest {
 protected:
  // Five records: accepted x2, delivered, retry, parked.
  void record_history() {
    SqliteJournal& j = open();
    accept_ok(make_intake("k1", "bp-1"));
    accept_ok(make_intake("k2", "bp-2"));
    ASSERT_EQ(claim_ids("portal"), (std::vector<int64_t>{1, 2}));
    ASSERT_TRUE(j.settle(1, delivered()).is_ok());
    ASSERT_TRUE(j.settle(2, retry_at(clock_.now_ms())).is_ok());
    ASSERT_EQ(claim_ids("portal"), std::vector<int64_t>{2});
    ASSERT_TRUE(j.settle(2, park_it()).is_ok());
    evidence::Verdict v = verify_chain();
    ASSERT_TRUE(v.intact);
    ASSERT_EQ(v.records, 5);
  }
};

TEST_F(EvidenceTamperTest, RecordedChainVerifiesAndCarriesTheDigests) {
  record_history();
  Result<std::vector<evidence::Record>> ev = journal_->evidence(std::string("bp-1"));
  ASSERT_TRUE(ev.is_ok());
  ASSERT_EQ(ev->size(), 2u);
  const evidence::Record& d = (*ev)[1];
  EXPECT_EQ(d.hop, "delivered");
  EXPECT_EQ(d.destination, "portal");
  EXPECT_EQ(d.work_item_id, 1);
  EXPECT_EQ(d.operation, "statusUpdate");
  EXPECT_EQ(d.request_sha256, "req");
  EXPECT_EQ(d.response_sha256, "resp");
  EXPECT_EQ(d.detail, "HTTP 201");
  EXPECT_EQ(d.hash, evidence::chain_hash(d));
  EXPECT_EQ(*journal_->evidence_high_water(), 5);
}

TEST_F(EvidenceTamperTest, ChangedDetailIsReported) {
  record_history();
  RawDb(path_).exec("UPDATE evidence SET detail = 'HTTP 200' WHERE seq = 3");
  evidence::Verdict v = verify_chain();
  EXPECT_FALSE(v.intact);
  ASSERT_FALSE(v.problems.empty());
  EXPECT_EQ(v.problems[0], "seq 3: hash does not match its content");
}

TEST_F(EvidenceTamperTest, DeletedMiddleRecordIsReported) {
  record_history();
  RawDb(path_).exec("DELETE FROM evidence WHERE seq = 3");
  evidence::Verdict v = verify_chain();
  EXPECT_FALSE(v.intact);
  ASSERT_FALSE(v.problems.empty());
  // chain.cpp names a single missing record as a range of one.
  EXPECT_EQ(v.problems[0], "seq 3-3: record missing");
}

TEST_F(EvidenceTamperTest, DeletedLastRecordIsReported) {
  record_history();
  RawDb(path_).exec("DELETE FROM evidence WHERE seq = 5");
  evidence::Verdict v = verify_chain();
  EXPECT_FALSE(v.intact);
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0], "seq 5-5: records at the end missing");

  // A restart does not hand seq 5 out again, so the gap stays visible.
  close();
  open();
  accept_ok(make_intake("k9", "bp-9"));
  EXPECT_EQ(journal_->evidence(std::string("bp-9"))->front().seq, 6);
  EXPECT_FALSE(verify_chain().intact);
}

// --- WS-Security nonces, the audit log and department events ----------------------------------

constexpr int64_t kNonceWindow = 600'000;

Intake with_nonce(Intake intake, const std::string& value, int64_t expires_ms) {
  intake.nonce = Nonce{value, expires_ms};
  return intake;
}

Intake for_department(Intake intake, const std::string& department) {
  intake.department = department;
  return intake;
}

class JournalRecordsTest : public SqliteJournalTest {
 protected:
  Nonce nonce(const std::string& value) { return {value, clock_.now_ms() + kNonceWindow}; }
  bool remember(Journal& j, const std::string& department, const Nonce& n) {
    Result<bool> fresh = j.remember_nonce(department, n);
    EXPECT_TRUE(fresh.is_ok()) << fresh.status().to_string();
    return fresh.is_ok() && *fresh;
  }
  std::vector<DepartmentEvent> open_events(const std::string& department, int64_t after = 0,
                                           int limit = 100) {
    Result<std::vector<DepartmentEvent>> events = journal_->events(department, after, limit);
    EXPECT_TRUE(events.is_ok()) << events.status().to_string();
    return events.is_ok() ? *events : std::vector<DepartmentEvent>{};
  }
  std::vector<int64_t> seqs_of(const std::vector<DepartmentEvent>& events) {
    std::vector<int64_t> seqs;
    for (const DepartmentEvent& e : events) seqs.push_back(e.seq);
    return seqs;
  }
  int64_t add(const std::string& department, const std::string& kind) {
    DepartmentEvent e;
    e.department = department;
    e.kind = kind;
    e.business_process_id = "bp-" + department;
    EXPECT_TRUE(journal_->add_event(e).is_ok());
    return RawDb(path_).scalar("SELECT MAX(seq) FROM department_events");
  }
};

TEST_F(JournalRecordsTest, ReplayedNonceFailsTheIntakeAndStoresNothing) {
  SqliteJournal& j = open();
  const int64_t expires = clock_.now_ms() + kNonceWindow;
  accept_ok(with_nonce(make_intake("k1", "bp-1"), "n1", expires));

  bool built = false;
  Intake replay = with_nonce(make_intake("k2", "bp-2"), "n1", expires);
  replay.build = [&built](IntakeTransaction& txn) -> Result<std::string> {
    built = true;
    txn.enqueue("portal", status_update("bp-2"));
    return std::string("answer:k2");
  };
  Result<IntakeOutcome> r = accept_now(j, replay);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(r.status().message(), "WS-Security nonce was used before (replay)");
  EXPECT_FALSE(built);
  // The nonce is checked before the key: a replay of the very same request is refused too.
  EXPECT_EQ(accept_now(j, with_nonce(make_intake("k1", "bp-1"), "n1", expires)).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(count("intake"), 1);
  EXPECT_EQ(count("work_items"), 1);
  EXPECT_EQ(count("evidence"), 1);
  EXPECT_EQ(count("nonces"), 1);
  EXPECT_EQ(RawDb(path_).scalar("SELECT expires_ms FROM nonces"), expires);
  EXPECT_TRUE(verify_chain().intact);
}

TEST_F(JournalRecordsTest, FailedIntakeLeavesItsNonceUnused) {
  SqliteJournal& j = open();
  Intake broken = with_nonce(make_intake("k1", "bp-1"), "n1", clock_.now_ms() + kNonceWindow);
  broken.build = [](IntakeTransaction&) -> Result<std::string> {
    return invalid_argument("no mapping");
  };
  EXPECT_EQ(accept_now(j, broken).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(count("nonces"), 0);
  accept_ok(with_nonce(make_intake("k1", "bp-1"), "n1", clock_.now_ms() + kNonceWindow));
  EXPECT_EQ(count("nonces"), 1);
}

TEST_F(JournalRecordsTest, DuplicateKeyWithAFreshNonceIsStillADuplicate) {
  SqliteJournal& j = open();
  accept_ok(with_nonce(make_intake("k1", "bp-1"), "n1", clock_.now_ms() + kNonceWindow));
  Result<IntakeOutcome> again =
      accept_now(j, with_nonce(make_intake("k1", "bp-1"), "n2", clock_.now_ms() + kNonceWindow));
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->answer, "answer:k1");
  EXPECT_EQ(count("nonces"), 2);
}

TEST_F(JournalRecordsTest, SameNonceOfAnotherDepartmentIsFine) {
  SqliteJournal& j = open();
  const int64_t expires = clock_.now_ms() + kNonceWindow;
  accept_ok(with_nonce(make_intake("steueramt/1", "bp-1"), "n1", expires));
  accept_ok(with_nonce(for_department(make_intake("bauamt/1", "bp-2"), "bauamt"), "n1", expires));
  EXPECT_FALSE(remember(j, "bauamt", nonce("n1")));
  EXPECT_FALSE(remember(j, "steueramt", nonce("n1")));
  EXPECT_TRUE(remember(j, "gesundheitsamt", nonce("n1")));
  EXPECT_EQ(count("nonces"), 3);
}

TEST_F(JournalRecordsTest, ExpiredNonceMayBeUsedAgain) {
  SqliteJournal& j = open();
  const int64_t expires = clock_.now_ms() + 1000;
  EXPECT_TRUE(remember(j, "steueramt", {"n1", expires}));
  EXPECT_FALSE(remember(j, "steueramt", {"n1", expires}));
  clock_.set(expires);
  EXPECT_FALSE(remember(j, "steueramt", {"n1", expires + 1000})) << "alive until expires_ms";
  clock_.set(expires + 1);
  EXPECT_TRUE(remember(j, "steueramt", {"n1", expires + kNonceWindow}));
  EXPECT_EQ(RawDb(path_).scalar("SELECT expires_ms FROM nonces"), expires + kNonceWindow);
  EXPECT_FALSE(remember(j, "steueramt", {"n1", expires + kNonceWindow}));

  // Through an intake as well.
  clock_.set(expires + kNonceWindow + 1);
  accept_ok(with_nonce(make_intake("k1", "bp-1"), "n1", clock_.now_ms() + kNonceWindow));
  EXPECT_EQ(j.remember_nonce("steueramt", {"", expires}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(JournalRecordsTest, ExpiredNoncesArePurged) {
  SqliteJournal& j = open();
  EXPECT_TRUE(remember(j, "steueramt", {"old", clock_.now_ms() + 1000}));
  EXPECT_TRUE(remember(j, "steueramt", {"live", clock_.now_ms() + 10 * kNonceWindow}));
  EXPECT_EQ(count("nonces"), 2);
  clock_.advance(Millis(2 * kNonceWindow));
  // The purge runs at the start of a batch, once a minute has passed since the last one.
  accept_ok(with_nonce(make_intake("k1", "bp-1"), "new", clock_.now_ms() + kNonceWindow));
  RawDb raw(path_);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM nonces WHERE value = 'old'"), 0);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM nonces"), 2);
}

TEST_F(JournalRecordsTest, NoncesHoldAcrossInstancesAndReopen) {
  SqliteJournal& first = open();
  accept_ok(with_nonce(make_intake("k1", "bp-1"), "n1", clock_.now_ms() + kNonceWindow));

  SqliteJournal::Options options;
  options.recover_in_flight = false;
  Result<std::unique_ptr<SqliteJournal>> second =
      SqliteJournal::open(path_.string(), clock_, options);
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  Result<IntakeOutcome> replay = accept_now(
      **second, with_nonce(make_intake("k2", "bp-2"), "n1", clock_.now_ms() + kNonceWindow));
  EXPECT_EQ(replay.status().code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(remember(**second, "steueramt", nonce("n1")));
  EXPECT_TRUE(remember(**second, "steueramt", nonce("n2")));
  EXPECT_FALSE(remember(first, "steueramt", nonce("n2")));
  second->reset();
  close();

  SqliteJournal& reopened = open();
  EXPECT_FALSE(remember(reopened, "steueramt", nonce("n1")));
  EXPECT_FALSE(remember(reopened, "steueramt", nonce("n2")));
  EXPECT_EQ(count("intake"), 1);
}

TEST_F(JournalRecordsTest, AuditLogIsNewestFirst) {
  SqliteJournal& j = open();
  AuditEntry first;
  first.department = "steueramt";
  first.remote_address = "192.0.2.7:50112";
  first.operation = "reportStatus";
  first.business_process_id = "bp-9";
  first.reason = "business case belongs to another department";
  first.correlation_id = "corr-1";
  ASSERT_TRUE(j.audit(first).is_ok());
  clock_.advance(Millis(5));
  AuditEntry second;
  second.at_ms = 42;
  second.remote_address = "198.51.100.1:443";
  second.reason = "unknown client certificate";
  ASSERT_TRUE(j.audit(second).is_ok());

  Result<std::vector<AuditEntry>> log = j.audit_log(10);
  ASSERT_TRUE(log.is_ok()) << log.status().to_string();
  ASSERT_EQ(log->size(), 2u);
  const AuditEntry& newest = (*log)[0];
  EXPECT_EQ(newest.seq, 2);
  EXPECT_EQ(newest.at_ms, 42);
  EXPECT_EQ(newest.department, "");
  EXPECT_EQ(newest.reason, "unknown client certificate");
  const AuditEntry& oldest = (*log)[1];
  EXPECT_EQ(oldest.seq, 1);
  EXPECT_EQ(oldest.at_ms, clock_.now_ms() - 5);
  EXPECT_EQ(oldest.department, first.department);
  EXPECT_EQ(oldest.remote_address, first.remote_address);
  EXPECT_EQ(oldest.operation, first.operation);
  EXPECT_EQ(oldest.business_process_id, first.business_process_id);
  EXPECT_EQ(oldest.reason, first.reason);
  EXPECT_EQ(oldest.correlation_id, first.correlation_id);
  EXPECT_EQ(j.audit_log(1)->size(), 1u);
}

TEST_F(JournalRecordsTest, ParkingAddsOneDeliveryFailedEventForTheItemsDepartment) {
  SqliteJournal& j = open();
  accept_ok(make_intake("steueramt/1", "bp-1"));
  accept_ok(for_department(make_intake("bauamt/1", "bp-2"), "bauamt"));
  ASSERT_EQ(claim_ids("portal"), (std::vector<int64_t>{1, 2}));

  // A retry tells nobody; parking by settle does.
  ASSERT_TRUE(j.settle(1, retry_at(clock_.now_ms())).is_ok());
  EXPECT_TRUE(open_events("steueramt").empty());
  ASSERT_EQ(claim_ids("portal"), std::vector<int64_t>{1});
  ASSERT_TRUE(j.settle(1, park_it()).is_ok());
  std::vector<DepartmentEvent> steueramt = open_events("steueramt");
  ASSERT_EQ(steueramt.size(), 1u);
  EXPECT_EQ(steueramt[0].department, "steueramt");
  EXPECT_EQ(steueramt[0].kind, "deliveryFailed");
  EXPECT_EQ(steueramt[0].business_process_id, "bp-1");
  EXPECT_EQ(steueramt[0].at_ms, clock_.now_ms());
  boost::json::object detail = boost::json::parse(steueramt[0].detail).as_object();
  EXPECT_EQ(detail.at("workItemId").as_int64(), 1);
  EXPECT_EQ(detail.at("destination").as_string(), "portal");
  EXPECT_EQ(detail.at("kind").as_string(), "statusUpdate");
  EXPECT_EQ(detail.at("error").as_string(), "HTTP 400");
  EXPECT_TRUE(open_events("bauamt").empty());

  // Parking by an operator; a refused park (item already parked) adds nothing.
  ASSERT_TRUE(j.park(2, "counterpart gone").is_ok());
  EXPECT_EQ(j.park(2, "again").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(j.settle(1, park_it()).code(), StatusCode::kFailedPrecondition);
  std::vector<DepartmentEvent> bauamt = open_events("bauamt");
  ASSERT_EQ(bauamt.size(), 1u);
  EXPECT_EQ(bauamt[0].kind, "deliveryFailed");
  EXPECT_EQ(bauamt[0].business_process_id, "bp-2");
  detail = boost::json::parse(bauamt[0].detail).as_object();
  EXPECT_EQ(detail.at("workItemId").as_int64(), 2);
  EXPECT_EQ(detail.at("error").as_string(), "counterpart gone");
  EXPECT_EQ(open_events("steueramt").size(), 1u);
  EXPECT_EQ(count("department_events"), 2);
}

TEST_F(JournalRecordsTest, EventsArePagedOldestFirstAfterASeq) {
  SqliteJournal& j = open();
  std::vector<int64_t> mine;
  for (int i = 0; i < 5; ++i) {
    mine.push_back(add("steueramt", "messageRead"));
    add("bauamt", "messageRead");
  }
  std::vector<DepartmentEvent> page = open_events("steueramt", 0, 2);
  EXPECT_EQ(seqs_of(page), (std::vector<int64_t>{mine[0], mine[1]}));
  EXPECT_EQ(page[0].kind, "messageRead");
  EXPECT_EQ(page[0].business_process_id, "bp-steueramt");
  EXPECT_EQ(page[0].at_ms, clock_.now_ms());
  EXPECT_EQ(page[0].detail, "{}");
  page = open_events("steueramt", page.back().seq, 2);
  EXPECT_EQ(seqs_of(page), (std::vector<int64_t>{mine[2], mine[3]}));
  page = open_events("steueramt", page.back().seq, 2);
  EXPECT_EQ(seqs_of(page), std::vector<int64_t>{mine[4]});
  EXPECT_TRUE(open_events("steueramt", mine[4], 2).empty());
  EXPECT_EQ(open_events("bauamt").size(), 5u);

  DepartmentEvent nameless;
  nameless.kind = "messageRead";
  EXPECT_EQ(j.add_event(nameless).code(), StatusCode::kInvalidArgument);
}

TEST_F(JournalRecordsTest, AckAffectsOnlyTheCallersDepartment) {
  SqliteJournal& j = open();
  const int64_t a = add("steueramt", "deliveryFailed");
  const int64_t theirs = add("bauamt", "deliveryFailed");
  const int64_t b = add("steueramt", "messageRead");

  Result<int> acked = j.ack_events("steueramt", {a, theirs, 999});
  ASSERT_TRUE(acked.is_ok()) << acked.status().to_string();
  EXPECT_EQ(*acked, 1);
  EXPECT_EQ(seqs_of(open_events("steueramt")), std::vector<int64_t>{b});
  EXPECT_EQ(seqs_of(open_events("bauamt")), std::vector<int64_t>{theirs});
  EXPECT_EQ(*j.ack_events("steueramt", {a}), 0) << "already acknowledged";
  EXPECT_EQ(*j.ack_events("steueramt", {}), 0);
  EXPECT_EQ(*j.ack_events("steueramt", {b, b}), 1);
  EXPECT_TRUE(open_events("steueramt").empty());
  EXPECT_EQ(*j.ack_events("bauamt", {theirs}), 1);
  EXPECT_TRUE(open_events("bauamt").empty());
  EXPECT_EQ(RawDb(path_).scalar("SELECT COUNT(*) FROM department_events WHERE acked_ms = " +
                                std::to_string(clock_.now_ms())),
            3);
}

TEST_F(JournalRecordsTest, AnAcknowledgedEventReleasesTheItemItHolds) {
  SqliteJournal& j = open();
  Intake in = make_intake("k-held", "bp-held");
  in.build = [](IntakeTransaction& txn) -> Result<std::string> {
    DepartmentEvent offer{0, "steueramt", "formSubmitted", "bp-held", 0, "{}"};
    txn.hold_until_acknowledged("afs:box", status_update("bp-held"), "waiting", offer, "APP-1");
    return std::string("held");
  };
  Result<IntakeOutcome> r = accept_now(j, in);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  auto nothing = j.claim("afs:box", 10, clock_.now_ms(), 60'000);
  ASSERT_TRUE(nothing.is_ok());
  EXPECT_TRUE(nothing->empty()) << "held until acknowledged";

  auto held = j.held_item("formSubmitted", "APP-1");
  ASSERT_TRUE(held.is_ok() && held->has_value());
  EXPECT_FALSE((*held)->acknowledged);
  EXPECT_EQ((*held)->item.state, ItemState::kParked);
  EXPECT_EQ((*held)->item.last_error, "waiting");
  const int64_t seq = (*held)->event.seq;
  EXPECT_EQ(j.held_item((*held)->item.item.id)->value().event.seq, seq);
  EXPECT_FALSE(j.held_item("formSubmitted", "APP-2")->has_value());
  EXPECT_FALSE(j.held_item("messageRead", "APP-1")->has_value());

  EXPECT_EQ(*j.ack_events("bauamt", {seq}), 0) << "not theirs: nothing released";
  EXPECT_TRUE(j.claim("afs:box", 10, clock_.now_ms(), 60'000)->empty());
  EXPECT_EQ(*j.ack_events("steueramt", {seq}), 1);
  EXPECT_TRUE(j.held_item("formSubmitted", "APP-1")->value().acknowledged);
  auto released = j.claim("afs:box", 10, clock_.now_ms(), 60'000);
  ASSERT_TRUE(released.is_ok());
  ASSERT_EQ(released->size(), 1u);
  EXPECT_EQ(*j.ack_events("steueramt", {seq}), 0) << "acknowledged once";
}

TEST_F(JournalRecordsTest, MigrationFromVersion2KeepsData) {
  // A file as the build before schema version 3 left it: migrations 1 and 2, one intake with
  // its work item and its evidence record.
  {
    RawDb raw(path_);
    raw.exec("PRAGMA journal_mode=WAL");
    raw.exec(
        "CREATE TABLE schema_migrations ("
        " version INTEGER PRIMARY KEY NOT NULL, applied_ms INTEGER NOT NULL)");
    for (const sqlite::Migration& m : sqlite::migrations()) {
      if (m.version > 2) break;
      raw.exec(m.sql);
      raw.exec("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", 1)");
    }
    const std::string payload = model::encode(status_update("bp-old"));
    raw.exec(
        "INSERT INTO intake VALUES ('k-old', 'steueramt', 'bp-old', "
        "CAST('answer:k-old' AS BLOB), 1)");
    raw.exec(
        "INSERT INTO work_items (idempotency_key, department, business_process_id, destination, "
        "kind, correlation_id, payload, payload_sha256, state, attempts, next_attempt_ms, "
        "created_ms, updated_ms, ready) VALUES ('k-old/portal/1', 'steueramt', 'bp-old', "
        "'portal', 'statusUpdate', NULL, X'" +
        to_hex(payload) + "', '" + sha256_hex(payload) + "', 'pending', 0, 1, 1, 1, 1)");
    evidence::Record r;
    r.seq = 1;
    r.business_process_id = "bp-old";
    r.at_ms = 1;
    r.hop = "accepted";
    r.operation = "reportStatus";
    r.department = "steueramt";
    r.detail = "1";
    r.hash = evidence::chain_hash(r);
    raw.exec(
        "INSERT INTO evidence (seq, business_process_id, at_ms, hop, operation, department, "
        "destination, work_item_id, request_sha256, response_sha256, detail, prev_hash, hash) "
        "VALUES (1, 'bp-old', 1, 'accepted', 'reportStatus', 'steueramt', '', 0, '', '', '1', "
        "'', '" +
        r.hash + "')");
    ASSERT_EQ(raw.scalar("SELECT MAX(version) FROM schema_migrations"), 2);
  }

  SqliteJournal& j = open();
  EXPECT_EQ(RawDb(path_).scalar("SELECT MAX(version) FROM schema_migrations"),
            sqlite::latest_schema_version());
  Result<IntakeOutcome> dup = accept_now(j, make_intake("k-old", "bp-old"));
  ASSERT_TRUE(dup.is_ok()) << dup.status().to_string();
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->answer, "answer:k-old");
  ASSERT_EQ(claim_ids("portal"), std::vector<int64_t>{1});
  ASSERT_TRUE(j.settle(1, park_it()).is_ok());
  EXPECT_EQ(open_events("steueramt").size(), 1u);
  EXPECT_TRUE(remember(j, "steueramt", nonce("n1")));
  ASSERT_TRUE(j.audit(AuditEntry{}).is_ok());
  evidence::Verdict v = verify_chain();
  EXPECT_TRUE(v.intact);
  EXPECT_EQ(v.records, 2);
}

}  // namespace
}  // namespace portier::journal
