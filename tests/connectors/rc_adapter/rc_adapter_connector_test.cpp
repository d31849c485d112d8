// The RC adapter connector: the metadata made from a work item, the parts of the upload, the
// answers it reads, how statuses are judged, and (RcAdapterConnectorEndToEnd) real uploads, a
// few KB and 20 MB streamed from disk, against the RC adapter simulator behind a real HTTP
// server on a free loopback port.
#include "connectors/rc_adapter/rc_adapter_connector.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/http/router.h"
#include "adapters/http/server.h"
#include "connectors/http/http_client.h"
#include "connectors/http/judgement.h"
#include "connectors/http/problem.h"
#include "connectors/rc_adapter/rc_wire.h"
#include "core/base/clock.h"
#include "core/base/digest.h"
#include "core/base/metrics.h"
#include "tests/sim/loopback_sim.h"
#include "tests/sim/portal_sim.h"
#include "tests/sim/rc_adapter_sim.h"
#include "tests/sim/sim_core.h"

namespace portier::rc_adapter {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using Kind = dispatch::DeliveryResult::Kind;
using namespace std::chrono_literals;

constexpr const char* kCaseId = "6f1c9a52-3b7e-4d21-9c0a-8e5b2f7d4a10";
constexpr const char* kFileName = "KantonSolothurn-Handelsregisterauszug-2019-12-04.pdf";

const char* name_of(Kind k) {
  switch (k) {
    case Kind::kDelivered:
      return "delivered";
    case Kind::kRetry:
      return "retry";
    case Kind::kReject:
      return "reject";
  }
  return "?";
}

model::WorkItem document_item(const std::string& sha256, int64_t size,
                              const std::string& key = "bauamt/d-1/rc-adapter/1") {
  model::DocumentDelivery d;
  d.deliveryId = "d-1";
  d.documentKind = "decision";
  d.title = "Handelsregisterauszug - 2019-12-04";
  d.fileName = kFileName;
  d.documentSha256 = sha256;
  d.sizeBytes = size;
  d.important = true;
  d.channel = model::DeliveryChannel::INBOX;
  d.__set_ownerId("owner-7");
  d.__set_serviceId(1201);
  d.__set_businessCaseId(kCaseId);
  model::Message m;
  m.__set_documentDelivery(d);
  model::WorkItem item;
  item.id = 7;
  item.idempotencyKey = key;
  item.department = "bauamt";
  item.businessProcessId = "bp-2019-12-04-0001";
  item.destination = "rc-adapter";
  item.message = m;
  item.__set_correlationId("corr-" + key);
  return item;
}

// --- wire format -----------------------------------------------------------------------------

TEST(RcWire, MetadataFromAWorkItem) {
  std::string digest = sha256_hex("x");
  std::string upper = digest;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto metadata = metadata_json(document_item(upper, 1234));
  ASSERT_TRUE(metadata.is_ok()) << metadata.status().to_string();
  EXPECT_EQ(*metadata,
            R"({"businessProcessId":"bp-2019-12-04-0001",)"
            R"("businessCaseId":"6f1c9a52-3b7e-4d21-9c0a-8e5b2f7d4a10","ownerId":"owner-7",)"
            R"("serviceId":1201,"title":"Handelsregisterauszug - 2019-12-04",)"
            R"("documentKind":"decision",)"
            R"("fileName":"KantonSolothurn-Handelsregisterauszug-2019-12-04.pdf",)"
            R"("sha256":")" +
                digest +
                R"(","sizeBytes":1234,"important":true,)"
                R"("clientRequestId":"bauamt/d-1/rc-adapter/1"})");

  model::WorkItem without_case = document_item(digest, 1);
  without_case.message.documentDelivery.__isset.businessCaseId = false;
  without_case.message.documentDelivery.important = false;
  json::object o = json::parse(*metadata_json(without_case)).as_object();
  EXPECT_FALSE(o.contains("businessCaseId"));
  EXPECT_EQ(o.at("important"), false);
}

