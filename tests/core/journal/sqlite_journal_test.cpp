// What only the SQLite store does: its file (schema versions and migrations, WAL, damage found
// at open), its durability (a failed fsync stops it for good), tampering through SQL, taking
// back everything left in flight at open, and group commit. Behaviour both stores share is in
// conformance/ and runs against each of them.
#include "core/journal/sqlite/sqlite_journal.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "core/base/digest.h"
#include "core/evidence/chain.h"
#include "core/journal/sqlite/schema.h"
#include "tests/core/journal/faulty_vfs.h"

namespace portier::journal {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kLease = 30'000;
constexpr int64_t kNonceWindow = 600'000;

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

AttemptRecord delivered() {
  return {AttemptRecord::Verdict::kDelivered, 0, "", "req", "resp", "HTTP 201", ""};
}
AttemptRecord retry_at(int64_t ms) {
  return {AttemptRecord::Verdict::kRetry, ms, "HTTP 503", "req", "resp", "attempt failed", ""};
}
AttemptRecord park_it() {
  return {AttemptRecord::Verdict::kPark, 0, "HTTP 400", "req", "", "", ""};
}

// A raw connection to the journal's file, for counting, for tampering and for writing files as
// older builds left them.
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
  std::string text(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    std::string value;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
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

class SqliteStoreTest : public ::testing::Test {
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
    if (!j.is_ok()) throw std::runtime_error("cannot open the journal: " + j.status().to_string());
    journal_ = std::move(*j);
    return *journal_;
  }
  void close() { journal_.reset(); }

  int64_t count(const std::string& table) {
    return RawDb(path_).scalar("SELECT COUNT(*) FROM " + table);
  }
  void accept_ok(const Intake& intake) {
    Result<IntakeOutcome> r = accept_and_wait(*journal_, intake);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_FALSE(r->duplicate);
  }
  // Claims and remembers each item's lease token, for settle() below.
  std::vector<int64_t> claim_ids(const std::string& destination, int max = 10) {
    Result<std::vector<model::WorkItem>> items =
        journal_->claim(destination, max, clock_.now_ms(), kLease);
    EXPECT_TRUE(items.is_ok()) << items.status().to_string();
    std::vector<int64_t> ids;
    if (items.is_ok()) {
      for (const model::WorkItem& i : *items) {
        ids.push_back(i.id);
        tokens_[i.id] = i.leaseToken;
      }
    }
    return ids;
  }
  Status settle(int64_t id, const AttemptRecord& attempt) {
    return journal_->settle(id, tokens_[id], attempt);
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
  std::map<int64_t, int64_t> tokens_;
};

// --- the file: schema, WAL, damage --------------------------------------------------------------

TEST_F(SqliteStoreTest, ReopeningKeepsTheSchemaAtTheLatestVersion) {
  open();
  accept_ok(make_intake("k1", "bp-1"));
  close();
  open();
  EXPECT_EQ(sqlite::latest_schema_version(), 13);
  EXPECT_EQ(RawDb(path_).scalar("SELECT MAX(version) FROM schema_migrations"),
            sqlite::latest_schema_version());
  EXPECT_EQ(RawDb(path_).scalar("SELECT COUNT(*) FROM schema_migrations"),
            static_cast<int64_t>(sqlite::migrations().size()));
  EXPECT_EQ(count("intake"), 1);
}

TEST_F(SqliteStoreTest, NewerSchemaIsRefused) {
  open();
  close();
  RawDb(path_).exec("INSERT INTO schema_migrations (version, applied_ms) VALUES (999, 0)");
  Result<std::unique_ptr<SqliteJournal>> j = SqliteJournal::open(path_.string(), clock_);
  ASSERT_FALSE(j.is_ok());
  EXPECT_EQ(j.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(j.status().message().find("newer"), std::string::npos) << j.status().message();
}

TEST_F(SqliteStoreTest, JournalModeIsWal) {
  open();
  close();
  EXPECT_EQ(RawDb(path_).text("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, DamagedFileIsRefused) {
  {
    std::ofstream junk(path_, std::ios::binary);
    for (int i = 0; i < 4096; ++i) junk << "not a database ";
  }
  Result<std::unique_ptr<SqliteJournal>> j = SqliteJournal::open(path_.string(), clock_);
  ASSERT_FALSE(j.is_ok());
  EXPECT_NE(j.status().message().find("cannot open journal"), std::string::npos);
}

TEST_F(SqliteStoreTest, DamagedPageIsFoundByQuickCheck) {
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

// --- durability and the writer ------------------------------------------------------------------

TEST_F(SqliteStoreTest, FailedFsyncStopsTheJournalForGood) {
  SqliteJournal::Options options;
  options.vfs_name = testing::register_faulty_vfs();
  SqliteJournal& j = open(options);
  accept_ok(make_intake("k1", "bp-1"));
  accept_ok(make_intake("k2", "bp-2"));
  ASSERT_TRUE(j.health().is_ok());

  const long syncs_before = testing::sync_calls();
  testing::fail_syncs(true);
  Result<IntakeOutcome> failed = accept_and_wait(j, make_intake("k3", "bp-3"));
  testing::fail_syncs(false);
  EXPECT_GT(testing::sync_calls(), syncs_before);
  ASSERT_FALSE(failed.is_ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);

  // Sticky: the disk "works" again, but nothing is written until a restart.
  Status health = j.health();
  EXPECT_EQ(health.code(), StatusCode::kUnavailable);
  EXPECT_EQ(health.message().rfind("journal stopped: ", 0), 0u) << health.message();
  Result<IntakeOutcome> later = accept_and_wait(j, make_intake("k4", "bp-4"));
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

TEST_F(SqliteStoreTest, AcceptsBeyondTheWriteQueueBoundAreRefusedAndChangeNothing) {
  SqliteJournal& j = open();
  constexpr size_t kQueueMax = 10;
  j.apply_back_pressure(nullptr, kQueueMax);
  // A first intake holds the writer inside its build, so the queue only fills.
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

  std::vector<Status> refusals;
  std::atomic<int> committed{0};
  for (int i = 0; i < 50; ++i) {
    j.accept(make_intake("q" + std::to_string(i), "bp-q" + std::to_string(i)),
             [&](Result<IntakeOutcome> r) {
               if (r.is_ok()) {
                 ++committed;
               } else {
                 refusals.push_back(r.status());  // refused on this thread, at once
               }
             });
  }
  ASSERT_EQ(refusals.size(), 50 - kQueueMax);
  EXPECT_EQ(refusals.front().code(), StatusCode::kResourceExhausted);
  EXPECT_GE(refusals.front().retry_after().count(), 1);
  EXPECT_NE(refusals.front().message().find("write queue is full"), std::string::npos);
  EXPECT_EQ(j.write_queue().refused, static_cast<int64_t>(50 - kQueueMax));
  release.set_value();
  ASSERT_TRUE(gate_done.get_future().get().is_ok());
  for (int i = 0; i < 100 && committed.load() < static_cast<int>(kQueueMax); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(committed.load(), static_cast<int>(kQueueMax));
  EXPECT_EQ(count("intake"), static_cast<int>(kQueueMax) + 1);
  EXPECT_TRUE(verify_chain().intact);
}

TEST_F(SqliteStoreTest, IntakesBeyondADestinationsBacklogBoundAreRefusedWithNothingWritten) {
  SqliteJournal& j = open();
  BacklogBounds bounds;
  bounds.set_bound("portal", 3, std::chrono::seconds(7));
  j.apply_back_pressure(&bounds, 1024);
  for (int i = 0; i < 3; ++i) {
    const std::string key = "b" + std::to_string(i);
    ASSERT_TRUE(accept_and_wait(j, make_intake(key, "bp-" + key)).is_ok());
  }
  Result<IntakeOutcome> refused = accept_and_wait(j, make_intake("b3", "bp-b3"));
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(refused.status().retry_after(), std::chrono::seconds(7));
  EXPECT_NE(refused.status().message().find("destination portal has 3 undelivered items"),
            std::string::npos)
      << refused.status().message();
  EXPECT_EQ(count("intake"), 3);
  EXPECT_EQ(count("work_items"), 3);
  EXPECT_FALSE(*j.knows_intake("b3"));
  // Another destination is not held up by the portal's backlog.
  EXPECT_TRUE(accept_and_wait(j, make_intake("r0", "bp-r0", {"rc_adapter"})).is_ok());
  // Once the journal counts less (the portal took them), the refused intake goes in.
  bounds.observe("portal", 0);
  EXPECT_TRUE(accept_and_wait(j, make_intake("b3", "bp-b3")).is_ok());
  EXPECT_EQ(bounds.readings()["portal"].refused, 1);
  EXPECT_TRUE(verify_chain().intact);
}

TEST_F(SqliteStoreTest, ConcurrentAcceptsShareCommits) {
  SqliteJournal& j = open();             // group_commit_max 64
  j.apply_back_pressure(nullptr, 4096);  // every accept below waits in the queue at once
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
  sql::GroupCommitWriter::Stats stats = j.stats();
  EXPECT_EQ(stats.operations, kTotal);
  // The gate alone, then 2000 queued accepts in full groups of 64 (the last one partly full).
  EXPECT_EQ(stats.commits, 1 + (kTotal - 1 + 63) / 64);
  EXPECT_TRUE(verify_chain().intact);
}

TEST_F(SqliteStoreTest, BlockingWriteFromTheWriterThreadIsRefused) {
  SqliteJournal& j = open();
  Intake in = make_intake("k1", "bp-1");
  std::promise<StatusCode> code;
  in.build = [&](IntakeTransaction&) -> Result<std::string> {
    code.set_value(j.replay(1, "").code());
    return std::string("ok");
  };
  accept_ok(in);
  EXPECT_EQ(code.get_future().get(), StatusCode::kInternal);
}

// --- what SQLite takes back at open, and what only SQL can do to a file -------------------------

TEST_F(SqliteStoreTest, OpeningTakesBackWhatEveryInstanceHadInFlight) {
  // One process owns the file: what was in flight died with the last one, whoever claimed it.
  SqliteJournal::Options node_a;
  node_a.instance = "node-a";
  SqliteJournal& a = open(node_a);
  accept_ok(make_intake("k1", "bp-1"));
  accept_ok(make_intake("k2", "bp-2"));
  ASSERT_EQ(a.claim("portal", 1, clock_.now_ms(), kLease)->size(), 1u);
  SqliteJournal::Options ctl;
  ctl.instance = "node-b";
  ctl.recover_in_flight = false;
  {
    Result<std::unique_ptr<SqliteJournal>> b = SqliteJournal::open(path_.string(), clock_, ctl);
    ASSERT_TRUE(b.is_ok()) << b.status().to_string();
    ASSERT_EQ((*b)->claim("portal", 1, clock_.now_ms(), kLease)->size(), 1u);
    // An operator's tool beside the daemon takes nothing back.
    Result<std::unique_ptr<SqliteJournal>> tool = SqliteJournal::open(path_.string(), clock_, ctl);
    ASSERT_TRUE(tool.is_ok());
    EXPECT_EQ(state_of(1), ItemState::kInFlight);
    EXPECT_EQ(state_of(2), ItemState::kInFlight);
  }
  close();
  SqliteJournal::Options node_c;
  node_c.instance = "node-c";
  open(node_c);
  EXPECT_EQ(state_of(1), ItemState::kPending);
  EXPECT_EQ(state_of(2), ItemState::kPending);
  EXPECT_EQ(claim_ids("portal"), (std::vector<int64_t>{1, 2}));
}

TEST_F(SqliteStoreTest, TamperedPayloadIsParkedAsDamagedAndNeverHandedOut) {
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

TEST_F(SqliteStoreTest, ExpiredNoncesArePurged) {
  SqliteJournal& j = open();
  EXPECT_TRUE(*j.remember_nonce("steueramt", {"old", clock_.now_ms() + 1000}));
  EXPECT_TRUE(*j.remember_nonce("steueramt", {"live", clock_.now_ms() + 10 * kNonceWindow}));
  EXPECT_EQ(count("nonces"), 2);
  clock_.advance(Millis(2 * kNonceWindow));
  // The purge runs at the start of a batch, once a minute has passed since the last one.
  Intake in = make_intake("k1", "bp-1");
  in.nonce = Nonce{"new", clock_.now_ms() + kNonceWindow};
  accept_ok(in);
  RawDb raw(path_);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM nonces WHERE value = 'old'"), 0);
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM nonces"), 2);
}

TEST_F(SqliteStoreTest, AcknowledgementsAreStampedWithTheirTime) {
  SqliteJournal& j = open();
  for (const char* department : {"steueramt", "bauamt", "steueramt"}) {
    ASSERT_TRUE(j.add_event({0, department, "messageRead", "bp-1", 0, ""}).is_ok());
  }
  clock_.advance(Millis(7));
  EXPECT_EQ(*j.ack_events("steueramt", {1, 2, 3}), 2);
  EXPECT_EQ(RawDb(path_).scalar("SELECT COUNT(*) FROM department_events WHERE acked_ms = " +
                                std::to_string(clock_.now_ms())),
            2);
  EXPECT_EQ(RawDb(path_).scalar("SELECT COUNT(*) FROM department_events WHERE acked_ms IS NULL"),
            1);
}

// --- the evidence chain tampered with through SQL -----------------------------------------------

class SqliteEvidenceTamperTest : public SqliteStoreTest {
 protected:
  // Five records: accepted x2, delivered, retry, parked.
  void record_history() {
    open();
    accept_ok(make_intake("k1", "bp-1"));
    accept_ok(make_intake("k2", "bp-2"));
    ASSERT_EQ(claim_ids("portal"), (std::vector<int64_t>{1, 2}));
    ASSERT_TRUE(settle(1, delivered()).is_ok());
    ASSERT_TRUE(settle(2, retry_at(clock_.now_ms())).is_ok());
    ASSERT_EQ(claim_ids("portal"), std::vector<int64_t>{2});
    ASSERT_TRUE(settle(2, park_it()).is_ok());
    evidence::Verdict v = verify_chain();
    ASSERT_TRUE(v.intact);
    ASSERT_EQ(v.records, 5);
  }
};

TEST_F(SqliteEvidenceTamperTest, ChangedDetailIsReported) {
  record_history();
  RawDb(path_).exec("UPDATE evidence SET detail = 'HTTP 200' WHERE seq = 3");
  evidence::Verdict v = verify_chain();
  EXPECT_FALSE(v.intact);
  ASSERT_FALSE(v.problems.empty());
  EXPECT_EQ(v.problems[0], "seq 3: hash does not match its content");
}

TEST_F(SqliteEvidenceTamperTest, DeletedMiddleRecordIsReported) {
  record_history();
  RawDb(path_).exec("DELETE FROM evidence WHERE seq = 3");
  evidence::Verdict v = verify_chain();
  EXPECT_FALSE(v.intact);
  ASSERT_FALSE(v.problems.empty());
  // chain.cpp names a single missing record as a range of one.
  EXPECT_EQ(v.problems[0], "seq 3-3: record missing");
}

TEST_F(SqliteEvidenceTamperTest, DeletedLastRecordIsReported) {
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

// --- migrations of files older builds left ------------------------------------------------------

class SqliteMigrationTest : public SqliteStoreTest {
 protected:
  // Creates the file as the build with schema `version` left it (empty).
  void create_at_version(RawDb& raw, int version) {
    raw.exec("PRAGMA journal_mode=WAL");
    raw.exec(
        "CREATE TABLE schema_migrations ("
        " version INTEGER PRIMARY KEY NOT NULL, applied_ms INTEGER NOT NULL)");
    for (const sqlite::Migration& m : sqlite::migrations()) {
      if (m.version > version) break;
      raw.exec(m.sql);
      raw.exec("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", 1)");
    }
    ASSERT_EQ(raw.scalar("SELECT MAX(version) FROM schema_migrations"), version);
  }
  // One intake "k-old" of case "bp-old" with its pending work item for the portal.
  void insert_old_intake(RawDb& raw) {
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
  }
  // Appends an evidence record of case "bp-old" after `prev` (nullptr for the first), as the
  // builds before schema 11 did: seq from AUTOINCREMENT, linked by the writer's memory.
  evidence::Record insert_old_evidence(RawDb& raw, int64_t seq, const std::string& hop,
                                       const evidence::Record* prev) {
    evidence::Record r;
    r.seq = seq;
    r.business_process_id = "bp-old";
    r.at_ms = seq;
    r.hop = hop;
    r.operation = "reportStatus";
    r.department = "steueramt";
    r.detail = "1";
    r.prev_hash = prev != nullptr ? prev->hash : "";
    r.hash = evidence::chain_hash(r);
    raw.exec(
        "INSERT INTO evidence (seq, business_process_id, at_ms, hop, operation, department, "
        "destination, work_item_id, request_sha256, response_sha256, detail, prev_hash, hash) "
        "VALUES (" +
        std::to_string(seq) + ", 'bp-old', " + std::to_string(seq) + ", '" + hop +
        "', 'reportStatus', 'steueramt', '', 0, '', '', '1', '" + r.prev_hash + "', '" + r.hash +
        "')");
    return r;
  }
};

TEST_F(SqliteMigrationTest, MigrationFromVersion2KeepsData) {
  // A file as the build before schema version 3 left it: migrations 1 and 2, one intake with
  // its work item and its evidence record.
  {
    RawDb raw(path_);
    create_at_version(raw, 2);
    insert_old_intake(raw);
    insert_old_evidence(raw, 1, "accepted", nullptr);
  }

  SqliteJournal& j = open();
  EXPECT_EQ(RawDb(path_).scalar("SELECT MAX(version) FROM schema_migrations"), 13);
  Result<IntakeOutcome> dup = accept_and_wait(j, make_intake("k-old", "bp-old"));
  ASSERT_TRUE(dup.is_ok()) << dup.status().to_string();
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->answer, "answer:k-old");
  ASSERT_EQ(claim_ids("portal"), std::vector<int64_t>{1});
  EXPECT_EQ(tokens_[1], 1) << "the first claim after the migration";
  ASSERT_TRUE(settle(1, park_it()).is_ok());
  EXPECT_EQ(j.events("steueramt", 0, 10)->size(), 1u);
  EXPECT_TRUE(*j.remember_nonce("steueramt", {"n1", clock_.now_ms() + kNonceWindow}));
  ASSERT_TRUE(j.audit(AuditEntry{}).is_ok());
  evidence::Verdict v = verify_chain();
  EXPECT_TRUE(v.intact);
  EXPECT_EQ(v.records, 2);
}

TEST_F(SqliteMigrationTest, MigrationFromVersion10StartsTheHeadAtTheLastRecord) {
  // A file of schema 10, whose chain lived in its writer's memory: three records.
  evidence::Record last;
  {
    RawDb raw(path_);
    create_at_version(raw, 10);
    insert_old_intake(raw);
    evidence::Record first = insert_old_evidence(raw, 1, "accepted", nullptr);
    evidence::Record second = insert_old_evidence(raw, 2, "retry", &first);
    last = insert_old_evidence(raw, 3, "retry", &second);
  }

  SqliteJournal& j = open();
  RawDb raw(path_);
  EXPECT_EQ(raw.scalar("SELECT MAX(version) FROM schema_migrations"), 13);
  EXPECT_EQ(raw.scalar("SELECT seq FROM evidence_head WHERE id = 1"), 3);
  EXPECT_EQ(raw.text("SELECT hash FROM evidence_head WHERE id = 1"), last.hash);
  EXPECT_EQ(*j.evidence_high_water(), 3);
  evidence::Verdict v = verify_chain();
  EXPECT_TRUE(v.intact);
  EXPECT_EQ(v.records, 3);

  // The chain goes on from its last record, through intakes and settles alike.
  accept_ok(make_intake("k-new", "bp-old"));
  ASSERT_EQ(claim_ids("portal"), std::vector<int64_t>{1});
  ASSERT_TRUE(settle(1, delivered()).is_ok());
  Result<std::vector<evidence::Record>> chain = j.evidence(std::nullopt);
  ASSERT_TRUE(chain.is_ok());
  ASSERT_EQ(chain->size(), 5u);
  EXPECT_EQ((*chain)[3].seq, 4);
  EXPECT_EQ((*chain)[3].hop, "accepted");
  EXPECT_EQ((*chain)[3].prev_hash, last.hash);
  EXPECT_EQ((*chain)[4].hop, "delivered");
  v = verify_chain();
  EXPECT_TRUE(v.intact) << (v.problems.empty() ? "" : v.problems[0]);
  EXPECT_EQ(v.records, 5);
  EXPECT_EQ(*j.evidence_high_water(), 5);
}

TEST_F(SqliteMigrationTest, MigrationFromVersion10KeepsADeletedTailVisible) {
  // Schema 10 handed out seq 3, then record 3 was removed: the migrated head keeps seq 3, so
  // the next record is 4 and the gap is still reported.
  {
    RawDb raw(path_);
    create_at_version(raw, 10);
    evidence::Record first = insert_old_evidence(raw, 1, "accepted", nullptr);
    evidence::Record second = insert_old_evidence(raw, 2, "retry", &first);
    insert_old_evidence(raw, 3, "retry", &second);
    raw.exec("DELETE FROM evidence WHERE seq = 3");
  }
  SqliteJournal& j = open();
  EXPECT_EQ(*j.evidence_high_water(), 3);
  evidence::Verdict v = verify_chain();
  EXPECT_FALSE(v.intact);
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0], "seq 3-3: records at the end missing");

  accept_ok(make_intake("k-new", "bp-new"));
  EXPECT_EQ(j.evidence(std::string("bp-new"))->front().seq, 4);
  v = verify_chain();
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0], "seq 3-3: record missing");
}

}  // namespace
}  // namespace portier::journal
