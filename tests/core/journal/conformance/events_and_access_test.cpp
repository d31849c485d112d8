// What guards the doors (nonces, shared by every handle on the store; the audit log) and what
// departments that pull learn (department events, acknowledgements, items held until then).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "tests/core/journal/conformance/journal_conformance.h"

namespace portier::journal::testing {
namespace {

Intake with_nonce(Intake intake, const std::string& value, int64_t expires_ms) {
  intake.nonce = Nonce{value, expires_ms};
  return intake;
}

Intake for_department(Intake intake, const std::string& department) {
  intake.department = department;
  return intake;
}

std::vector<int64_t> seqs_of(const std::vector<DepartmentEvent>& events) {
  std::vector<int64_t> seqs;
  for (const DepartmentEvent& e : events) seqs.push_back(e.seq);
  return seqs;
}

TYPED_TEST_SUITE(JournalConformance, Stores, StoreName);

TYPED_TEST(JournalConformance, ReplayedNonceFailsTheIntakeAndStoresNothing) {
  Journal& j = this->open();
  const int64_t expires = this->clock_.now_ms() + kNonceWindow;
  this->accept_ok(with_nonce(make_intake("k1", "bp-1"), "n1", expires));

  bool built = false;
  Intake replay = with_nonce(make_intake("k2", "bp-2"), "n1", expires);
  replay.build = [&built](IntakeTransaction& txn) -> Result<std::string> {
    built = true;
    txn.enqueue("portal", status_update("bp-2"));
    return std::string("answer:k2");
  };
  Result<IntakeOutcome> r = accept_and_wait(j, replay);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(r.status().message(), "WS-Security nonce was used before (replay)");
  EXPECT_FALSE(built);
  // The nonce is checked before the key: a replay of the very same request is refused too.
  EXPECT_EQ(
      accept_and_wait(j, with_nonce(make_intake("k1", "bp-1"), "n1", expires)).status().code(),
      StatusCode::kAlreadyExists);
  EXPECT_TRUE(*j.knows_intake("k1"));
  EXPECT_FALSE(*j.knows_intake("k2"));
  EXPECT_EQ(this->item_count(), 1u);
  EXPECT_EQ(this->chain(j).size(), 1u);
  EXPECT_TRUE(this->verify_chain().intact);
  // Kept once, with the first use's expiry: alive until `expires`, free after it.
  this->clock_.set(expires);
  EXPECT_FALSE(this->remember(j, "steueramt", {"n1", expires + kNonceWindow}));
  this->clock_.set(expires + 1);
  EXPECT_TRUE(this->remember(j, "steueramt", {"n1", expires + kNonceWindow}));
}

TYPED_TEST(JournalConformance, FailedIntakeLeavesItsNonceUnused) {
  Journal& j = this->open();
  Intake broken = with_nonce(make_intake("k1", "bp-1"), "n1", this->clock_.now_ms() + kNonceWindow);
  broken.build = [](IntakeTransaction&) -> Result<std::string> {
    return invalid_argument("no mapping");
  };
  EXPECT_EQ(accept_and_wait(j, broken).status().code(), StatusCode::kInvalidArgument);
  this->accept_ok(
      with_nonce(make_intake("k1", "bp-1"), "n1", this->clock_.now_ms() + kNonceWindow));
  EXPECT_FALSE(this->remember(j, "steueramt", this->nonce("n1")));
}

TYPED_TEST(JournalConformance, DuplicateKeyWithAFreshNonceIsStillADuplicate) {
  Journal& j = this->open();
  this->accept_ok(
      with_nonce(make_intake("k1", "bp-1"), "n1", this->clock_.now_ms() + kNonceWindow));
  Result<IntakeOutcome> again = accept_and_wait(
      j, with_nonce(make_intake("k1", "bp-1"), "n2", this->clock_.now_ms() + kNonceWindow));
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->answer, "answer:k1");
  // Both nonces are kept.
  EXPECT_FALSE(this->remember(j, "steueramt", this->nonce("n1")));
  EXPECT_FALSE(this->remember(j, "steueramt", this->nonce("n2")));
}

TYPED_TEST(JournalConformance, SameNonceOfAnotherDepartmentIsFine) {
  Journal& j = this->open();
  const int64_t expires = this->clock_.now_ms() + kNonceWindow;
  this->accept_ok(with_nonce(make_intake("steueramt/1", "bp-1"), "n1", expires));
  this->accept_ok(
      with_nonce(for_department(make_intake("bauamt/1", "bp-2"), "bauamt"), "n1", expires));
  EXPECT_FALSE(this->remember(j, "bauamt", this->nonce("n1")));
  EXPECT_FALSE(this->remember(j, "steueramt", this->nonce("n1")));
  EXPECT_TRUE(this->remember(j, "gesundheitsamt", this->nonce("n1")));
  EXPECT_FALSE(this->remember(j, "gesundheitsamt", this->nonce("n1")));
}

TYPED_TEST(JournalConformance, ExpiredNonceMayBeUsedAgain) {
  Journal& j = this->open();
  const int64_t expires = this->clock_.now_ms() + 1000;
  EXPECT_TRUE(this->remember(j, "steueramt", {"n1", expires}));
  EXPECT_FALSE(this->remember(j, "steueramt", {"n1", expires}));
  this->clock_.set(expires);
  EXPECT_FALSE(this->remember(j, "steueramt", {"n1", expires + 1000})) << "alive until expires_ms";
  this->clock_.set(expires + 1);
  EXPECT_TRUE(this->remember(j, "steueramt", {"n1", expires + kNonceWindow}));
  EXPECT_FALSE(this->remember(j, "steueramt", {"n1", expires + kNonceWindow}));
  // The new use's expiry is the one kept.
  this->clock_.set(expires + kNonceWindow);
  EXPECT_FALSE(this->remember(j, "steueramt", {"n1", expires + 2 * kNonceWindow}));

  // Through an intake as well.
  this->clock_.set(expires + kNonceWindow + 1);
  this->accept_ok(
      with_nonce(make_intake("k1", "bp-1"), "n1", this->clock_.now_ms() + kNonceWindow));
  EXPECT_EQ(j.remember_nonce("steueramt", {"", expires}).status().code(),
            StatusCode::kInvalidArgument);
}

TYPED_TEST(JournalConformance, NoncesHoldAcrossInstancesAndReopen) {
  Journal& first = this->open();
  this->accept_ok(
      with_nonce(make_intake("k1", "bp-1"), "n1", this->clock_.now_ms() + kNonceWindow));

  // A nonce remembered through one handle is refused through the other, both ways.
  Journal& second = this->open_beside("node-b");
  Result<IntakeOutcome> replay = accept_and_wait(
      second, with_nonce(make_intake("k2", "bp-2"), "n1", this->clock_.now_ms() + kNonceWindow));
  EXPECT_EQ(replay.status().code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(this->remember(second, "steueramt", this->nonce("n1")));
  EXPECT_TRUE(this->remember(second, "steueramt", this->nonce("n2")));
  EXPECT_FALSE(this->remember(first, "steueramt", this->nonce("n2")));
  Result<IntakeOutcome> replay_here = accept_and_wait(
      first, with_nonce(make_intake("k3", "bp-3"), "n2", this->clock_.now_ms() + kNonceWindow));
  EXPECT_EQ(replay_here.status().code(), StatusCode::kAlreadyExists);
  this->others_.clear();
  this->close();

  Journal& reopened = this->open();
  EXPECT_FALSE(this->remember(reopened, "steueramt", this->nonce("n1")));
  EXPECT_FALSE(this->remember(reopened, "steueramt", this->nonce("n2")));
  EXPECT_TRUE(*reopened.knows_intake("k1"));
  EXPECT_FALSE(*reopened.knows_intake("k2"));
  EXPECT_FALSE(*reopened.knows_intake("k3"));
}

TYPED_TEST(JournalConformance, AuditLogIsNewestFirst) {
  Journal& j = this->open();
  AuditEntry first;
  first.department = "steueramt";
  first.remote_address = "192.0.2.7:50112";
  first.operation = "reportStatus";
  first.business_process_id = "bp-9";
  first.reason = "business case belongs to another department";
  first.correlation_id = "corr-1";
  ASSERT_TRUE(j.audit(first).is_ok());
  this->clock_.advance(Millis(5));
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
  EXPECT_EQ(oldest.at_ms, this->clock_.now_ms() - 5);
  EXPECT_EQ(oldest.department, first.department);
  EXPECT_EQ(oldest.remote_address, first.remote_address);
  EXPECT_EQ(oldest.operation, first.operation);
  EXPECT_EQ(oldest.business_process_id, first.business_process_id);
  EXPECT_EQ(oldest.reason, first.reason);
  EXPECT_EQ(oldest.correlation_id, first.correlation_id);
  EXPECT_EQ(j.audit_log(1)->size(), 1u);
}

TYPED_TEST(JournalConformance, ParkingAddsOneDeliveryFailedEventForTheItemsDepartment) {
  Journal& j = this->open();
  this->accept_ok(make_intake("steueramt/1", "bp-1"));
  this->accept_ok(for_department(make_intake("bauamt/1", "bp-2"), "bauamt"));
  const int64_t mine = this->item_id("steueramt/1");
  const int64_t theirs = this->item_id("bauamt/1");
  ASSERT_EQ(this->claim_ids("portal"), (std::vector<int64_t>{mine, theirs}));

  // A retry tells nobody; parking by settle does.
  ASSERT_TRUE(this->settle(mine, retry_at(this->clock_.now_ms())).is_ok());
  EXPECT_TRUE(this->open_events("steueramt").empty());
  ASSERT_EQ(this->claim_ids("portal"), std::vector<int64_t>{mine});
  ASSERT_TRUE(this->settle(mine, park_it()).is_ok());
  std::vector<DepartmentEvent> steueramt = this->open_events("steueramt");
  ASSERT_EQ(steueramt.size(), 1u);
  EXPECT_EQ(steueramt[0].department, "steueramt");
  EXPECT_EQ(steueramt[0].kind, "deliveryFailed");
  EXPECT_EQ(steueramt[0].business_process_id, "bp-1");
  EXPECT_EQ(steueramt[0].at_ms, this->clock_.now_ms());
  boost::json::object detail = boost::json::parse(steueramt[0].detail).as_object();
  EXPECT_EQ(detail.at("workItemId").as_int64(), mine);
  EXPECT_EQ(detail.at("destination").as_string(), "portal");
  EXPECT_EQ(detail.at("kind").as_string(), "statusUpdate");
  EXPECT_EQ(detail.at("error").as_string(), "HTTP 400");
  EXPECT_TRUE(this->open_events("bauamt").empty());

  // Parking by an operator; a refused park (item already parked) adds nothing.
  ASSERT_TRUE(j.park(theirs, "counterpart gone").is_ok());
  EXPECT_EQ(j.park(theirs, "again").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(this->settle(mine, park_it()).code(), StatusCode::kFailedPrecondition);
  std::vector<DepartmentEvent> bauamt = this->open_events("bauamt");
  ASSERT_EQ(bauamt.size(), 1u);
  EXPECT_EQ(bauamt[0].kind, "deliveryFailed");
  EXPECT_EQ(bauamt[0].business_process_id, "bp-2");
  detail = boost::json::parse(bauamt[0].detail).as_object();
  EXPECT_EQ(detail.at("workItemId").as_int64(), theirs);
  EXPECT_EQ(detail.at("error").as_string(), "counterpart gone");
  EXPECT_EQ(this->open_events("steueramt").size(), 1u);
}

TYPED_TEST(JournalConformance, EventsArePagedOldestFirstAfterASeq) {
  Journal& j = this->open();
  std::vector<int64_t> mine;
  for (int i = 0; i < 5; ++i) {
    mine.push_back(this->add("steueramt", "messageRead"));
    this->add("bauamt", "messageRead");
  }
  std::vector<DepartmentEvent> page = this->open_events("steueramt", 0, 2);
  EXPECT_EQ(seqs_of(page), (std::vector<int64_t>{mine[0], mine[1]}));
  EXPECT_EQ(page[0].kind, "messageRead");
  EXPECT_EQ(page[0].business_process_id, "bp-steueramt");
  EXPECT_EQ(page[0].at_ms, this->clock_.now_ms());
  EXPECT_EQ(page[0].detail, "{}");
  page = this->open_events("steueramt", page.back().seq, 2);
  EXPECT_EQ(seqs_of(page), (std::vector<int64_t>{mine[2], mine[3]}));
  page = this->open_events("steueramt", page.back().seq, 2);
  EXPECT_EQ(seqs_of(page), std::vector<int64_t>{mine[4]});
  EXPECT_TRUE(this->open_events("steueramt", mine[4], 2).empty());
  EXPECT_EQ(this->open_events("bauamt").size(), 5u);

  DepartmentEvent nameless;
  nameless.kind = "messageRead";
  EXPECT_EQ(j.add_event(nameless).code(), StatusCode::kInvalidArgument);
}

TYPED_TEST(JournalConformance, AckAffectsOnlyTheCallersDepartment) {
  Journal& j = this->open();
  const int64_t a = this->add("steueramt", "deliveryFailed");
  const int64_t theirs = this->add("bauamt", "deliveryFailed");
  const int64_t b = this->add("steueramt", "messageRead");

  Result<int> acked = j.ack_events("steueramt", {a, theirs, b + 1000});
  ASSERT_TRUE(acked.is_ok()) << acked.status().to_string();
  EXPECT_EQ(*acked, 1);
  EXPECT_EQ(seqs_of(this->open_events("steueramt")), std::vector<int64_t>{b});
  EXPECT_EQ(seqs_of(this->open_events("bauamt")), std::vector<int64_t>{theirs});
  EXPECT_EQ(*j.ack_events("steueramt", {a}), 0) << "already acknowledged";
  EXPECT_EQ(*j.ack_events("steueramt", {}), 0);
  EXPECT_EQ(*j.ack_events("steueramt", {b, b}), 1);
  EXPECT_TRUE(this->open_events("steueramt").empty());
  EXPECT_EQ(*j.ack_events("bauamt", {theirs}), 1);
  EXPECT_TRUE(this->open_events("bauamt").empty());
}

TYPED_TEST(JournalConformance, AnAcknowledgedEventReleasesTheItemItHolds) {
  Journal& j = this->open();
  Intake in = make_intake("k-held", "bp-held");
  in.build = [](IntakeTransaction& txn) -> Result<std::string> {
    DepartmentEvent offer{0, "steueramt", "formSubmitted", "bp-held", 0, "{}"};
    txn.hold_until_acknowledged("afs:box", status_update("bp-held"), "waiting", offer, "APP-1");
    return std::string("held");
  };
  Result<IntakeOutcome> r = accept_and_wait(j, in);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  auto nothing = j.claim("afs:box", 10, this->clock_.now_ms(), 60'000);
  ASSERT_TRUE(nothing.is_ok());
  EXPECT_TRUE(nothing->empty()) << "held until acknowledged";

  auto held = j.held_item("formSubmitted", "APP-1");
  ASSERT_TRUE(held.is_ok() && held->has_value()) << held.status().to_string();
  EXPECT_FALSE((*held)->acknowledged);
  EXPECT_EQ((*held)->item.state, ItemState::kParked);
  EXPECT_EQ((*held)->item.last_error, "waiting");
  EXPECT_EQ((*held)->item.item.id, this->item_id("k-held"));
  const int64_t seq = (*held)->event.seq;
  EXPECT_EQ(j.held_item((*held)->item.item.id)->value().event.seq, seq);
  EXPECT_FALSE(j.held_item("formSubmitted", "APP-2")->has_value());
  EXPECT_FALSE(j.held_item("messageRead", "APP-1")->has_value());

  EXPECT_EQ(*j.ack_events("bauamt", {seq}), 0) << "not theirs: nothing released";
  EXPECT_TRUE(j.claim("afs:box", 10, this->clock_.now_ms(), 60'000)->empty());
  EXPECT_EQ(*j.ack_events("steueramt", {seq}), 1);
  EXPECT_TRUE(j.held_item("formSubmitted", "APP-1")->value().acknowledged);
  auto released = j.claim("afs:box", 10, this->clock_.now_ms(), 60'000);
  ASSERT_TRUE(released.is_ok());
  ASSERT_EQ(released->size(), 1u);
  EXPECT_EQ(*j.ack_events("steueramt", {seq}), 0) << "acknowledged once";
  EXPECT_EQ(this->hops(j, "bp-held"), (std::vector<std::string>{"accepted", "released"}));
}

}  // namespace
}  // namespace portier::journal::testing
