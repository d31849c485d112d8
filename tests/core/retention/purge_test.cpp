// The purge on a SQLite journal, a real document store and a mapping file: each kind of content
// expires after its own retention (a document kind's override first), only finished work
// expires, a dry run changes nothing, and a run deletes content and unused files, keeps the
// digests, records each item in the evidence chain and leaves the chain intact.
#include "core/retention/purge.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/base/digest.h"
#include "core/evidence/chain.h"
#include "core/journal/sqlite/sqlite_journal.h"
#include "core/mapping/loader.h"

namespace portier::retention {
namespace {

namespace fs = std::filesystem;
using std::chrono::days;

constexpr char kMapping[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<mapping xmlns="urn:portier:mapping:1" name="steueramt" displayName="Steueramt">
  <authentication><clientCertificate subject="CN=steueramt"/></authentication>
  <services><service id="101"/></services>
  <documents prefix="KantonSolothurn">
    <kind name="Veranlagungsverfuegung" retention="P30D"/>
    <kind name="Steuerausweis"/>
  </documents>
  <retention documents="P10D" receipts="P100D" personalData="P20D"/>
</mapping>
)";

model::Message inbox_document(const std::string& id, const std::string& kind,
                              const std::string& sha256) {
  model::DocumentDelivery d;
  d.__set_deliveryId(id);
  d.__set_documentKind(kind);
  d.__set_title(kind + " Hans Muster");
  d.__set_fileName("KantonSolothurn-" + kind + ".pdf");
  d.__set_documentSha256(sha256);
  d.__set_channel(model::DeliveryChannel::INBOX);
  d.__set_ownerId("acc-hans");
  model::Message m;
  m.__set_documentDelivery(d);
  return m;
}

model::Message status_text(const std::string& text) {
  model::StatusUpdate u;
  u.__set_businessCaseId("case-1");
  u.__set_status(model::CaseStatus::IN_PROGRESS);
  u.__set_statusText(text);
  model::Message m;
  m.__set_statusUpdate(u);
  return m;
}

class PurgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("purge-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "mappings");
    std::ofstream(dir_ / "mappings" / "steueramt.xml") << kMapping;
    mapping::LoadResult loaded = mapping::load_folder((dir_ / "mappings").string());
    ASSERT_TRUE(loaded.set) << (loaded.problems.empty() ? "" : loaded.problems[0].to_string());
    mappings_ = loaded.set;
    auto store = documents::DocumentStore::open((dir_ / "documents").string());
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    documents_.emplace(std::move(*store));
    // The files' times are the real ones: the clock starts now.
    clock_.set(std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count());
    auto opened = journal::SqliteJournal::open((dir_ / "journal.db").string(), clock_);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    journal_ = std::move(*opened);
  }
  void TearDown() override {
    journal_.reset();
    fs::remove_all(dir_);
  }