TEST(RcWire, RefusesWhatItCannotSend) {
  std::string digest = sha256_hex("x");
  model::WorkItem other = document_item(digest, 1);
  model::Notification n;
  other.message = model::Message();
  other.message.__set_notification(n);
  EXPECT_EQ(metadata_json(other).status().code(), StatusCode::kInvalidArgument);

  model::WorkItem registered = document_item(digest, 1);
  registered.message.documentDelivery.channel = model::DeliveryChannel::REGISTERED;
  EXPECT_NE(metadata_json(registered).status().message().find("channel"), std::string::npos);

  struct Case {
    const char* field;
    void (*spoil)(model::WorkItem&);
  };
  const Case cases[] = {
      {"businessProcessId", [](model::WorkItem& i) { i.businessProcessId.clear(); }},
      {"businessProcessId", [](model::WorkItem& i) { i.businessProcessId.assign(129, 'b'); }},
      {"ownerId", [](model::WorkItem& i) { i.message.documentDelivery.__isset.ownerId = false; }},
      {"ownerId", [](model::WorkItem& i) { i.message.documentDelivery.ownerId.clear(); }},
      {"serviceId",
       [](model::WorkItem& i) { i.message.documentDelivery.__isset.serviceId = false; }},
      {"title", [](model::WorkItem& i) { i.message.documentDelivery.title.clear(); }},
      {"documentKind", [](model::WorkItem& i) { i.message.documentDelivery.documentKind.clear(); }},
      {"fileName", [](model::WorkItem& i) { i.message.documentDelivery.fileName.clear(); }},
      {"documentSha256",
       [](model::WorkItem& i) { i.message.documentDelivery.documentSha256 = "abc"; }},
      {"sizeBytes", [](model::WorkItem& i) { i.message.documentDelivery.sizeBytes = 0; }},
      {"idempotencyKey", [](model::WorkItem& i) { i.idempotencyKey.clear(); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    model::WorkItem item = document_item(digest, 1);
    c.spoil(item);
    auto metadata = metadata_json(item);
    ASSERT_FALSE(metadata.is_ok());
    EXPECT_EQ(metadata.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(metadata.status().message().find(c.field), std::string::npos)
        << metadata.status().message();
  }
  model::WorkItem longest = document_item(digest, 1);
  longest.businessProcessId = std::string(127, 'b') + "ü";  // 128 characters, 129 bytes
  EXPECT_TRUE(metadata_json(longest).is_ok());
}

TEST(RcWire, UploadParts) {
  model::WorkItem item = document_item(sha256_hex("x"), 1);
  std::vector<outbound::FormPart> parts =
      upload_parts("{}", item.message.documentDelivery, "store/ab/abcdef");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "metadata");
  EXPECT_EQ(parts[0].content_type, "application/json");
  EXPECT_EQ(parts[0].data, "{}");
  EXPECT_TRUE(parts[0].file_path.empty());
  EXPECT_EQ(parts[1].name, "file");
  EXPECT_EQ(parts[1].content_type, "application/pdf");
  EXPECT_EQ(parts[1].file_path, "store/ab/abcdef");
  EXPECT_EQ(parts[1].file_name, kFileName);
  EXPECT_TRUE(parts[1].data.empty());
}

TEST(RcWire, ReadsAnswers) {
  auto accepted = parse_accepted(R"({"deliveryId":"d-9","status":"ACCEPTED"})");
  ASSERT_TRUE(accepted.is_ok());
  EXPECT_EQ(accepted->delivery_id, "d-9");
  EXPECT_EQ(accepted->status, "ACCEPTED");
  EXPECT_EQ(parse_accepted("{}").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(parse_accepted("<html>").status().code(), StatusCode::kUnavailable);

  auto read = parse_status(R"({"deliveryId":"d-9","status":"READ","reason":null})");
  ASSERT_TRUE(read.is_ok());
  EXPECT_EQ(read->status, "READ");
  EXPECT_EQ(read->reason, "");
  auto rejected = parse_status(R"({"deliveryId":"d-9","status":"REJECTED","reason":"closed"})");
  ASSERT_TRUE(rejected.is_ok());
  EXPECT_EQ(rejected->reason, "closed");
  EXPECT_EQ(parse_status(R"({"deliveryId":"d-9","status":"LOST"})").status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(parse_status(R"({"status":"READ"})").status().code(), StatusCode::kUnavailable);

  EXPECT_EQ(status_path("d-9"), "/documents/d-9");
  EXPECT_EQ(status_path("../x?y"), "/documents/..%2Fx%3Fy");
  EXPECT_EQ(outbound::describe_problem(R"({"title":"Conflict","detail":"sha256: differs"})"),
            "Conflict: sha256: differs");
  EXPECT_EQ(outbound::describe_problem("plain"), "plain");
}

TEST(JudgeStatus, Table) {
  const std::pair<long, Kind> table[] = {
      {200, Kind::kDelivered}, {201, Kind::kDelivered}, {400, Kind::kReject}, {403, Kind::kReject},
      {404, Kind::kReject},    {409, Kind::kReject},    {413, Kind::kReject}, {415, Kind::kReject},
      {422, Kind::kReject},    {401, Kind::kRetry},     {408, Kind::kRetry},  {425, Kind::kRetry},
      {429, Kind::kRetry},     {500, Kind::kRetry},     {502, Kind::kRetry},  {503, Kind::kRetry},
      {504, Kind::kRetry},
  };
  for (const auto& [status, expected] : table) {
    SCOPED_TRACE(status);
    EXPECT_STREQ(name_of(outbound::judge_status(status)), name_of(expected));
  }
}

TEST(JudgeReadStatus, Table) {
  const std::pair<long, StatusCode> table[] = {
      {200, StatusCode::kOk},
      {404, StatusCode::kNotFound},
      {401, StatusCode::kPermissionDenied},
      {403, StatusCode::kPermissionDenied},
      {400, StatusCode::kInvalidArgument},
      {422, StatusCode::kInvalidArgument},
      {302, StatusCode::kUnavailable},
      {408, StatusCode::kUnavailable},
      {429, StatusCode::kUnavailable},
      {503, StatusCode::kUnavailable},
  };
  for (const auto& [status, expected] : table) {
    SCOPED_TRACE(status);
    Status s = outbound::judge_read_status(status, R"({"title":"T","detail":"D"})");
    EXPECT_STREQ(to_string(s.code()), to_string(expected));
    if (!s.is_ok()) {
      EXPECT_EQ(s.message(), "HTTP " + std::to_string(status) + ": T: D");
    }
  }
}

// --- end to end against the RC adapter simulator -----------------------------------------------

constexpr auto kStoreDelay = 1h;

class RcAdapterConnectorEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("portier-rc-adapter-test-" + random_uuid());
    fs::create_directories(dir_);

    sim::PortalSimOptions portal;
    portal.client_id = "portier";
    portal.client_secret = "e2e-secret";
    auto module = std::make_unique<sim::PortalSim>(portal, sim_.core().clock());
    const sim::PortalSim& tokens = *module;
    sim_.core().add(std::move(module));
    sim::RcAdapterSimOptions rc;
    rc.store_delay = kStoreDelay;
    auto adapter = std::make_unique<sim::RcAdapterSim>(
        rc,
        [&tokens](const http::Request& request, const char* scope) {
          return tokens.authorize(request, scope);
        },
        sim_.core().clock());
    adapter_ = adapter.get();
    sim_.core().add(std::move(adapter));
    config::Limits limits;
    limits.max_body_bytes = rc.max_document_bytes + (1 << 20);
    ASSERT_TRUE(sim_.start(limits));
    base_ = sim_.base();
    connector_ = std::make_unique<RcAdapterConnector>(
        settings(base_),
        [this](const std::string& sha256) -> Result<std::string> {
          ++lookups_;
          auto it = store_.find(sha256);
          if (it == store_.end()) return not_found("no document " + sha256 + " in the store");
          return it->second;
        },
        30s, clock_);
  }

  void TearDown() override {
    connector_.reset();
    sim_.stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static RcAdapterSettings settings(const std::string& base) {
    RcAdapterSettings s;
    s.base_url = base + "/rc-adapter/v1";
    s.token.token_url = base + "/oauth2/token";
    s.token.client_id = "portier";
    s.token.client_secret = "e2e-secret";
    s.token.scope = "documents.write";
    s.token.timeout = 5s;
    return s;
  }

  // Writes a PDF of `size` bytes (a header, deterministic filler, %%EOF) into the store under
  // its digest; returns the digest.
  std::string put_document(size_t size, uint32_t seed = 1) {
    std::string bytes = "%PDF-1.7\n";
    std::string tail = "\n%%EOF\n";
    bytes.reserve(size);
    uint32_t x = seed;
    while (bytes.size() < size - tail.size()) {
      x = x * 1664525u + 1013904223u;  // any filler will do; this one is quick
      bytes.push_back(static_cast<char>(x >> 24));
    }
    bytes += tail;
    std::string digest = sha256_hex(bytes);
    fs::path file = dir_ / digest;
    std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(size));
    store_[digest] = file.string();
    return digest;
  }

  outbound::HttpReply control(const std::string& method, const std::string& path,
                              const std::string& body = {}) {
    return sim_.control(method, path, body);
  }

  json::value state() { return adapter_->inspect(); }

  fs::path dir_;
  std::map<std::string, std::string> store_;  // digest -> file
  int lookups_ = 0;
  SystemClock clock_;
  sim::LoopbackSim sim_{clock_};
  sim::RcAdapterSim* adapter_ = nullptr;  // owned by the sim's core
  std::string base_;
  std::unique_ptr<RcAdapterConnector> connector_;
};

TEST_F(RcAdapterConnectorEndToEnd, DeliversASmallAndA20MbDocument) {
  for (size_t size : {size_t{3 * 1024 + 17}, size_t{20} << 20}) {
    SCOPED_TRACE(size);
    std::string digest = put_document(size);
    std::string key = "bauamt/d-" + std::to_string(size) + "/rc-adapter/1";
    RcAdapterConnector::Upload u = connector_->upload(document_item(digest, size, key));
    ASSERT_STREQ(name_of(u.result.kind), "delivered") << u.result.detail;
    EXPECT_EQ(u.result.detail, "HTTP 201: deliveryId " + u.delivery_id + " ACCEPTED");
    EXPECT_FALSE(u.result.request_sha256.empty());

    json::value s = state();
    const json::value& d = s.at("deliveries").as_array().back();
    EXPECT_EQ(d.at("deliveryId"), json::value(u.delivery_id));
    EXPECT_EQ(d.at("sha256"), json::value(digest));  // the sim hashed what it received
    EXPECT_EQ(d.at("sizeBytes").to_number<uint64_t>(), size);
    EXPECT_EQ(d.at("fileName"), kFileName);
    EXPECT_EQ(d.at("clientRequestId"), json::value(key));
    EXPECT_EQ(d.at("metadata").at("businessProcessId"), "bp-2019-12-04-0001");
    EXPECT_EQ(d.at("metadata").at("businessCaseId"), kCaseId);
  }
  EXPECT_EQ(state().at("effects"), 2);

  // Both headers carried the work item's key and correlation id.
  json::value log = sim_.core().log().to_json();
  for (const json::value& e : log.at("entries").as_array()) {
    if (e.at("path") != "/rc-adapter/v1/documents") continue;
    std::string key(e.at("idempotencyKey").as_string());
    EXPECT_EQ(e.at("correlationId"), json::value("corr-" + key));
  }
}

TEST_F(RcAdapterConnectorEndToEnd, TheSameItemTwiceIsAppliedOnce) {
  model::WorkItem item = document_item(put_document(8 * 1024), 8 * 1024);
  RcAdapterConnector::Upload first = connector_->upload(item);
  ASSERT_STREQ(name_of(first.result.kind), "delivered") << first.result.detail;
  RcAdapterConnector::Upload again = connector_->upload(item);  // a retry after a lost answer
  ASSERT_STREQ(name_of(again.result.kind), "delivered") << again.result.detail;
  EXPECT_EQ(again.delivery_id, first.delivery_id);
  EXPECT_EQ(again.result.detail, "HTTP 200: deliveryId " + first.delivery_id + " ACCEPTED");

  json::value s = state();
  ASSERT_EQ(s.at("deliveries").as_array().size(), 1u);
  EXPECT_EQ(s.at("deliveries").at(0).at("received"), 2);
  EXPECT_EQ(s.at("effects"), 1);
  json::value log = sim_.core().log().to_json();
  const json::array& entries = log.at("entries").as_array();
  EXPECT_EQ(entries.back().at("duplicate"), true);
  EXPECT_EQ(entries.back().at("idempotencyKey"), json::value(item.idempotencyKey));
}

TEST_F(RcAdapterConnectorEndToEnd, TamperedDigestIsRejected) {
  std::string digest = put_document(4096);
  std::string tampered = sha256_hex("a different document");
  store_[tampered] = store_[digest];  // the store hands out a file that does not match
  dispatch::DeliveryResult r = connector_->deliver(document_item(tampered, 4096));
  EXPECT_STREQ(name_of(r.kind), "reject") << r.detail;
  EXPECT_EQ(r.detail.rfind("HTTP 409: ", 0), 0u) << r.detail;
  EXPECT_NE(r.detail.find("sha256"), std::string::npos) << r.detail;
  EXPECT_EQ(state().at("effects"), 0);
}

TEST_F(RcAdapterConnectorEndToEnd, RefusalsAreRejectedAndNothingIsSentForAMissingDocument) {
  std::string digest = put_document(4096);
  ASSERT_EQ(control("POST", "/_sim/rc-adapter/known", R"({"ownerIds":["owner-1"]})").status, 200);
  dispatch::DeliveryResult unknown = connector_->deliver(document_item(digest, 4096));
  EXPECT_STREQ(name_of(unknown.kind), "reject") << unknown.detail;
  EXPECT_EQ(unknown.detail.rfind("HTTP 422: ", 0), 0u) << unknown.detail;
  EXPECT_NE(unknown.detail.find("ownerId"), std::string::npos) << unknown.detail;

  size_t calls = sim_.core().log().to_json().at("entries").as_array().size();
  dispatch::DeliveryResult missing = connector_->deliver(document_item(sha256_hex("gone"), 10));
  EXPECT_STREQ(name_of(missing.kind), "reject") << missing.detail;
  EXPECT_NE(missing.detail.find("no document"), std::string::npos) << missing.detail;
  store_[sha256_hex("vanished")] = (dir_ / "vanished").string();  // the store names no file
  dispatch::DeliveryResult unreadable =
      connector_->deliver(document_item(sha256_hex("vanished"), 10));
  EXPECT_STREQ(name_of(unreadable.kind), "reject") << unreadable.detail;
  EXPECT_EQ(sim_.core().log().to_json().at("entries").as_array().size(),
            calls);  // nothing was sent
}

TEST_F(RcAdapterConnectorEndToEnd, Injected503IsRetriedAfterTheAskedPause) {
  model::WorkItem item = document_item(put_document(4096), 4096);
  ASSERT_EQ(control("POST", "/_sim/faults",
                    R"({"status":503,"count":1,"pathPrefix":"/rc-adapter/v1/documents",)"
                    R"("retryAfterSeconds":3})")
                .status,
            200);
  dispatch::DeliveryResult r = connector_->deliver(item);
  EXPECT_STREQ(name_of(r.kind), "retry") << r.detail;
  EXPECT_EQ(r.detail.rfind("HTTP 503", 0), 0u) << r.detail;
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(*r.retry_after, 3s);
  EXPECT_EQ(state().at("effects"), 0);

  r = connector_->deliver(item);  // the dispatcher's next attempt
  EXPECT_STREQ(name_of(r.kind), "delivered") << r.detail;
  EXPECT_EQ(state().at("effects"), 1);
  EXPECT_EQ(state().at("deliveries").at(0).at("received"), 1);
}

TEST_F(RcAdapterConnectorEndToEnd, AnExpiredTokenIsRenewedOnce) {
  std::string digest = put_document(4096);
  ASSERT_STREQ(name_of(connector_->deliver(document_item(digest, 4096, "k-1")).kind), "delivered");
  sim_.core().clock().advance(std::chrono::seconds(301));  // the cached token expires at the portal
  dispatch::DeliveryResult r = connector_->deliver(document_item(digest, 4096, "k-2"));
  EXPECT_STREQ(name_of(r.kind), "delivered") << r.detail;
  EXPECT_EQ(state().at("effects"), 2);
}

TEST_F(RcAdapterConnectorEndToEnd, StatusFollowsAcceptedStoredRead) {
  std::string digest = put_document(4096);
  RcAdapterConnector::Upload u = connector_->upload(document_item(digest, 4096));
  ASSERT_STREQ(name_of(u.result.kind), "delivered") << u.result.detail;
  auto status = connector_->delivery_status(u.delivery_id);
  ASSERT_TRUE(status.is_ok()) << status.status().to_string();
  EXPECT_EQ(*status, "ACCEPTED");

  sim_.core().clock().advance(kStoreDelay);  // the sim clock; the token's lifetime passes too
  status = connector_->delivery_status(u.delivery_id);
  ASSERT_TRUE(status.is_ok()) << status.status().to_string();
  EXPECT_EQ(*status, "STORED_IN_INBOX");

  ASSERT_EQ(
      control("POST", "/_sim/rc-adapter/read", R"({"deliveryId":")" + u.delivery_id + "\"}").status,
      200);
  status = connector_->delivery_status(u.delivery_id);
  ASSERT_TRUE(status.is_ok()) << status.status().to_string();
  EXPECT_EQ(*status, "READ");

  // REJECTED comes with its reason.
  RcAdapterConnector::Upload other =
      connector_->upload(document_item(digest, 4096, "bauamt/d-2/rc-adapter/1"));
  ASSERT_STREQ(name_of(other.result.kind), "delivered") << other.result.detail;
  ASSERT_EQ(control("POST", "/_sim/rc-adapter/reject",
                    R"({"deliveryId":")" + other.delivery_id + R"(","reason":"account closed"})")
                .status,
            200);
  auto rejected = connector_->read_delivery(other.delivery_id);
  ASSERT_TRUE(rejected.is_ok()) << rejected.status().to_string();
  EXPECT_EQ(rejected->status, "REJECTED");
  EXPECT_EQ(rejected->reason, "account closed");

  auto unknown = connector_->delivery_status("00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("correlation id"), std::string::npos);
  EXPECT_EQ(connector_->delivery_status("").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace portier::rc_adapter
