#include "core/dispatch/dispatcher.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <future>
#include <set>
#include <thread>

#include "core/base/digest.h"
#include "core/journal/sqlite/sqlite_journal.h"
#include "tests/core/dispatch/fake_connector.h"

namespace portier::dispatch {
namespace {

namespace fs = std::filesystem;
using journal::ItemState;
using std::chrono::milliseconds;
using testing::FakeConnector;

constexpr char kPortal[] = "portal";
constexpr auto kWaitLimit = std::chrono::seconds(10);
// Due times are whole milliseconds of the wall clock, so a measured pause may be up to 1 ms
// shorter than the delay that was asked for.
constexpr auto kClockResolution = milliseconds(1);

model::Message status_update(const std::string& key) {
  model::StatusUpdate u;
  u.__set_businessCaseId(key);
  u.__set_status(model::CaseStatus::IN_PROGRESS);
  model::Message m;
  m.__set_statusUpdate(u);
  return m;
}

config::Destination portal_settings(uint32_t concurrency = 4, uint32_t max_attempts = 5) {
  config::Destination d;
  d.name = kPortal;
  d.concurrency = concurrency;
  d.retry.initial_delay = milliseconds(10);
  d.retry.max_delay = milliseconds(40);
  d.retry.max_attempts = max_attempts;
  d.retry.attempt_timeout = milliseconds(1000);
  d.breaker.failure_threshold = 1000;  // these tests are not about the breaker
  d.breaker.open_for = milliseconds(50);
  return d;
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("portier-dispatcher-test-" + random_uuid());
    fs::create_directories(dir_);
    auto opened = journal::SqliteJournal::open((dir_ / "journal.db").string(), clock_);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    journal_ = std::move(*opened);
  }

