// The evidence chain as the journal records it: what each hop carries, and one verifiable chain
// across restarts and across handles writing in turn.
#include <gtest/gtest.h>

#include "tests/core/journal/conformance/journal_conformance.h"

namespace portier::journal::testing {
namespace {

TYPED_TEST_SUITE(JournalConformance, Stores, StoreName);

TYPED_TEST(JournalConformance, RecordedChainVerifiesAndCarriesTheDigests) {
  // Five records: accepted x2, delivered, retry, parked.
  Journal& j = this->open();
  this->accept_ok(make_intake("k1", "bp-1"));
  this->accept_ok(make_intake("k2", "bp-2"));
  const int64_t first = this->item_id("k1");
  const int64_t second = this->item_id("k2");
  ASSERT_EQ(this->claim_ids("portal"), (std::vector<int64_t>{first, second}));
  ASSERT_TRUE(this->settle(first, delivered()).is_ok());
  ASSERT_TRUE(this->settle(second, retry_at(this->clock_.now_ms())).is_ok());
  ASSERT_EQ(this->claim_ids("portal"), std::vector<int64_t>{second});
  ASSERT_TRUE(this->settle(second, park_it()).is_ok());
  evidence::Verdict v = this->verify_chain();
  EXPECT_TRUE(v.intact);
  EXPECT_EQ(v.records, 5);

  Result<std::vector<evidence::Record>> ev = j.evidence(std::string("bp-1"));
  ASSERT_TRUE(ev.is_ok());
  ASSERT_EQ(ev->size(), 2u);
  const evidence::Record& d = (*ev)[1];
  EXPECT_EQ(d.hop, "delivered");
  EXPECT_EQ(d.destination, "portal");
  EXPECT_EQ(d.work_item_id, first);
  EXPECT_EQ(d.operation, "statusUpdate");
  EXPECT_EQ(d.department, "steueramt");
  EXPECT_EQ(d.request_sha256, "req");
  EXPECT_EQ(d.response_sha256, "resp");
  EXPECT_EQ(d.detail, "HTTP 201");
  EXPECT_EQ(d.at_ms, this->clock_.now_ms());
  EXPECT_EQ(d.hash, evidence::chain_hash(d));
  EXPECT_EQ(*j.evidence_high_water(), 5);
  EXPECT_EQ(this->hops(j, "bp-2"), (std::vector<std::string>{"accepted", "retry", "parked"}));
}

TYPED_TEST(JournalConformance, AReplayNamesWhoReplayedInItsEvidence) {
  Journal& j = this->open();
  this->accept_ok(make_intake("k1", "bp-1"));
  const int64_t item = this->item_id("k1");
  ASSERT_TRUE(j.park(item, "held").is_ok());
  ASSERT_TRUE(j.replay(item, "console:anna").is_ok());
  this->accept_ok(make_intake("k2", "bp-1"));
  const int64_t pending = this->item_id("k2");
  ASSERT_TRUE(j.replay(pending, "").is_ok());
  Result<std::vector<evidence::Record>> ev = j.evidence(std::string("bp-1"));
  ASSERT_TRUE(ev.is_ok());
  std::vector<std::string> replays;
  for (const evidence::Record& r : *ev) {
    if (r.hop == "replayed") replays.push_back(r.detail);
  }
  EXPECT_EQ(replays,
            (std::vector<std::string>{"was parked; replayed by console:anna", "was pending"}));
  EXPECT_TRUE(this->verify_chain().intact);
}

TYPED_TEST(JournalConformance, ReopeningKeepsDataAndTheChainGoesOn) {
  this->open();
  this->accept_ok(make_intake("k1", "bp-1"));
  this->close();
  Journal& j = this->open();
  EXPECT_TRUE(*j.knows_intake("k1"));
  Result<IntakeOutcome> dup = accept_and_wait(j, make_intake("k1", "bp-1"));
  ASSERT_TRUE(dup.is_ok()) << dup.status().to_string();
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->answer, "answer:k1");
  this->accept_ok(make_intake("k2", "bp-1"));
  evidence::Verdict v = this->verify_chain();
  EXPECT_TRUE(v.intact);
  EXPECT_EQ(v.records, 2);
}

TYPED_TEST(JournalConformance, TwoHandlesWritingInTurnExtendOneChain) {
  // The chain's head is read inside each writing transaction: a handle that kept its own head
  // (as the journal once did) would link its next record to a stale hash here.
  Journal& daemon = this->open();
  Journal& ctl = this->open_beside("portierctl");
  this->accept_ok(daemon, make_intake("k1", "bp-1"));
  const int64_t first = this->item_id("k1");
  ASSERT_TRUE(ctl.park(first, "held by an operator").is_ok());
  this->accept_ok(daemon, make_intake("k2", "bp-2"));
  ASSERT_TRUE(ctl.replay(first, "portierctl").is_ok());
  this->accept_ok(ctl, make_intake("k3", "bp-3"));
  EXPECT_EQ(this->claim_ids(daemon, "portal"),
            (std::vector<int64_t>{first, this->item_id("k2"), this->item_id("k3")}));
  ASSERT_TRUE(this->settle(daemon, first, delivered()).is_ok());

  for (Journal* j : {&daemon, &ctl}) {
    evidence::Verdict v = this->verify_chain(*j);
    EXPECT_TRUE(v.intact) << (v.problems.empty() ? "" : v.problems[0]);
    EXPECT_EQ(v.records, 6);
    EXPECT_EQ(*j->evidence_high_water(), 6);
  }
  std::vector<evidence::Record> chain = this->chain(ctl);
  ASSERT_EQ(chain.size(), 6u);
  for (size_t i = 0; i < chain.size(); ++i) {
    EXPECT_EQ(chain[i].seq, static_cast<int64_t>(i + 1));
    if (i > 0) {
      EXPECT_EQ(chain[i].prev_hash, chain[i - 1].hash) << "seq " << chain[i].seq;
    }
  }
  EXPECT_EQ(this->hops(daemon, "bp-1"),
            (std::vector<std::string>{"accepted", "parked", "replayed", "delivered"}));

  // And the daemon, started again, goes on from the head the other handle moved.
  this->close();
  this->accept_ok(ctl, make_intake("k4", "bp-4"));
  Journal& reopened = this->open();
  this->accept_ok(reopened, make_intake("k5", "bp-5"));
  evidence::Verdict v = this->verify_chain(reopened);
  EXPECT_TRUE(v.intact) << (v.problems.empty() ? "" : v.problems[0]);
  EXPECT_EQ(v.records, 8);
}

}  // namespace
}  // namespace portier::journal::testing
