// Intake: what is committed with an idempotency key (work items, cases, evidence), what a
// duplicate or a failing build leaves behind, and finding an intake's items again.
#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <memory>
#include <stdexcept>

#include "tests/core/journal/conformance/journal_conformance.h"

namespace portier::journal::testing {
namespace {

model::Message submission(const std::string& id) {
  model::FormSubmission f;
  f.mailbox = "box";
  f.submissionId = id;
  f.formId = "F";
  model::Message m;
  m.__set_formSubmission(f);
  return m;
}

// An intake of department "amt" whose build runs `body`.
Intake poller_intake(const std::string& key, const std::string& bpid,
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
  return in;
}

TYPED_TEST_SUITE(JournalConformance, Stores, StoreName);

TYPED_TEST(JournalConformance, AcceptCommitsIntakeWorkItemsAndEvidence) {
  Journal& j = this->open();
  Result<IntakeOutcome> r = accept_and_wait(j, make_intake("k1", "bp-1", {"portal", "rc_adapter"}));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_FALSE(r->duplicate);
  EXPECT_EQ(r->answer, "answer:k1");
  EXPECT_TRUE(*j.knows_intake("k1"));
  EXPECT_EQ(this->item_count(), 2u);
  EXPECT_EQ(this->chain(j).size(), 1u);

  Result<std::vector<StoredItem>> items = j.items_of_intake("k1");
  ASSERT_TRUE(items.is_ok() && items->size() == 2u);
  Result<StoredItem> first = j.get((*items)[0].item.id);
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(first->state, ItemState::kPending);
  EXPECT_EQ(first->kind, "statusUpdate");
  EXPECT_EQ(first->item.idempotencyKey, "k1/portal/1");
  EXPECT_EQ(first->item.destination, "portal");
  EXPECT_EQ(first->item.correlationId, "corr-k1");
  EXPECT_EQ(first->item.message.statusUpdate.businessCaseId, "bp-1");
  EXPECT_EQ(first->next_attempt_ms, this->clock_.now_ms());
  EXPECT_EQ(first->payload_sha256, sha256_hex(model::encode(status_update("bp-1"))));
  Result<StoredItem> second = j.get((*items)[1].item.id);
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(second->item.idempotencyKey, "k1/rc_adapter/2");
  EXPECT_GT(second->item.id, first->item.id);

  Result<std::vector<evidence::Record>> ev = j.evidence(std::string("bp-1"));
  ASSERT_TRUE(ev.is_ok());
  ASSERT_EQ(ev->size(), 1u);
  EXPECT_EQ((*ev)[0].hop, "accepted");
  EXPECT_EQ((*ev)[0].operation, "reportStatus");
  EXPECT_EQ((*ev)[0].detail, "2");
  EXPECT_EQ((*ev)[0].request_sha256, sha256_hex("k1"));
  EXPECT_TRUE(j.health().is_ok());
}

TYPED_TEST(JournalConformance, DuplicateKeyReturnsFirstAnswerAndStoresNothing) {
  Journal& j = this->open();
  this->accept_ok(make_intake("k1", "bp-1"));
  bool built_again = false;
  Intake again = make_intake("k1", "bp-1", {"portal", "afs"});
  again.build = [&built_again](IntakeTransaction& txn) -> Result<std::string> {
    built_again = true;
    txn.enqueue("afs", status_update("bp-1"));
    return std::string("another answer");
  };
  Result<IntakeOutcome> r = accept_and_wait(j, again);
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r->duplicate);
  EXPECT_EQ(r->answer, "answer:k1");
  EXPECT_FALSE(built_again);
  EXPECT_EQ(j.items_of_intake("k1")->size(), 1u);
  EXPECT_EQ(this->item_count(), 1u);
  EXPECT_EQ(this->chain(j).size(), 1u);
}

TYPED_TEST(JournalConformance, DuplicateKeyOfAnotherDepartmentIsRefused) {
  Journal& j = this->open();
  this->accept_ok(make_intake("k1", "bp-1"));
  Intake other = make_intake("k1", "bp-1");
  other.department = "bauamt";
  Result<IntakeOutcome> r = accept_and_wait(j, other);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
}

TYPED_TEST(JournalConformance, BuildErrorStoresNothing) {
  Journal& j = this->open();
  Intake bad = make_intake("k1", "bp-1");
  bad.build = [](IntakeTransaction& txn) -> Result<std::string> {
    txn.enqueue("portal", status_update("bp-1"));
    txn.open_case({"bp-1", "case-1", "steueramt", 7, "owner", 0});
    return invalid_argument("serviceId 7 is not ours");
  };
  Result<IntakeOutcome> r = accept_and_wait(j, bad);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "serviceId 7 is not ours");
  EXPECT_FALSE(*j.knows_intake("k1"));
  EXPECT_EQ(this->item_count(), 0u);
  EXPECT_FALSE(j.find_case("bp-1")->has_value());
  EXPECT_TRUE(this->chain(j).empty());
  EXPECT_EQ(*j.evidence_high_water(), 0);

