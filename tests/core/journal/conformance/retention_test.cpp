// Retention on each store: only finished work is listed for the purge (a work item delivered,
// a registered delivery with its final receipt, a link rejected or revoked, an event
// acknowledged); purging deletes the content, keeps the digest, records it in the evidence
// chain once, and leaves the chain intact. (tests/core/retention tests the purge's decisions.)
#include <gtest/gtest.h>

#include <algorithm>

#include "core/model/redaction.h"
#include "tests/core/journal/conformance/journal_conformance.h"

namespace portier::journal::testing {
namespace {

constexpr int64_t kDay = 86'400'000;

model::Message status_with_text(const std::string& case_id, const std::string& text) {
  model::Message m = status_update(case_id);
  m.statusUpdate.__set_statusText(text);
  return m;
}

model::Message registered_document(const std::string& delivery_id) {
  model::DocumentDelivery d;
  d.__set_deliveryId(delivery_id);
  d.__set_documentKind("Veranlagungsverfuegung");
  d.__set_title("Veranlagung Hans Muster");
  d.__set_fileName("KantonSolothurn-Veranlagungsverfuegung-2026-11-30.pdf");
  d.__set_documentSha256(sha256_hex("the pdf of " + delivery_id));
  d.__set_channel(model::DeliveryChannel::REGISTERED);
  d.__set_recipient("hans.muster@example.ch");
  model::Message m;
  m.__set_documentDelivery(d);
  return m;
}

ReceiptRecord receipt(const std::string& delivery, const std::string& kind) {
  ReceiptRecord r;
  r.receipt_id = sha256_hex(delivery + kind);
  r.delivery_id = delivery;
  r.kind = kind;
  r.platform = "incamail";
  r.receipt_message_id = kind + "@platform";
  r.pdf_sha256 = sha256_hex("pdf" + delivery + kind);
  r.signature_sha256 = sha256_hex("sig" + delivery + kind);
  r.signature_valid = true;
  return r;
}

// One intake (its own key) that runs `build` for department "steueramt" and case "bp-1".
Intake intake_doing(const std::string& key, std::function<void(IntakeTransaction&)> build) {
  Intake in = make_intake(key, "bp-1");
  in.build = [build](IntakeTransaction& txn) -> Result<std::string> {
    build(txn);
    return std::string("ok");
  };
  return in;
}

std::vector<std::string> ids_of(const std::vector<FinishedContent>& content) {
  std::vector<std::string> ids;
  for (const FinishedContent& c : content) ids.push_back(c.id);
  return ids;
}

PurgeOrder order_for(const FinishedContent& c, const std::string& detail) {
  PurgeOrder o{c, detail, std::nullopt};
  if (c.message) o.kept = model::without_personal_data(*c.message);
  return o;
}

TYPED_TEST_SUITE(JournalConformance, Stores, StoreName);

TYPED_TEST(JournalConformance, OnlyDeliveredWorkItemsAreFinishedAndTheyArePagedInOrder) {
  Journal& j = this->open();
  this->accept_ok(make_intake("k1", "bp-1", {"portal", "portal", "portal", "elsewhere"}));
  const std::vector<int64_t> claimed = this->claim_ids("portal", 1);
  ASSERT_EQ(claimed.size(), 1u);
  ASSERT_TRUE(this->settle(claimed[0], delivered()).is_ok());
  // Deliver the case's next two; the fourth ("elsewhere") stays pending, and a parked one is
  // not finished either.
  for (int i = 0; i < 2; ++i) {
    auto next = this->claim_ids("portal", 1);
    ASSERT_EQ(next.size(), 1u);
    ASSERT_TRUE(this->settle(next[0], i == 0 ? delivered() : park_it()).is_ok());
  }
  this->clock_.advance(Millis(kDay));
  const int64_t now = this->clock_.now_ms();

  auto all = j.finished_content(ContentSource::kWorkItem, now, "", 10);
  ASSERT_TRUE(all.is_ok()) << all.status().to_string();
  ASSERT_EQ(all->size(), 2u) << "two delivered; one parked and one pending are not finished";
  EXPECT_EQ((*all)[0].work_item_id, this->item_id("k1", 0));
  EXPECT_EQ((*all)[1].work_item_id, this->item_id("k1", 1));
  const FinishedContent& first = (*all)[0];
  EXPECT_EQ(first.department, "steueramt");
  EXPECT_EQ(first.business_process_id, "bp-1");
  ASSERT_TRUE(first.message.has_value());
  EXPECT_TRUE(first.message->__isset.statusUpdate);
  EXPECT_EQ(first.content_sha256, j.get(first.work_item_id)->payload_sha256);
  EXPECT_LE(first.finished_ms, now - kDay);

  auto page = j.finished_content(ContentSource::kWorkItem, now, "", 1);
  ASSERT_TRUE(page.is_ok());
  ASSERT_EQ(page->size(), 1u);
  auto rest = j.finished_content(ContentSource::kWorkItem, now, page->back().id, 1);
  ASSERT_TRUE(rest.is_ok());
  EXPECT_EQ(ids_of(*rest), std::vector<std::string>{(*all)[1].id});
  auto too_early = j.finished_content(ContentSource::kWorkItem, now - 2 * kDay, "", 10);
  ASSERT_TRUE(too_early.is_ok());
  EXPECT_TRUE(too_early->empty()) << "finished after the given time";
}

TYPED_TEST(JournalConformance, PurgingAWorkItemKeepsItsDigestAndRecordsItOnceInTheChain) {
  Journal& j = this->open();
  this->accept_ok(intake_doing("k1", [](IntakeTransaction& txn) {
    txn.enqueue("portal", status_with_text("bp-1", "Hans Muster, Ihre Veranlagung"));
  }));
  const int64_t id = this->claim_ids("portal", 1).at(0);
  ASSERT_TRUE(this->settle(id, delivered()).is_ok());
  const std::string digest = j.get(id)->payload_sha256;
  auto finished = j.finished_content(ContentSource::kWorkItem, this->clock_.now_ms(), "", 10);
  ASSERT_TRUE(finished.is_ok() && finished->size() == 1u);

  const std::vector<PurgeOrder> orders = {order_for(finished->at(0), "purged: status text")};
  auto purged = j.purge_content(orders);
  ASSERT_TRUE(purged.is_ok()) << purged.status().to_string();
  EXPECT_EQ(*purged, std::vector<bool>{true});

  Result<StoredItem> item = j.get(id);
  ASSERT_TRUE(item.is_ok()) << item.status().to_string();
  EXPECT_NE(item->purged_ms, 0);
  EXPECT_EQ(item->payload_sha256, digest) << "the digest of what was accepted stays";
  EXPECT_EQ(item->state, ItemState::kDone);
  ASSERT_TRUE(item->item.message.__isset.statusUpdate) << item->last_error;
  EXPECT_FALSE(item->item.message.statusUpdate.__isset.statusText) << "the text is gone";
  EXPECT_EQ(item->item.message.statusUpdate.status, model::CaseStatus::IN_PROGRESS);

  auto records = j.evidence(std::string("bp-1"));
  ASSERT_TRUE(records.is_ok());
  const evidence::Record& last = records->back();
  EXPECT_EQ(last.hop, "purged");
  EXPECT_EQ(last.request_sha256, digest);
  EXPECT_EQ(last.work_item_id, id);
  EXPECT_EQ(last.detail, "purged: status text");
  EXPECT_TRUE(this->verify_chain().intact);

  // Once purged, never again: not listed, and a second order changes nothing.
  auto again = j.finished_content(ContentSource::kWorkItem, this->clock_.now_ms(), "", 10);
  ASSERT_TRUE(again.is_ok());
  EXPECT_TRUE(again->empty());
  auto twice = j.purge_content(orders);
  ASSERT_TRUE(twice.is_ok());
  EXPECT_EQ(*twice, std::vector<bool>{false});
  EXPECT_EQ(j.evidence(std::string("bp-1"))->size(), records->size());
}

TYPED_TEST(JournalConformance, ARegisteredDeliveryAndItsReceiptsFinishWithTheFinalReceipt) {
  Journal& j = this->open();
  const model::Message document = registered_document("d-1");
  this->accept_ok(intake_doing(
      "k1", [&document](IntakeTransaction& txn) { txn.enqueue("securemail", document); }));
  const int64_t id = this->claim_ids("securemail", 1).at(0);
  ASSERT_TRUE(this->settle(id, delivered()).is_ok());
  auto listed = [&](ContentSource source) {
    auto c = j.finished_content(source, this->clock_.now_ms() + kDay, "", 10);
    EXPECT_TRUE(c.is_ok()) << c.status().to_string();
    return c.is_ok() ? *c : std::vector<FinishedContent>{};
  };
  EXPECT_TRUE(listed(ContentSource::kWorkItem).empty()) << "awaiting its receipts";

  this->accept_ok(intake_doing(
      "k2", [](IntakeTransaction& txn) { txn.record_receipt(receipt("d-1", "SUBMISSION")); }));
  EXPECT_TRUE(listed(ContentSource::kWorkItem).empty()) << "awaiting the final receipt";
  EXPECT_TRUE(listed(ContentSource::kReceipt).empty());

  this->clock_.advance(Millis(3 * kDay));
  const int64_t final_at = this->clock_.now_ms();
  this->accept_ok(intake_doing(
      "k3", [](IntakeTransaction& txn) { txn.record_receipt(receipt("d-1", "ACCEPTANCE")); }));
  std::vector<FinishedContent> items = listed(ContentSource::kWorkItem);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_GE(items[0].finished_ms, final_at) << "finished with its final receipt";
  EXPECT_EQ(items[0].files, std::vector<std::string>{document.documentDelivery.documentSha256});
  std::vector<FinishedContent> receipts = listed(ContentSource::kReceipt);
  ASSERT_EQ(receipts.size(), 2u);
  for (const FinishedContent& r : receipts) {
    EXPECT_EQ(r.department, "steueramt");
    EXPECT_EQ(r.business_process_id, "bp-1");
    EXPECT_EQ(r.delivery_id, "d-1");
    EXPECT_EQ(r.files.size(), 3u);
    EXPECT_EQ(r.files[0], r.content_sha256) << "the raw message's digest is its id";
  }

  auto in_use = j.files_in_use();
  ASSERT_TRUE(in_use.is_ok());
  EXPECT_TRUE(in_use->contains(document.documentDelivery.documentSha256));
  EXPECT_TRUE(in_use->contains(receipt("d-1", "ACCEPTANCE").pdf_sha256));

  std::vector<PurgeOrder> orders;
  for (const FinishedContent& r : receipts) orders.push_back(order_for(r, "purged: receipt"));
  orders.push_back(order_for(items[0], "purged: document"));
  auto purged = j.purge_content(orders);
  ASSERT_TRUE(purged.is_ok()) << purged.status().to_string();
  EXPECT_EQ(*purged, std::vector<bool>(3, true));

  in_use = j.files_in_use();
  ASSERT_TRUE(in_use.is_ok());
  EXPECT_TRUE(in_use->empty()) << "nothing kept refers to a file any more";
  auto kept = j.receipts("d-1");
  ASSERT_TRUE(kept.is_ok());
  ASSERT_EQ(kept->size(), 2u);
  for (const ReceiptRecord& r : *kept) {
    EXPECT_NE(r.purged_ms, 0);
    EXPECT_FALSE(r.pdf_sha256.empty()) << "digests stay";
  }
  auto delivery = j.find_delivery("d-1");
  ASSERT_TRUE(delivery.is_ok() && delivery->has_value());
  const model::DocumentDelivery& d = (*delivery)->item.message.documentDelivery;
  EXPECT_EQ(d.deliveryId, "d-1");
  EXPECT_EQ(d.documentSha256, document.documentDelivery.documentSha256);
  EXPECT_EQ(d.channel, model::DeliveryChannel::REGISTERED);
  EXPECT_EQ(d.title, "");
  EXPECT_EQ(d.fileName, "");
  EXPECT_FALSE(d.__isset.recipient);
  EXPECT_EQ(this->hops(j, "bp-1").back(), "purged");
  EXPECT_TRUE(this->verify_chain().intact);
}

TYPED_TEST(JournalConformance, ALinkLosesItsPersonDataOnlyOnceRejectedOrRevoked) {
  Journal& j = this->open();
  IdentityCheckEntry e;
  e.check_id = "c-1";
  e.department = "steueramt";
  e.account_id = e.profile_id = "acc-1";
  e.service_id = 101;
  e.result = "MATCH";
  e.answered_from = "department";
  e.request_sha256 = std::string(64, 'a');
  e.detail = "{}";
  IdentityLinkRecord l;
  l.link_id = "link-1";
  l.account_id = l.profile_id = "acc-1";
  l.service_id = 101;
  l.department = "steueramt";
  l.state = "active";
  l.person_ref_category = "CH.SO.STEUERNR";
  l.person_ref_id = "ST-4711";
  l.coupling_sha256 = std::string(64, 'c');
  l.check_id = "c-1";
  e.new_link = l;
  ASSERT_TRUE(j.record_identity_check(e).is_ok());
  auto listed = [&] {
    return *j.finished_content(ContentSource::kIdentityLink, this->clock_.now_ms(), "", 10);
  };
  EXPECT_TRUE(listed().empty()) << "an active link is in use";

  ASSERT_TRUE(j.change_identity_link(
                   {"link-1", "", {"active"}, "revoked", "operator", "", "revokeIdentityLink"})
                  .is_ok());
  std::vector<FinishedContent> links = listed();
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].business_process_id, "identity:link-1");
  EXPECT_EQ(links[0].content_sha256.size(), 64u);
  auto purged = j.purge_content({order_for(links[0], "purged: person data")});
  ASSERT_TRUE(purged.is_ok()) << purged.status().to_string();