  void TearDown() override {
    if (dispatcher_) dispatcher_->stop();
    dispatcher_.reset();
    journal_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void start(std::shared_ptr<FakeConnector> connector, config::Destination settings,
             unsigned workers = 8) {
    pool_ = std::make_unique<runtime::WorkPool>(workers);
    dispatcher_ = std::make_unique<Dispatcher>(*journal_, timers_, *pool_, metrics_);
    dispatcher_->add_destination(settings, std::move(connector));
    dispatcher_->start();
  }

  // Accepts one intake that enqueues one status update per key for the portal; returns once
  // it is committed.
  void accept(const std::string& intake_key, const std::string& bpid,
              const std::vector<std::string>& keys) {
    journal::Intake intake;
    intake.idempotency_key = "bauamt/" + intake_key;
    intake.department = "bauamt";
    intake.business_process_id = bpid;
    intake.correlation_id = "corr-" + intake_key;
    intake.operation = "reportStatus";
    intake.request_sha256 = sha256_hex(intake_key);
    intake.build = [keys](journal::IntakeTransaction& tx) -> Result<std::string> {
      for (const std::string& key : keys) tx.enqueue(kPortal, status_update(key));
      return std::string("ok");
    };
    std::promise<Result<journal::IntakeOutcome>> done;
    auto future = done.get_future();
    journal_->accept(std::move(intake),
                     [&done](Result<journal::IntakeOutcome> r) { done.set_value(std::move(r)); });
    Result<journal::IntakeOutcome> outcome = future.get();
    ASSERT_TRUE(outcome.is_ok()) << outcome.status().to_string();
    ASSERT_FALSE(outcome->duplicate);
    if (dispatcher_) dispatcher_->wake();
  }

  std::vector<journal::StoredItem> items() {
    journal::ItemFilter filter;
    filter.destination = kPortal;
    filter.limit = 1000;
    auto listed = journal_->list(filter);
    EXPECT_TRUE(listed.is_ok()) << listed.status().to_string();
    return listed.is_ok() ? *listed : std::vector<journal::StoredItem>{};
  }

  // The stored item whose status update carries `key`.
  std::optional<journal::StoredItem> item(const std::string& key) {
    for (journal::StoredItem& s : items()) {
      if (FakeConnector::key_of(s.item) == key) return s;
    }
    return std::nullopt;
  }

  // Polls until `done` holds or the wait limit passes; true if it held.
  bool eventually(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return done();
  }

  bool all_settled() {
    for (const journal::StoredItem& s : items()) {
      if (s.state == ItemState::kPending || s.state == ItemState::kInFlight) return false;
    }
    return true;
  }

  std::string describe() {
    std::string out;
    for (const journal::StoredItem& s : items()) {
      out += FakeConnector::key_of(s.item) + "=" + journal::to_string(s.state) + " (" +
             std::to_string(s.item.attempts) + " attempts, " + s.last_error + ")\n";
    }
    return out;
  }

  SystemClock clock_;
  runtime::Timers timers_{clock_};
  std::unique_ptr<runtime::WorkPool> pool_;
  metrics::Registry metrics_;
  fs::path dir_;
  std::unique_ptr<journal::SqliteJournal> journal_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, DeliveredItemsEndDone) {
  auto portal = std::make_shared<FakeConnector>();
  start(portal, portal_settings());
  for (int i = 0; i < 10; ++i) {
    accept("m-" + std::to_string(i), "bp-" + std::to_string(i), {"k" + std::to_string(i)});
  }
  ASSERT_TRUE(eventually([&] { return all_settled(); })) << describe();
  std::vector<journal::StoredItem> stored = items();
  ASSERT_EQ(stored.size(), 10u);
  for (const journal::StoredItem& s : stored) {
    EXPECT_EQ(s.state, ItemState::kDone) << describe();
    EXPECT_EQ(s.item.attempts, 1);
  }
  EXPECT_EQ(portal->calls().size(), 10u);  // each delivered exactly once
}

TEST_F(DispatcherTest, WorkAcceptedBeforeStartIsDelivered) {
  auto portal = std::make_shared<FakeConnector>();
  accept("m-1", "bp-1", {"early"});
  start(portal, portal_settings());
  ASSERT_TRUE(eventually([&] { return all_settled(); })) << describe();
  EXPECT_EQ(item("early")->state, ItemState::kDone);
}

TEST_F(DispatcherTest, RejectIsParkedAndDoesNotBlockOthers) {
  auto portal = std::make_shared<FakeConnector>();
  portal->script("bad", {DeliveryResult::reject("HTTP 422: status is invalid")});
  start(portal, portal_settings());
  // The rejected item comes first in its case; the case's later item and other cases go on.
  accept("m-1", "bp-A", {"bad"});
  accept("m-2", "bp-A", {"after-bad"});
  accept("m-3", "bp-B", {"other"});
  ASSERT_TRUE(eventually([&] { return all_settled(); })) << describe();

  auto bad = item("bad");
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->state, ItemState::kParked);
  EXPECT_NE(bad->last_error.find("HTTP 422: status is invalid"), std::string::npos)
      << bad->last_error;
  EXPECT_EQ(portal->calls_of("bad").size(), 1u);  // a reject is not retried
  EXPECT_EQ(item("after-bad")->state, ItemState::kDone);
  EXPECT_EQ(item("other")->state, ItemState::kDone);
}

TEST_F(DispatcherTest, RetryableFailuresAreRetriedWithBackoffUntilDelivered) {
  auto portal = std::make_shared<FakeConnector>();
  portal->script("flaky", {DeliveryResult::retry("HTTP 503"), DeliveryResult::retry("timeout")});
  start(portal, portal_settings());
  accept("m-1", "bp-1", {"flaky"});
  ASSERT_TRUE(eventually([&] { return all_settled(); })) << describe();

  auto flaky = item("flaky");
  EXPECT_EQ(flaky->state, ItemState::kDone) << describe();
  EXPECT_EQ(flaky->item.attempts, 3);
  std::vector<FakeConnector::Call> calls = portal->calls_of("flaky");
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].attempts, 1);
  EXPECT_EQ(calls[1].attempts, 2);
  EXPECT_EQ(calls[2].attempts, 3);
  // Backoff after attempt n is within [step/2, step], step = 10 ms * 2^(n-1): at least 5 ms,
  // then at least 10 ms (less the journal clock's 1 ms resolution).
  EXPECT_GE(calls[1].started - calls[0].started, milliseconds(5) - kClockResolution);
  EXPECT_GE(calls[2].started - calls[1].started, milliseconds(10) - kClockResolution);
}

