// The work queue on one handle: claims in order and per case, leases and their tokens, settling,
// operator actions, and what the queue reports (list, depth, backlog, next due time).
#include <gtest/gtest.h>

#include "tests/core/journal/conformance/journal_conformance.h"

namespace portier::journal::testing {
namespace {

TYPED_TEST_SUITE(JournalConformance, Stores, StoreName);

TYPED_TEST(JournalConformance, ClaimHandsOutDueItemsOfOneDestinationInIdOrder) {
  Journal& j = this->open();
  this->accept_ok(make_intake("k1", "bp-1", {"portal"}));
  this->accept_ok(make_intake("k2", "bp-2", {"rc_adapter"}));
  this->accept_ok(make_intake("k3", "bp-3", {"portal"}));
  this->accept_ok(make_intake("k4", "bp-4", {"portal"}));

  Result<std::vector<model::WorkItem>> items = j.claim("portal", 2, this->clock_.now_ms(), kLease);
  ASSERT_TRUE(items.is_ok()) << items.status().to_string();
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].id, this->item_id("k1"));
  EXPECT_EQ((*items)[1].id, this->item_id("k3"));
  EXPECT_EQ((*items)[0].attempts, 1);
  EXPECT_EQ((*items)[0].leaseToken, 1);
  EXPECT_EQ((*items)[0].businessProcessId, "bp-1");
  EXPECT_EQ((*items)[0].department, "steueramt");
  EXPECT_EQ((*items)[0].correlationId, "corr-k1");
  EXPECT_EQ((*items)[0].message.statusUpdate.businessCaseId, "bp-1");
  EXPECT_EQ(this->state_of(this->item_id("k1")), ItemState::kInFlight);

  EXPECT_EQ(this->claim_ids("portal"), std::vector<int64_t>{this->item_id("k4")});
  EXPECT_TRUE(this->claim_ids("portal").empty());
  EXPECT_EQ(this->claim_ids("rc_adapter"), std::vector<int64_t>{this->item_id("k2")});
  EXPECT_EQ(j.claim("portal", 0, this->clock_.now_ms(), kLease).status().code(),
            StatusCode::kInvalidArgument);
}