  auto link = j.identity_link("link-1");
  ASSERT_TRUE(link.is_ok() && link->has_value());
  EXPECT_EQ((*link)->person_ref_id, "");
  EXPECT_EQ((*link)->person_ref_category, "");
  EXPECT_EQ((*link)->account_id, "");
  EXPECT_EQ((*link)->state, "revoked");
  EXPECT_EQ((*link)->coupling_sha256, std::string(64, 'c')) << "the digest stays";
  EXPECT_EQ(this->hops(j, "identity:link-1").back(), "purged");
  EXPECT_TRUE(listed().empty());
  EXPECT_TRUE(this->verify_chain().intact);
}

TYPED_TEST(JournalConformance, AnEventLosesItsDetailOnlyOnceAcknowledged) {
  Journal& j = this->open();
  this->accept_ok(intake_doing("k-held", [](IntakeTransaction& txn) {
    DepartmentEvent offer{0,      "steueramt", "formSubmitted",
                          "bp-1", 0,           R"({"applicant":"Hans Muster"})"};
    txn.hold_until_acknowledged("afs:box", status_update("bp-1"), "waiting", offer, "APP-1");
  }));
  auto listed = [&] {
    return *j.finished_content(ContentSource::kEvent, this->clock_.now_ms(), "", 10);
  };
  EXPECT_TRUE(listed().empty()) << "not acknowledged yet";
  const int64_t seq = this->open_events("steueramt").at(0).seq;
  ASSERT_EQ(*j.ack_events("steueramt", {seq}), 1);

  std::vector<FinishedContent> events = listed();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, std::to_string(seq));
  EXPECT_EQ(events[0].content_sha256, sha256_hex(R"({"applicant":"Hans Muster"})"));
  auto purged = j.purge_content({order_for(events[0], "purged: event detail")});
  ASSERT_TRUE(purged.is_ok()) << purged.status().to_string();
  EXPECT_EQ(*purged, std::vector<bool>{true});

  auto held = j.held_item("formSubmitted", "APP-1");
  ASSERT_TRUE(held.is_ok() && held->has_value());
  EXPECT_EQ((*held)->event.detail, "{}");
  EXPECT_TRUE(listed().empty());
  EXPECT_EQ(this->hops(j, "bp-1").back(), "purged");
  EXPECT_TRUE(this->verify_chain().intact);
}

}  // namespace
}  // namespace portier::journal::testing