TEST_F(DispatcherTest, RetryAfterIsHonoured) {
  auto portal = std::make_shared<FakeConnector>();
  DeliveryResult busy = DeliveryResult::retry("HTTP 429");
  busy.retry_after = milliseconds(300);
  portal->script("busy", {busy});
  start(portal, portal_settings());
  accept("m-1", "bp-1", {"busy"});
  ASSERT_TRUE(eventually([&] { return all_settled(); })) << describe();
  std::vector<FakeConnector::Call> calls = portal->calls_of("busy");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_GE(calls[1].started - calls[0].started, milliseconds(300) - kClockResolution);
  EXPECT_EQ(item("busy")->state, ItemState::kDone);
}

TEST_F(DispatcherTest, GivesUpAfterMaxAttempts) {
  auto portal = std::make_shared<FakeConnector>();
  portal->always("down", DeliveryResult::retry("HTTP 502"));
  start(portal, portal_settings(4, /*max_attempts=*/3));
  accept("m-1", "bp-1", {"down"});
  accept("m-2", "bp-2", {"fine"});
  ASSERT_TRUE(eventually([&] { return all_settled(); })) << describe();

  auto down = item("down");
  EXPECT_EQ(down->state, ItemState::kParked);
  EXPECT_NE(down->last_error.find("gave up"), std::string::npos) << down->last_error;
  EXPECT_NE(down->last_error.find("HTTP 502"), std::string::npos) << down->last_error;
  EXPECT_EQ(portal->calls_of("down").size(), 3u);
  EXPECT_EQ(item("fine")->state, ItemState::kDone);
}

TEST_F(DispatcherTest, ConnectorExceptionIsRetried) {
  class Throwing final : public Connector {
   public:
    DeliveryResult deliver(const model::WorkItem&) override {
      if (calls_++ == 0) throw std::runtime_error("boom");
      return {};
    }
    std::atomic<int> calls_{0};
  };
  auto throwing = std::make_shared<Throwing>();
  pool_ = std::make_unique<runtime::WorkPool>(2);
  dispatcher_ = std::make_unique<Dispatcher>(*journal_, timers_, *pool_, metrics_);
  dispatcher_->add_destination(portal_settings(), throwing);
  dispatcher_->start();
  accept("m-1", "bp-1", {"explodes"});
  ASSERT_TRUE(eventually([&] { return all_settled(); })) << describe();
  EXPECT_EQ(item("explodes")->state, ItemState::kDone);
  EXPECT_EQ(throwing->calls_.load(), 2);
}

TEST_F(DispatcherTest, ConcurrencyPerDestinationIsNeverExceeded) {
  auto portal = std::make_shared<FakeConnector>(milliseconds(20));
  start(portal, portal_settings(/*concurrency=*/3), /*workers=*/8);
  for (int i = 0; i < 24; ++i) {
    // Separate cases, so that per-case order does not serialise them.
    accept("m-" + std::to_string(i), "bp-" + std::to_string(i), {"c" + std::to_string(i)});
  }
  ASSERT_TRUE(eventually([&] { return all_settled(); })) << describe();
  EXPECT_EQ(portal->calls().size(), 24u);
  EXPECT_LE(portal->max_in_flight(), 3);
  EXPECT_GE(portal->max_in_flight(), 2);  // the limit is used, not just one at a time
  for (const journal::StoredItem& s : items()) EXPECT_EQ(s.state, ItemState::kDone);
}

