// MailboxPoller against the APF simulator served over loopback HTTP, with a real journal and
// document store: one instance per mailbox at a time (the lease), resuming from the cursor,
// duplicates across pages, and what it records for a whole and a broken submission.
#include "connectors/afs/mailbox_poller.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "core/base/digest.h"
#include "core/journal/sqlite/sqlite_journal.h"
#include "core/mapping/loader.h"
#include "tests/sim/afs_sim.h"
#include "tests/sim/loopback_sim.h"

namespace portier::afs {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr char kMapping[] = R"(<?xml version="1.0"?>
<mapping xmlns="urn:portier:mapping:1" name="amt" displayName="Amt">
  <authentication><clientCertificate subject="CN=amt,O=Kanton Solothurn,C=CH"/></authentication>
  <services><service id="301"/></services>
  <endpoint name="formIntake" kind="rest" url="http://127.0.0.1:1/intake">
    <template name="order">{"n":"${field.name}"}</template>
  </endpoint>
  <forms endpoint="formIntake" template="order">
    <form id="F" service="301" title="Auszug">
      <namespace prefix="a" uri="urn:a"/>
      <field name="name" select="/a:antrag/a:name" required="true"/>
    </form>
  </forms>
</mapping>
)";

class MailboxPollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("portier-poller-test-" + random_uuid());
    fs::create_directories(dir_);
    auto j = journal::SqliteJournal::open((dir_ / "journal.db").string(), clock_, {});
    ASSERT_TRUE(j.is_ok()) << j.status().to_string();
    journal_ = std::move(*j);
    auto store = documents::DocumentStore::open((dir_ / "documents").string());
    ASSERT_TRUE(store.is_ok());
    documents_.emplace(std::move(*store));
    std::ofstream(dir_ / "amt.xml") << kMapping;
    auto loaded = mapping::load_files({(dir_ / "amt.xml").string()});
    ASSERT_NE(loaded.set, nullptr);
    mappings_ = loaded.set;
    sim_.core().add(std::make_unique<sim::AfsSim>(sim::AfsSimOptions{}, sim_clock_));
    ASSERT_TRUE(sim_.start());
    apf_ = std::make_unique<ApfClient>(ApfSettings{
        sim_.base() + "/afs/apf/v1", {"portier", "apf-secret"}, {}, std::chrono::seconds(5), {}});
  }
  void TearDown() override {
    sim_.stop();
    journal_.reset();
    fs::remove_all(dir_);
  }

  std::unique_ptr<MailboxPoller> poller(const std::string& holder, int page_size = 100) {
    PollerSettings s;
    s.mailbox = "box";
    s.page_size = page_size;
    s.holder = holder;
    s.lease = std::chrono::seconds(10);
    return std::make_unique<MailboxPoller>(
        s, *apf_, *journal_, *documents_, [this] { return mappings_; }, clock_, metrics_, nullptr);
  }
  void submit(int count, const std::string& corrupt = "") {
    json::object o{{"mailbox", "box"},
                   {"formId", "F"},
                   {"ownerId", "owner-1"},
                   {"count", count},
                   {"formData", "<antrag xmlns='urn:a'><name>N${n}</name></antrag>"}};
    if (!corrupt.empty()) o["corrupt"] = corrupt;
    EXPECT_EQ(sim_.control("POST", "/_sim/afs/applications", json::serialize(o)).status, 201);
  }

  fs::path dir_;
  ManualClock clock_;
  SystemClock sim_clock_;
  std::unique_ptr<journal::SqliteJournal> journal_;
  std::optional<documents::DocumentStore> documents_;
  std::shared_ptr<const mapping::MappingSet> mappings_;
  metrics::Registry metrics_;
  sim::LoopbackSim sim_{sim_clock_};
  std::unique_ptr<ApfClient> apf_;
};

TEST_F(MailboxPollerTest, OneInstanceAtATimePollsAMailbox) {
  submit(5);
  auto a = poller("instance-a");
  auto b = poller("instance-b");
  auto first = a->poll_once();
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  EXPECT_TRUE(first->leased);
  EXPECT_EQ(first->recorded, 5);

  submit(2);
  auto refused = b->poll_once();
  ASSERT_TRUE(refused.is_ok());
  EXPECT_FALSE(refused->leased);
  EXPECT_EQ(refused->listed, 0);

  // a stops renewing (it died): after the lease b takes over, from the cursor.
  clock_.advance(std::chrono::seconds(11));
  auto taken = b->poll_once();
  ASSERT_TRUE(taken.is_ok()) << taken.status().to_string();
  EXPECT_TRUE(taken->leased);
  EXPECT_EQ(taken->recorded, 2);
  EXPECT_LE(taken->listed, 3);  // the newest of the first round again at most (since is inclusive)
  EXPECT_FALSE(a->poll_once()->leased);
}

TEST_F(MailboxPollerTest, AWholeSubmissionBecomesACaseADeliveryAndATakeOver) {
  submit(1);
  ASSERT_EQ(poller("a")->poll_once()->recorded, 1);
  auto items = journal_->list({});
  ASSERT_EQ(items->size(), 3u);
  std::map<std::string, const journal::StoredItem*> by_destination;
  for (const auto& i : *items) by_destination[i.item.destination] = &i;
  ASSERT_TRUE(by_destination.count("portal") && by_destination.count("department") &&
              by_destination.count("afs:box"));
  const auto& f = by_destination["department"]->item.message.formSubmission;
  EXPECT_EQ(f.fields.at("name"), "N1");
  EXPECT_EQ(f.fields.at("businessProcessId"), by_destination["department"]->item.businessProcessId);
  EXPECT_EQ(f.ownerId, "owner-1");
  EXPECT_TRUE(documents_->contains(f.payloadSha256));
  auto c = journal_->find_case(by_destination["department"]->item.businessProcessId);
  ASSERT_TRUE(c.is_ok() && c->has_value());
  EXPECT_EQ((*c)->department, "amt");
  EXPECT_EQ((*c)->service_id, 301);
}

TEST_F(MailboxPollerTest, DuplicatesAcrossPagesAndBrokenSubmissionsCostNothingTwice) {
  sim_.control("POST", "/_sim/afs/options", R"({"duplicateAcrossPages":true})");
  submit(5);
  submit(1, "signature");
  auto p = poller("a", 2);
  auto round = p->poll_once();
  ASSERT_TRUE(round.is_ok()) << round.status().to_string();
  EXPECT_EQ(round->recorded, 5);
  EXPECT_EQ(round->parked, 1);
  EXPECT_GE(round->known, 2);  // the repeats at the page starts
  auto parked = journal_->list({journal::ItemState::kParked, {}, {}, 100});
  ASSERT_EQ(parked->size(), 1u);
  EXPECT_NE(parked->front().last_error.find("inbound signature"), std::string::npos);

  auto again = p->poll_once();  // nothing new: nothing fetched again
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->recorded + again->parked, 0);
  auto state = json::parse(sim_.control("GET", "/_sim/state").body);
  for (const auto& app : state.at("afs").at("applications").as_array()) {
    EXPECT_EQ(app.at("gets").as_int64(), 1) << json::serialize(app);
  }
}

}  // namespace
}  // namespace portier::afs