  // A build that throws is an error too, and the key stays free for a good attempt.
  Intake throws = make_intake("k1", "bp-1");
  throws.build = [](IntakeTransaction&) -> Result<std::string> { throw std::runtime_error("x"); };
  EXPECT_EQ(accept_and_wait(j, throws).status().code(), StatusCode::kInternal);
  this->accept_ok(make_intake("k1", "bp-1"));
  EXPECT_EQ(this->item_count(), 1u);
  EXPECT_TRUE(this->verify_chain().intact);
}

TYPED_TEST(JournalConformance, OpenCaseIsVisibleInsideAndAfterTheTransaction) {
  Journal& j = this->open();
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
  this->accept_ok(opening);
  EXPECT_FALSE(seen_before);
  EXPECT_TRUE(seen_inside);
  Result<std::optional<BusinessCaseRecord>> c = j.find_case("bp-1");
  ASSERT_TRUE(c.is_ok() && c->has_value());
  EXPECT_EQ((*c)->business_case_id, "case-1");
  EXPECT_EQ((*c)->department, "steueramt");
  EXPECT_EQ((*c)->service_id, 7);
  EXPECT_EQ((*c)->owner_id, "owner-1");
  EXPECT_EQ((*c)->opened_ms, this->clock_.now_ms());

  // Opening the same case twice fails the second intake as a whole.
  Intake twice = opening;
  twice.idempotency_key = "k2";
  Result<IntakeOutcome> r = accept_and_wait(j, twice);
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(this->item_count(), 1u);
  EXPECT_TRUE(*j.knows_intake("k1"));
  EXPECT_FALSE(*j.knows_intake("k2"));
}

TYPED_TEST(JournalConformance, OneFailingOperationInABatchRollsBackOnlyItself) {
  Journal& j = this->open();  // group_commit_max 64
  // Enqueued back to back, these land in one or a few batches; the failing ones must leave no
  // trace, not even in the evidence chain.
  std::vector<std::future<Result<IntakeOutcome>>> results;
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
  int known = 0;
  for (int i = 0; i < 40; ++i) {
    const bool k = *j.knows_intake("k" + std::to_string(i));
    EXPECT_EQ(k, i % 4 != 1) << "k" << i;
    known += k ? 1 : 0;
  }
  EXPECT_EQ(known, 30);
  EXPECT_EQ(this->item_count(), 30u);
  EXPECT_TRUE(this->verify_chain().intact);
  EXPECT_EQ(*j.evidence_high_water(), 30);
}

TYPED_TEST(JournalConformance, KnowsAnIntakeByItsKeyAndListsItsItemsInOrder) {
  Journal& j = this->open();
  EXPECT_FALSE(*j.knows_intake("afs/box/1"));
  this->accept_ok(poller_intake("afs/box/1", "bp-1", [](IntakeTransaction& txn) {
    txn.enqueue("department", submission("1"));
    txn.enqueue("afs:box", submission("1"));
  }));
  this->accept_ok(poller_intake("afs/box/10", "bp-10", [](IntakeTransaction& txn) {
    txn.enqueue("department", submission("10"));
  }));
  EXPECT_TRUE(*j.knows_intake("afs/box/1"));
  auto items = j.items_of_intake("afs/box/1");
  ASSERT_TRUE(items.is_ok());
  ASSERT_EQ(items->size(), 2u);  // not afs/box/10's
  EXPECT_EQ((*items)[0].item.destination, "department");
  EXPECT_EQ((*items)[1].item.destination, "afs:box");
  EXPECT_TRUE(j.items_of_intake("afs/box")->empty());
}

TYPED_TEST(JournalConformance, AnItemParkedAtIntakeIsKeptAndNeverClaimed) {
  Journal& j = this->open();
  this->accept_ok(poller_intake("afs/box/bad", "", [](IntakeTransaction& txn) {
    txn.enqueue_parked("afs:box", submission("bad"), "form data is not XML");
  }));
  auto claimed = j.claim("afs:box", 10, this->clock_.now_ms(), 30'000);
  ASSERT_TRUE(claimed.is_ok());
  EXPECT_TRUE(claimed->empty());
  auto items = j.items_of_intake("afs/box/bad");
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].state, ItemState::kParked);
  EXPECT_EQ((*items)[0].last_error, "form data is not XML");
  auto b = j.backlog("afs:box");
  EXPECT_EQ(b->open, 0);
  EXPECT_EQ(b->parked, 1);
}

}  // namespace
}  // namespace portier::journal::testing