  std::string store(const std::string& bytes) {
    auto stored = documents_->store_bytes(bytes, 1 << 20);
    EXPECT_TRUE(stored.is_ok()) << stored.status().to_string();
    return stored.is_ok() ? stored->sha256_hex : "";
  }
  // One intake of steueramt for case `bpid` that enqueues `message` for `destination`.
  void accept(const std::string& key, const std::string& bpid, const std::string& destination,
              const model::Message& message) {
    journal::Intake in;
    in.idempotency_key = key;
    in.department = "steueramt";
    in.business_process_id = bpid;
    in.operation = "test";
    in.request_sha256 = sha256_hex(key);
    in.build = [=](journal::IntakeTransaction& txn) -> Result<std::string> {
      txn.enqueue(destination, message);
      return std::string("ok");
    };
    auto r = journal::accept_and_wait(*journal_, std::move(in));
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  }
  void deliver_all(const std::string& destination) {
    auto claimed = journal_->claim(destination, 100, clock_.now_ms(), 60'000);
    ASSERT_TRUE(claimed.is_ok()) << claimed.status().to_string();
    for (const model::WorkItem& item : *claimed) {
      journal::AttemptRecord done{
          journal::AttemptRecord::Verdict::kDelivered, 0, "", "", "", "HTTP 201", ""};
      ASSERT_TRUE(journal_->settle(item.id, item.leaseToken, done).is_ok());
    }
  }
  Purge purge() {
    return Purge(
        *journal_, [this] { return mappings_; }, &*documents_, clock_);
  }
  std::vector<std::string> expired_now() {
    auto expired = purge().expired();
    EXPECT_TRUE(expired.is_ok()) << expired.status().to_string();
    std::vector<std::string> what;
    for (const ExpiredContent& e : expired.is_ok() ? *expired : std::vector<ExpiredContent>{}) {
      what.push_back(std::string(mapping::to_string(e.kind)) + " " +
                     mapping::format_days(e.retention) + " " + e.what);
    }
    return what;
  }
  // Two document deliveries of case bp-1 and a status report of bp-2, delivered now; and a
  // delivery of bp-3 of the same document as the first, never delivered.
  void deliver_the_case() {
    a_ = store("%PDF-1.4 Veranlagung");
    b_ = store("%PDF-1.4 Steuerausweis");
    accept("k1", "bp-1", "rc_adapter", inbox_document("d-1", "Veranlagungsverfuegung", a_));
    accept("k2", "bp-1", "rc_adapter", inbox_document("d-2", "Steuerausweis", b_));
    accept("k3", "bp-2", "portal", status_text("Hans Muster, Ihre Veranlagung ist da"));
    deliver_all("rc_adapter");
    deliver_all("rc_adapter");  // the case's second item, after the first
    deliver_all("portal");
    accept("k4", "bp-3", "elsewhere", inbox_document("d-4", "Veranlagungsverfuegung", a_));
  }

  fs::path dir_;
  ManualClock clock_;
  std::shared_ptr<const mapping::MappingSet> mappings_;
  std::optional<documents::DocumentStore> documents_;
  std::unique_ptr<journal::SqliteJournal> journal_;
  std::string a_, b_;
};

TEST_F(PurgeTest, EachKindExpiresAfterItsOwnRetentionAndUnfinishedWorkNever) {
  deliver_the_case();
  EXPECT_TRUE(expired_now().empty());
  clock_.advance(days(11));
  EXPECT_EQ(expired_now(),
            std::vector<std::string>{"documents P10D document Steuerausweis of delivery d-2"});
  clock_.advance(days(10));
  EXPECT_EQ(expired_now(),
            (std::vector<std::string>{"documents P10D document Steuerausweis of delivery d-2",
                                      "personalData P20D statusUpdate of work item 3"}));
  clock_.advance(days(10));
  EXPECT_EQ(expired_now(), (std::vector<std::string>{
                               "documents P30D document Veranlagungsverfuegung of delivery d-1",
                               "documents P10D document Steuerausweis of delivery d-2",
                               "personalData P20D statusUpdate of work item 3"}))
      << "the kind's own retention first; d-4 is never delivered, so never expires";
  clock_.advance(days(1000));
  EXPECT_EQ(expired_now().size(), 3u);
}

TEST_F(PurgeTest, ADryRunChangesNothingAndARunDeletesContentButKeepsDigestsAndTheChain) {
  deliver_the_case();
  clock_.advance(days(31));
  auto before = journal_->evidence(std::nullopt);
  ASSERT_TRUE(before.is_ok());
  ASSERT_EQ(expired_now().size(), 3u);
  EXPECT_EQ(journal_->evidence(std::nullopt)->size(), before->size()) << "a dry run";
  EXPECT_TRUE(documents_->contains(b_));

  auto report = purge().run("portierctl");
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_EQ(report->purged.size(), 3u);
  EXPECT_EQ(report->files_deleted, 1);
  EXPECT_FALSE(documents_->contains(b_)) << "nothing refers to it any more";
  EXPECT_TRUE(documents_->contains(a_)) << "d-4, not delivered yet, still refers to it";
  const PurgeCounts counts = count_by_department_and_kind(report->purged);
  EXPECT_EQ((counts.at({"steueramt", "documents"})), 2);
  EXPECT_EQ((counts.at({"steueramt", "personalData"})), 1);

  auto d2 = journal_->find_delivery("d-2");
  ASSERT_TRUE(d2.is_ok() && d2->has_value());
  EXPECT_NE((*d2)->purged_ms, 0);
  EXPECT_EQ((*d2)->item.message.documentDelivery.title, "");
  EXPECT_EQ((*d2)->item.message.documentDelivery.ownerId, "");
  EXPECT_EQ((*d2)->item.message.documentDelivery.documentSha256, b_);
  auto d4 = journal_->find_delivery("d-4");
  ASSERT_TRUE(d4.is_ok() && d4->has_value());
  EXPECT_EQ((*d4)->item.message.documentDelivery.title, "Veranlagungsverfuegung Hans Muster");

  auto case1 = journal_->evidence(std::string("bp-1"));
  ASSERT_TRUE(case1.is_ok());
  ASSERT_GE(case1->size(), 2u);
  const evidence::Record& last = case1->back();
  EXPECT_EQ(last.hop, "purged");
  EXPECT_EQ(last.request_sha256, (*d2)->payload_sha256);
  EXPECT_EQ(last.detail, "purged: document Steuerausweis of delivery d-2, digest sha256:" +
                             (*d2)->payload_sha256 + ", file sha256:" + b_ +
                             ", retention P10D, by portierctl");
  auto chain = journal_->evidence(std::nullopt);
  evidence::Verdict verdict = evidence::verify(*chain, *journal_->evidence_high_water());
  EXPECT_TRUE(verdict.intact) << (verdict.problems.empty() ? "" : verdict.problems[0]);
  EXPECT_EQ(chain->size(), before->size() + 3);

  auto audit = journal_->audit_log(1);
  ASSERT_TRUE(audit.is_ok() && audit->size() == 1u);
  EXPECT_EQ((*audit)[0].operation, "purge");
  EXPECT_EQ((*audit)[0].reason,
            "purged 2 documents 1 personalData, 1 files deleted, by portierctl");

  auto again = purge().run("portierd");
  ASSERT_TRUE(again.is_ok());
  EXPECT_TRUE(again->purged.empty()) << "purged once";
  EXPECT_EQ(journal_->evidence(std::nullopt)->size(), chain->size());
}

}  // namespace
}  // namespace portier::retention