TEST_F(DispatcherTest, ItemsOfOneBusinessProcessAreDeliveredInOrder) {
  auto portal = std::make_shared<FakeConnector>(milliseconds(2));
  // The first item needs three attempts; the later ones of its case must wait for it.
  portal->script("o0", {DeliveryResult::retry("HTTP 503"), DeliveryResult::retry("HTTP 503")});
  portal->script("o2", {DeliveryResult::retry("HTTP 500")});
  start(portal, portal_settings(/*concurrency=*/4));
  for (int i = 0; i < 6; ++i) {
    accept("m-" + std::to_string(i), "bp-ordered", {"o" + std::to_string(i)});
    accept("n-" + std::to_string(i), "bp-other-" + std::to_string(i), {"x" + std::to_string(i)});
  }
  ASSERT_TRUE(eventually([&] { return all_settled(); })) << describe();

  std::vector<std::string> delivered;
  std::set<std::string> done_so_far;
  for (const FakeConnector::Call& call : portal->calls()) {
    if (call.business_process_id != "bp-ordered") continue;
    // No item of the case is even attempted before the earlier ones are delivered.
    int index = std::stoi(call.key.substr(1));
    for (int earlier = 0; earlier < index; ++earlier) {
      EXPECT_TRUE(done_so_far.count("o" + std::to_string(earlier)))
          << call.key << " attempted before o" << earlier << " was delivered";
    }
    if (call.outcome == DeliveryResult::Kind::kDelivered) {
      delivered.push_back(call.key);
      done_so_far.insert(call.key);
    }
  }
  EXPECT_EQ(delivered, (std::vector<std::string>{"o0", "o1", "o2", "o3", "o4", "o5"}));
  EXPECT_EQ(portal->calls_of("o0").size(), 3u);
  for (const journal::StoredItem& s : items()) EXPECT_EQ(s.state, ItemState::kDone) << describe();
}

TEST_F(DispatcherTest, OpenCircuitHoldsCallsForOpenFor) {
  auto portal = std::make_shared<FakeConnector>();
  portal->script("down", {DeliveryResult::retry("HTTP 503"), DeliveryResult::retry("HTTP 503"),
                          DeliveryResult::retry("HTTP 503")});
  config::Destination settings = portal_settings(/*concurrency=*/4, /*max_attempts=*/10);
  settings.breaker.failure_threshold = 2;
  settings.breaker.open_for = milliseconds(300);
  start(portal, settings);
  accept("m-1", "bp-1", {"down"});
  ASSERT_TRUE(eventually([&] { return all_settled(); })) << describe();
  EXPECT_EQ(item("down")->state, ItemState::kDone);

  std::vector<FakeConnector::Call> calls = portal->calls_of("down");
  ASSERT_EQ(calls.size(), 4u);
  // Two failures open the circuit: the trial waits open_for rather than the 10-40 ms backoff.
  EXPECT_GE(calls[2].started - calls[1].started, milliseconds(300) - kClockResolution);
  // The failed trial opens it again for as long.
  EXPECT_GE(calls[3].started - calls[2].started, milliseconds(300) - kClockResolution);
}

TEST_F(DispatcherTest, StopLetsCallsInFlightSettle) {
  auto portal = std::make_shared<FakeConnector>(milliseconds(100));
  start(portal, portal_settings(/*concurrency=*/2));
  accept("m-1", "bp-1", {"slow1"});
  accept("m-2", "bp-2", {"slow2"});
  ASSERT_TRUE(eventually([&] { return portal->calls().size() == 2; }));
  dispatcher_->stop();
  for (const journal::StoredItem& s : items()) {
    EXPECT_EQ(s.state, ItemState::kDone) << describe();
  }
}

}  // namespace
}  // namespace portier::dispatch
