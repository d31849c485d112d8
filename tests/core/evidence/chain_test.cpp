#include "core/evidence/chain.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace portier::evidence {
namespace {

// A correctly linked chain of `n` records, as the journal would write it.
std::vector<Record> make_chain(int n) {
  std::vector<Record> chain;
  std::string prev;
  for (int i = 1; i <= n; ++i) {
    Record r;
    r.seq = i;
    r.business_process_id = "bp-1";
    r.at_ms = 1'700'000'000'000 + i;
    r.hop = i == 1 ? "accepted" : "delivered";
    r.operation = "reportStatus";
    r.department = "steueramt";
    r.destination = i == 1 ? "" : "portal";
    r.work_item_id = i == 1 ? 0 : i;
    r.request_sha256 = "aa";
    r.response_sha256 = i == 1 ? "" : "bb";
    r.detail = "HTTP 201";
    r.prev_hash = prev;
    r.hash = chain_hash(r);
    prev = r.hash;
    chain.push_back(r);
  }
  return chain;
}

TEST(ChainTest, IntactChainVerifies) {
  Verdict v = verify(make_chain(4), 4);
  EXPECT_TRUE(v.intact);
  EXPECT_EQ(v.records, 4);
  EXPECT_TRUE(v.problems.empty());
  EXPECT_TRUE(verify({}, 0).intact);
}

TEST(ChainTest, HashCoversEveryFieldAndFieldsCannotRunTogether) {
  Record a = make_chain(1)[0];
  Record b = a;
  b.operation = a.operation + a.department;
  b.department = "";
  EXPECT_NE(chain_hash(a), chain_hash(b));
  Record c = a;
  c.seq = 2;
  EXPECT_NE(chain_hash(a), chain_hash(c));
  Record d = a;
  d.hash = "anything";
  EXPECT_EQ(chain_hash(a), chain_hash(d)) << "the hash field itself is not hashed";
}

TEST(ChainTest, ChangedRecordIsReported) {
  std::vector<Record> chain = make_chain(4);
  chain[1].detail = "HTTP 500";
  Verdict v = verify(chain, 4);
  EXPECT_FALSE(v.intact);
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0], "seq 2: hash does not match its content");
}

TEST(ChainTest, RehashedRecordBreaksTheNextLink) {
  std::vector<Record> chain = make_chain(4);
  chain[1].detail = "HTTP 500";
  chain[1].hash = chain_hash(chain[1]);
  Verdict v = verify(chain, 4);
  EXPECT_FALSE(v.intact);
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0], "seq 3: does not follow the record before it (previous hash differs)");
}

TEST(ChainTest, RemovedRecordsAreReported) {
  std::vector<Record> chain = make_chain(5);
  chain.erase(chain.begin() + 1, chain.begin() + 3);  // seq 2 and 3
  Verdict v = verify(chain, 5);
  EXPECT_FALSE(v.intact);
  ASSERT_GE(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0], "seq 2-3: record missing");
}

TEST(ChainTest, TruncatedTailIsReportedAgainstTheHighWater) {
  std::vector<Record> chain = make_chain(5);
  chain.resize(3);
  EXPECT_TRUE(verify(chain, 3).intact);
  Verdict v = verify(chain, 5);
  EXPECT_FALSE(v.intact);
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0], "seq 4-5: records at the end missing");
  EXPECT_FALSE(verify({}, 2).intact);
}

TEST(ChainTest, ExportJsonListsTheCaseRecords) {
  std::vector<Record> chain = make_chain(2);
  boost::json::value doc = boost::json::parse(export_json("bp-1", chain));
  const boost::json::object& o = doc.as_object();
  EXPECT_EQ(o.at("businessProcessId").as_string(), "bp-1");
  const boost::json::array& records = o.at("records").as_array();
  ASSERT_EQ(records.size(), 2u);
  const boost::json::object& first = records[0].as_object();
  EXPECT_EQ(first.at("seq").as_int64(), 1);
  EXPECT_EQ(first.at("hop").as_string(), "accepted");
  EXPECT_EQ(first.at("at").as_string(), "2023-11-14T22:13:20.001Z");
  EXPECT_EQ(first.at("hash").as_string(), chain[0].hash);
  EXPECT_FALSE(first.contains("destination")) << "empty fields are left out";
  EXPECT_FALSE(first.contains("workItemId"));
  EXPECT_FALSE(first.contains("responseSha256"));
  const boost::json::object& second = records[1].as_object();
  EXPECT_EQ(second.at("destination").as_string(), "portal");
  EXPECT_EQ(second.at("workItemId").as_int64(), 2);
  EXPECT_EQ(second.at("responseSha256").as_string(), "bb");
  EXPECT_EQ(second.at("detail").as_string(), "HTTP 201");
}

}  // namespace
}  // namespace portier::evidence