TYPED_TEST(JournalConformance, LaterItemOfACaseWaitsWhileAnEarlierOneIsOpen) {
  Journal& j = this->open();
  this->accept_ok(make_intake("k1", "bp-1", {"portal"}));
  this->accept_ok(make_intake("k2", "bp-1", {"portal"}));
  this->accept_ok(make_intake("k3", "bp-2", {"portal"}));
  const int64_t first = this->item_id("k1");
  const int64_t second = this->item_id("k2");

  EXPECT_EQ(this->claim_ids("portal"), (std::vector<int64_t>{first, this->item_id("k3")}));
  EXPECT_TRUE(this->claim_ids("portal").empty()) << "item 2 must wait while item 1 is in flight";
  // Item 2 is pending and past due, but held up: the next due time is item 1's lease expiry.
  EXPECT_EQ(*j.next_due_ms("portal"), std::optional<int64_t>(this->clock_.now_ms() + kLease));
  ASSERT_TRUE(this->settle(first, delivered()).is_ok());
  EXPECT_EQ(this->claim_ids("portal"), std::vector<int64_t>{second});

  // The order holds across destinations: a pending item elsewhere holds the case up too.
  this->accept_ok(make_intake("k4", "bp-3", {"rc_adapter"}));
  this->accept_ok(make_intake("k5", "bp-3", {"portal"}));
  EXPECT_TRUE(this->claim_ids("portal").empty());
  const int64_t elsewhere = this->item_id("k4");
  EXPECT_EQ(this->claim_ids("rc_adapter"), std::vector<int64_t>{elsewhere});
  ASSERT_TRUE(this->settle(elsewhere, retry_at(this->clock_.now_ms() + 60'000)).is_ok());
  EXPECT_TRUE(this->claim_ids("portal").empty()) << "a pending retry still holds its case";
}

TYPED_TEST(JournalConformance, ParkedItemDoesNotHoldItsCaseUp) {
  this->open();
  this->accept_ok(make_intake("k1", "bp-1"));
  this->accept_ok(make_intake("k2", "bp-1"));
  const int64_t first = this->item_id("k1");
  EXPECT_EQ(this->claim_ids("portal"), std::vector<int64_t>{first});
  ASSERT_TRUE(this->settle(first, park_it()).is_ok());
  EXPECT_EQ(this->state_of(first), ItemState::kParked);
  EXPECT_EQ(this->claim_ids("portal"), std::vector<int64_t>{this->item_id("k2")});
}

TYPED_TEST(JournalConformance, RetryIsDueOnlyAtItsNextAttempt) {
  Journal& j = this->open();
  this->accept_ok(make_intake("k1", "bp-1"));
  const int64_t id = this->item_id("k1");
  EXPECT_EQ(this->claim_ids("portal"), std::vector<int64_t>{id});
  const int64_t later = this->clock_.now_ms() + 5'000;
  ASSERT_TRUE(this->settle(id, retry_at(later)).is_ok());

  Result<StoredItem> item = j.get(id);
  ASSERT_TRUE(item.is_ok());
  EXPECT_EQ(item->state, ItemState::kPending);
  EXPECT_EQ(item->last_error, "HTTP 503");
  EXPECT_EQ(item->next_attempt_ms, later);
  Result<std::optional<int64_t>> due = j.next_due_ms("portal");
  ASSERT_TRUE(due.is_ok());
  EXPECT_EQ(*due, std::optional<int64_t>(later));

  this->clock_.set(later - 1);
  EXPECT_TRUE(this->claim_ids("portal").empty());
  this->clock_.set(later);
  Result<std::vector<model::WorkItem>> again = j.claim("portal", 5, this->clock_.now_ms(), kLease);
  ASSERT_TRUE(again.is_ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].attempts, 2);
  EXPECT_EQ((*again)[0].leaseToken, 2);
  ASSERT_TRUE(j.settle(id, (*again)[0].leaseToken, delivered()).is_ok());
  EXPECT_EQ(this->state_of(id), ItemState::kDone);
  EXPECT_EQ(j.next_due_ms("portal")->has_value(), false);
}

TYPED_TEST(JournalConformance, ExpiredLeaseMakesAnInflightItemClaimableAgain) {
  Journal& j = this->open();
  this->accept_ok(make_intake("k1", "bp-1"));
  const int64_t start = this->clock_.now_ms();
  Result<std::vector<model::WorkItem>> first = j.claim("portal", 1, start, 1'000);
  ASSERT_TRUE(first.is_ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(*j.next_due_ms("portal"), std::optional<int64_t>(start + 1'000));
  EXPECT_TRUE(j.claim("portal", 1, start + 999, 1'000)->empty());
  Result<std::vector<model::WorkItem>> again = j.claim("portal", 1, start + 1'000, 1'000);
  ASSERT_TRUE(again.is_ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].attempts, 2);
  // Each claim hands out the item's next fencing token.
  EXPECT_EQ((*first)[0].leaseToken, 1);
  EXPECT_EQ((*again)[0].leaseToken, 2);
}

TYPED_TEST(JournalConformance, InflightItemsArePendingAgainAfterReopen) {
  // The same instance starting again takes back what it held: SQLite takes back everything,
  // PostgreSQL what this instance (by its name) held.
  this->open();
  this->accept_ok(make_intake("k1", "bp-1"));
  this->accept_ok(make_intake("k2", "bp-2"));
  const int64_t first = this->item_id("k1");
  const int64_t second = this->item_id("k2");
  EXPECT_EQ(this->claim_ids("portal"), (std::vector<int64_t>{first, second}));
  this->close();
  this->clock_.advance(Millis(10));
  Journal& j = this->open();
  EXPECT_EQ(this->state_of(first), ItemState::kPending);
  EXPECT_EQ(this->state_of(second), ItemState::kPending);
  Result<std::vector<model::WorkItem>> items = j.claim("portal", 5, this->clock_.now_ms(), kLease);
  ASSERT_TRUE(items.is_ok());
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].attempts, 2);
  EXPECT_GT((*items)[0].leaseToken, this->token_of(first));
  // The lease of the last process is gone with it: its token settles nothing.
  EXPECT_EQ(j.settle(first, this->token_of(first), delivered()).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(j.settle(first, (*items)[0].leaseToken, delivered()).is_ok());
}

TYPED_TEST(JournalConformance, OnlyAnInflightItemCanBeSettledUnderItsToken) {
  Journal& j = this->open();
  this->accept_ok(make_intake("k1", "bp-1"));
  const int64_t id = this->item_id("k1");
  EXPECT_EQ(j.settle(id, 0, delivered()).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(j.settle(id + 1000, 1, delivered()).code(), StatusCode::kNotFound);
  EXPECT_EQ(this->claim_ids("portal"), std::vector<int64_t>{id});
  const int64_t token = this->token_of(id);
  EXPECT_EQ(j.settle(id, token + 1, delivered()).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(j.settle(id, token - 1, delivered()).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(this->state_of(id), ItemState::kInFlight) << "a refused settle changes nothing";
  EXPECT_EQ(this->hops(j, "bp-1"), std::vector<std::string>{"accepted"});
  EXPECT_TRUE(j.settle(id, token, delivered()).is_ok());
  EXPECT_EQ(j.settle(id, token, delivered()).code(), StatusCode::kFailedPrecondition);
}

TYPED_TEST(JournalConformance, ReplayAndParkFollowTheLifecycle) {
  Journal& j = this->open();
  this->accept_ok(make_intake("k1", "bp-1"));
  this->accept_ok(make_intake("k2", "bp-2"));
  const int64_t first = this->item_id("k1");
  const int64_t second = this->item_id("k2");
  const int64_t unknown = second + 1000;

  // pending -> parked by an operator; parking twice is refused.
  ASSERT_TRUE(j.park(first, "wrong recipient").is_ok());
  Result<StoredItem> parked = j.get(first);
  EXPECT_EQ(parked->state, ItemState::kParked);
  EXPECT_EQ(parked->last_error, "wrong recipient");
  EXPECT_EQ(j.park(first, "again").code(), StatusCode::kFailedPrecondition);

  // parked -> pending, due now, attempts reset.
  EXPECT_EQ(this->claim_ids("portal"), std::vector<int64_t>{second});
  ASSERT_TRUE(this->settle(second, retry_at(this->clock_.now_ms() + 1'000)).is_ok());
  this->clock_.advance(Millis(500));
  ASSERT_TRUE(j.replay(first, "").is_ok());
  ASSERT_TRUE(j.replay(second, "").is_ok()) << "a pending item may be replayed to make it due now";
  Result<StoredItem> replayed = j.get(second);
  EXPECT_EQ(replayed->state, ItemState::kPending);
  EXPECT_EQ(replayed->item.attempts, 0);
  EXPECT_EQ(replayed->next_attempt_ms, this->clock_.now_ms());
  EXPECT_EQ(this->claim_ids("portal"), (std::vector<int64_t>{first, second}));

  // inflight: cannot be replayed, can be parked; its worker's settle then fails.
  EXPECT_EQ(j.replay(first, "").code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(j.park(second, "").is_ok());
  EXPECT_EQ(j.get(second)->last_error, "parked by an operator");
  EXPECT_EQ(this->settle(second, delivered()).code(), StatusCode::kFailedPrecondition);

  // done is final.
  ASSERT_TRUE(this->settle(first, delivered()).is_ok());
  EXPECT_EQ(j.replay(first, "").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(j.park(first, "late").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(j.replay(unknown, "").code(), StatusCode::kNotFound);
  EXPECT_EQ(j.park(unknown, "x").code(), StatusCode::kNotFound);

  EXPECT_EQ(this->hops(j, "bp-1"),
            (std::vector<std::string>{"accepted", "parked", "replayed", "delivered"}));
  EXPECT_TRUE(this->verify_chain().intact);
}

TYPED_TEST(JournalConformance, DepthCountsEveryStatePerDestination) {
  Journal& j = this->open();
  for (int i = 1; i <= 4; ++i) {
    this->accept_ok(make_intake("k" + std::to_string(i), "bp-" + std::to_string(i), {"portal"}));
  }
  this->accept_ok(make_intake("k5", "bp-5", {"afs"}));
  std::vector<int64_t> claimed = this->claim_ids("portal", 3);
  ASSERT_EQ(claimed.size(), 3u);
  ASSERT_TRUE(this->settle(claimed[0], delivered()).is_ok());
  ASSERT_TRUE(this->settle(claimed[1], park_it()).is_ok());

  Result<std::vector<DepthRow>> rows = j.depth();
  ASSERT_TRUE(rows.is_ok()) << rows.status().to_string();
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

TYPED_TEST(JournalConformance, ListIsNewestFirstAndFiltered) {
  Journal& j = this->open();
  this->accept_ok(make_intake("k1", "bp-1", {"portal", "afs"}));
  this->accept_ok(make_intake("k2", "bp-2", {"portal"}));
  const int64_t newest = this->item_id("k2");
  ASSERT_TRUE(j.park(newest, "operator").is_ok());

  Result<std::vector<StoredItem>> all = j.list({});
  ASSERT_TRUE(all.is_ok()) << all.status().to_string();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].item.id, newest);
  EXPECT_EQ((*all)[1].item.id, this->item_id("k1", 1));
  EXPECT_EQ((*all)[2].item.id, this->item_id("k1"));

  ItemFilter parked;
  parked.state = ItemState::kParked;
  ASSERT_EQ(j.list(parked)->size(), 1u);
  EXPECT_EQ(j.list(parked)->front().item.id, newest);
  ItemFilter by_case;
  by_case.business_process_id = "bp-1";
  by_case.destination = "portal";
  ASSERT_EQ(j.list(by_case)->size(), 1u);
  EXPECT_EQ(j.list(by_case)->front().item.id, this->item_id("k1"));
  ItemFilter limited;
  limited.limit = 2;
  EXPECT_EQ(j.list(limited)->size(), 2u);
}

TYPED_TEST(JournalConformance, BacklogCountsOpenItemsAndTheOldest) {
  Journal& j = this->open();
  const int64_t first = this->clock_.now_ms();
  this->accept_ok(make_intake("k1", "bp-1", {"afs:box"}));
  this->clock_.advance(Millis(5000));
  this->accept_ok(make_intake("k2", "bp-2", {"afs:box"}));
  auto b = j.backlog("afs:box");
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  EXPECT_EQ(b->open, 2);
  EXPECT_EQ(b->oldest_open_ms, first);
  const int64_t oldest_id = b->oldest_open_id;
  EXPECT_EQ(oldest_id, this->item_id("k1"));
  std::vector<int64_t> claimed = this->claim_ids("afs:box", 1);
  ASSERT_EQ(claimed.size(), 1u);
  ASSERT_TRUE(this->settle(claimed.front(), delivered()).is_ok());
  b = j.backlog("afs:box");
  EXPECT_EQ(b->open, 1);
  EXPECT_EQ(b->oldest_open_ms, first + 5000);
  EXPECT_GT(b->oldest_open_id, oldest_id);
  EXPECT_EQ(j.backlog("elsewhere")->open, 0);
}

}  // namespace
}  // namespace portier::journal::testing
