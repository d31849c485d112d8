// Several handles on one store, as several portierd instances (or portierctl beside portierd)
// use it: fencing tokens refuse a late settle after a take-over, each case's order holds across
// instances, instances report what they hold, and concurrent writers make one evidence chain.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "tests/core/journal/conformance/journal_conformance.h"

namespace portier::journal::testing {
namespace {

using std::chrono::steady_clock;

TYPED_TEST_SUITE(JournalConformance, Stores, StoreName);

// The items each instance that reported since `since` holds in flight, by instance name.
std::map<std::string, int64_t> in_flight(Journal& j, int64_t since) {
  Result<std::vector<InstanceRecord>> instances = j.instances(since);
  EXPECT_TRUE(instances.is_ok()) << instances.status().to_string();
  std::map<std::string, int64_t> held;
  if (instances.is_ok()) {
    for (const InstanceRecord& i : *instances) held[i.instance] = i.items_in_flight;
  }
  return held;
}

size_t count_hops(const std::vector<evidence::Record>& chain, const std::string& hop) {
  size_t n = 0;
  for (const evidence::Record& r : chain) n += r.hop == hop ? 1 : 0;
  return n;
}

TYPED_TEST(JournalConformance, ALateSettleAfterATakeOverIsRefusedAndRecordsNothing) {
  Journal& a = this->open();
  Journal& b = this->open_beside("node-b");
  this->accept_ok(a, make_intake("k1", "bp-1"));
  const int64_t id = this->item_id("k1");
  const int64_t start = this->clock_.now_ms();
  ASSERT_TRUE(a.report_alive(start).is_ok());
  ASSERT_TRUE(b.report_alive(start).is_ok());

  // node-a claims with a short lease, then stalls (a long GC pause, a partition).
  Result<std::vector<model::WorkItem>> by_a = a.claim("portal", 1, start, 1'000);
  ASSERT_TRUE(by_a.is_ok()) << by_a.status().to_string();
  ASSERT_EQ(by_a->size(), 1u);
  const int64_t token_a = (*by_a)[0].leaseToken;
  EXPECT_TRUE(b.claim("portal", 1, start + 999, kLease)->empty()) << "node-a's lease holds";
  EXPECT_EQ(in_flight(b, start), (std::map<std::string, int64_t>{{"node-a", 1}, {"node-b", 0}}));

  // Its lease runs out; node-b takes the item over under a higher token.
  this->clock_.advance(Millis(1'000));
  Result<std::vector<model::WorkItem>> by_b = b.claim("portal", 1, this->clock_.now_ms(), kLease);
  ASSERT_TRUE(by_b.is_ok()) << by_b.status().to_string();
  ASSERT_EQ(by_b->size(), 1u);
  EXPECT_EQ((*by_b)[0].id, id);
  EXPECT_EQ((*by_b)[0].attempts, 2);
  const int64_t token_b = (*by_b)[0].leaseToken;
  EXPECT_GT(token_b, token_a);
  EXPECT_EQ(in_flight(a, start), (std::map<std::string, int64_t>{{"node-a", 0}, {"node-b", 1}}));

  // node-a wakes up and reports its delivery: refused, and nothing is recorded.
  const int64_t high_water = *a.evidence_high_water();
  Status late = a.settle(id, token_a, delivered());
  EXPECT_EQ(late.code(), StatusCode::kFailedPrecondition) << late.to_string();
  EXPECT_EQ(*a.evidence_high_water(), high_water);
  EXPECT_EQ(this->hops(b, "bp-1"), std::vector<std::string>{"accepted"});
  Result<StoredItem> item = b.get(id);
  ASSERT_TRUE(item.is_ok());
  EXPECT_EQ(item->state, ItemState::kInFlight) << "still node-b's";
  EXPECT_EQ(item->item.attempts, 2);
  EXPECT_EQ(in_flight(a, start).at("node-b"), 1);
  // A late retry or park is refused the same way.
  EXPECT_EQ(a.settle(id, token_a, retry_at(start)).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(a.settle(id, token_a, park_it()).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(this->open_events("steueramt").empty());

  // node-b's settle stands; the item is delivered once.
  ASSERT_TRUE(b.settle(id, token_b, delivered()).is_ok());
  EXPECT_EQ(a.settle(id, token_a, delivered()).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(this->state_of(id), ItemState::kDone);
  EXPECT_EQ(this->hops(a, "bp-1"), (std::vector<std::string>{"accepted", "delivered"}));
  EXPECT_EQ(in_flight(a, start), (std::map<std::string, int64_t>{{"node-a", 0}, {"node-b", 0}}));
  EXPECT_TRUE(this->verify_chain(a).intact);
}

TYPED_TEST(JournalConformance, ACaseKeepsItsOrderAcrossInstances) {
  Journal& a = this->open();
  Journal& b = this->open_beside("node-b");
  this->accept_ok(a, make_intake("k1", "bp-1"));
  this->accept_ok(a, make_intake("k2", "bp-1"));
  this->accept_ok(a, make_intake("k3", "bp-2"));
  const int64_t first = this->item_id("k1");
  const int64_t second = this->item_id("k2");

  EXPECT_EQ(this->claim_ids(a, "portal", 1), std::vector<int64_t>{first});
  // node-b gets the other case, but not bp-1's second item while node-a holds the first.
  EXPECT_EQ(this->claim_ids(b, "portal"), std::vector<int64_t>{this->item_id("k3")});
  EXPECT_TRUE(this->claim_ids(b, "portal").empty());
  EXPECT_EQ(*b.next_due_ms("portal"), std::optional<int64_t>(this->clock_.now_ms() + kLease));
  ASSERT_TRUE(this->settle(a, first, retry_at(this->clock_.now_ms())).is_ok());
  EXPECT_EQ(this->claim_ids(b, "portal"), std::vector<int64_t>{first}) << "a retry keeps its place";
  EXPECT_TRUE(this->claim_ids(a, "portal").empty());
  ASSERT_TRUE(this->settle(b, first, delivered()).is_ok());
  EXPECT_EQ(this->claim_ids(a, "portal"), std::vector<int64_t>{second});
}

TYPED_TEST(JournalConformance, InstancesReportWhatEachHoldsInFlight) {
  Journal& a = this->open();
  Journal& b = this->open_beside("node-b");
  EXPECT_EQ(a.instance(), "node-a");
  EXPECT_EQ(b.instance(), "node-b");
  const int64_t start = this->clock_.now_ms();
  ASSERT_TRUE(a.report_alive(start).is_ok());
  ASSERT_TRUE(b.report_alive(start + 10).is_ok());
  for (int i = 1; i <= 3; ++i) {
    this->accept_ok(a, make_intake("k" + std::to_string(i), "bp-" + std::to_string(i)));
  }
  ASSERT_EQ(this->claim_ids(a, "portal", 2).size(), 2u);
  ASSERT_EQ(this->claim_ids(b, "portal", 2).size(), 1u);

  Result<std::vector<InstanceRecord>> all = b.instances(start);
  ASSERT_TRUE(all.is_ok()) << all.status().to_string();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].instance, "node-a");
  EXPECT_EQ((*all)[0].started_ms, start);
  EXPECT_EQ((*all)[0].seen_ms, start);
  EXPECT_EQ((*all)[0].items_in_flight, 2);
  EXPECT_EQ((*all)[1].instance, "node-b");
  EXPECT_EQ((*all)[1].started_ms, start + 10);
  EXPECT_EQ((*all)[1].seen_ms, start + 10);
  EXPECT_EQ((*all)[1].items_in_flight, 1);
  // Only the ones seen since then.
  EXPECT_EQ(in_flight(a, start + 5), (std::map<std::string, int64_t>{{"node-b", 1}}));

  // A heartbeat moves seen_ms, not started_ms; settling frees the count.
  ASSERT_TRUE(a.report_alive(start + 1'000).is_ok());
  ASSERT_TRUE(this->settle(a, this->item_id("k1"), delivered()).is_ok());
  all = a.instances(start + 5);
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].instance, "node-a");
  EXPECT_EQ((*all)[0].started_ms, start);
  EXPECT_EQ((*all)[0].seen_ms, start + 1'000);
  EXPECT_EQ((*all)[0].items_in_flight, 1);
}

TYPED_TEST(JournalConformance, ManyWritersOnTwoHandlesMakeOneChain) {
  // portierd takes intakes from several threads and dispatches them while portierctl, beside it
  // on the same store, parks and replays items: every write extends the one chain.
  //
  // The intakes wait for portierctl's rounds (one round per kIntakesPerRound), so the two
  // overlap however fast the store is: SQLite's write lock is not fair, and a daemon whose
  // writer never pauses would starve portierctl for its whole busy timeout.
  Journal& daemon = this->open();
  Journal& ctl = this->open_beside("portierctl");
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  constexpr int kIntakes = kThreads * kPerThread;
  constexpr int kIntakesPerRound = 40;
  constexpr int kOperatorRounds = kIntakes / kIntakesPerRound;
  const auto deadline = steady_clock::now() + std::chrono::seconds(60);

  // An item no dispatcher takes (its destination has none), for rounds when nothing else is open.
  this->accept_ok(daemon, make_intake("ops", "bp-ops", {"ops"}));
  const int64_t ops_item = this->item_id("ops");

  std::atomic<int> accepted{0};
  std::atomic<int> producers_done{0};
  std::atomic<bool> ctl_done{false};
  std::atomic<int> errors{0};
  std::atomic<int> fenced{0};        // settles refused because portierctl parked the item meanwhile
  std::atomic<int> ctl_pairs{0};     // park + replay rounds done by portierctl
  std::atomic<int> ctl_inflight{0};  // rounds that parked an item a dispatcher held
  std::atomic<int> ctl_busy{0};      // parks refused as busy (SQLite: the lock wait ran out)

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread && errors.load() == 0; ++i) {
        while (ctl_pairs.load() * kIntakesPerRound < accepted.load() && !ctl_done.load()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
        Result<IntakeOutcome> r = accept_and_wait(daemon, make_intake(key, "bp-" + key));
        if (!r.is_ok() || r->duplicate) {
          ADD_FAILURE() << "intake " << key << ": " << r.status().to_string();
          ++errors;
          break;
        }
        ++accepted;
      }
      ++producers_done;
    });
  }
  auto dispatch = [&] {
    while (steady_clock::now() < deadline && errors.load() == 0) {
      Result<std::vector<model::WorkItem>> items =
          daemon.claim("portal", 16, this->clock_.now_ms(), 60'000);
      if (!items.is_ok()) {
        ADD_FAILURE() << "claim: " << items.status().to_string();
        ++errors;
        return;
      }
      if (items->empty()) {
        if (producers_done.load() == kThreads && ctl_done.load()) {
          Result<Backlog> b = daemon.backlog("portal");
          if (b.is_ok() && b->open == 0 && b->parked == 0) return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      for (const model::WorkItem& item : *items) {
        Status s = daemon.settle(item.id, item.leaseToken, delivered());
        if (s.code() == StatusCode::kFailedPrecondition) {
          ++fenced;
        } else if (!s.is_ok()) {
          ADD_FAILURE() << "settle: " << s.to_string();
          ++errors;
        }
      }
    }
  };
  threads.emplace_back(dispatch);
  threads.emplace_back(dispatch);
  threads.emplace_back([&] {
    // An operator at work: park an item a dispatcher holds if there is one, else the ops item,
    // then replay it (insisting if the store was busy, so nothing stays parked).
    while (ctl_pairs.load() < kOperatorRounds && steady_clock::now() < deadline &&
           errors.load() == 0) {
      ItemFilter held;
      held.state = ItemState::kInFlight;
      held.limit = 1;
      Result<std::vector<StoredItem>> items = ctl.list(held);
      if (!items.is_ok()) {
        ADD_FAILURE() << "list: " << items.status().to_string();
        ++errors;
        break;
      }
      const bool inflight = !items->empty();
      const int64_t id = inflight ? items->front().item.id : ops_item;
      Status parked = ctl.park(id, "held by an operator");
      if (parked.code() == StatusCode::kFailedPrecondition) continue;  // settled meanwhile
      if (parked.code() == StatusCode::kUnavailable) {  // SQLite: the lock wait ran out
        ++ctl_busy;
        continue;
      }
      if (!parked.is_ok()) {
        ADD_FAILURE() << "park: " << parked.to_string();
        ++errors;
        break;
      }
      Status replayed;
      do {
        replayed = ctl.replay(id, "");
      } while (replayed.code() == StatusCode::kUnavailable && steady_clock::now() < deadline);
      EXPECT_TRUE(replayed.is_ok()) << replayed.to_string();
      ctl_inflight += inflight ? 1 : 0;
      ++ctl_pairs;
    }
    ctl_done = true;
  });
  for (std::thread& t : threads) t.join();
  ASSERT_LT(steady_clock::now(), deadline)
      << "did not finish in time: " << accepted.load() << " intakes, " << ctl_pairs.load()
      << " parked and replayed, " << ctl_busy.load() << " parks busy, " << fenced.load()
      << " settles fenced";
  ASSERT_EQ(errors.load(), 0);
  EXPECT_EQ(accepted.load(), kIntakes);
  EXPECT_EQ(ctl_pairs.load(), kOperatorRounds);

  // A last round in strict turns, so the handles' writes interleave whatever the timing was.
  this->accept_ok(daemon, make_intake("tail-1", "bp-tail-1"));
  const int64_t tail = this->item_id("tail-1");
  ASSERT_TRUE(ctl.park(tail, "held by an operator").is_ok());
  ASSERT_TRUE(ctl.replay(tail, "").is_ok());
  this->accept_ok(daemon, make_intake("tail-2", "bp-tail-2"));
  std::vector<int64_t> last = this->claim_ids(daemon, "portal");
  ASSERT_EQ(last.size(), 2u);
  for (int64_t id : last) ASSERT_TRUE(this->settle(daemon, id, delivered()).is_ok());

  for (Journal* j : {&daemon, &ctl}) {
    evidence::Verdict v = this->verify_chain(*j);
    EXPECT_TRUE(v.intact) << v.problems.size()
                          << " problems, first: " << (v.problems.empty() ? "" : v.problems[0]);
    EXPECT_EQ(v.records, *j->evidence_high_water());
  }
  std::vector<evidence::Record> chain = this->chain(ctl);
  constexpr size_t kDelivered = kIntakes + 2;  // the ops item stays pending
  EXPECT_EQ(count_hops(chain, "accepted"), kDelivered + 1);
  EXPECT_EQ(count_hops(chain, "parked"), static_cast<size_t>(kOperatorRounds) + 1);
  EXPECT_EQ(count_hops(chain, "replayed"), static_cast<size_t>(kOperatorRounds) + 1);
  // Every item delivered exactly once, fenced settles notwithstanding.
  std::set<int64_t> delivered_items;
  for (const evidence::Record& r : chain) {
    if (r.hop == "delivered") {
      EXPECT_TRUE(delivered_items.insert(r.work_item_id).second) << "seq " << r.seq;
    }
  }
  EXPECT_EQ(delivered_items.size(), kDelivered);
  ItemFilter done;
  done.state = ItemState::kDone;
  done.limit = 10'000;
  EXPECT_EQ(daemon.list(done)->size(), kDelivered);
  EXPECT_EQ(this->state_of(ops_item), ItemState::kPending);
  ::testing::Test::RecordProperty("fenced_settles", fenced.load());
  ::testing::Test::RecordProperty("operator_rounds_on_inflight_items", ctl_inflight.load());
  ::testing::Test::RecordProperty("operator_parks_busy", ctl_busy.load());
}

}  // namespace
}  // namespace portier::journal::testing
