// The RC adapter simulator through Router::route, next to the portal module whose tokens it
// accepts: upload, idempotent replay, 409 hash and size mismatch, 413, 422 naming the field,
// unknown owner and Business Process ID, bearer and scope checks, the lifecycle ACCEPTED ->
// STORED_IN_INBOX -> READ (sim clock and control endpoints), REJECTED, faults, log, reset.
#include "tests/sim/rc_adapter_sim.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "adapters/http/router.h"
#include "core/base/clock.h"
#include "core/base/digest.h"
#include "tests/sim/portal_sim.h"
#include "tests/sim/replies.h"
#include "tests/sim/sim_core.h"

namespace portier::sim::testing {
namespace {

using boost::json::object;
using boost::json::value;
using namespace std::chrono_literals;

constexpr const char* kBoundary = "----portier-test-7MA4YWxkTrZu0gW";
constexpr const char* kCaseId = "6f1c9a52-3b7e-4d21-9c0a-8e5b2f7d4a10";
constexpr const char* kFileName = "KantonSolothurn-Handelsregisterauszug-2019-12-04.pdf";
constexpr uint64_t kMaxDocumentBytes = 4096;
constexpr auto kStoreDelay = 60s;

const std::string kPdf =
    "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\r\n--not-a-boundary\n%%EOF\n";

// A multipart/form-data part.
struct Part {
  std::string name;
  std::string content_type;
  std::string data;
  std::string filename;  // empty: none
};

std::string multipart(const std::vector<Part>& parts, const std::string& boundary = kBoundary) {
  std::string body = "preamble to be ignored\r\n";
  for (const Part& p : parts) {
    body += "--" + boundary + "\r\ncontent-disposition: form-data; name=\"" + p.name + "\"";
    if (!p.filename.empty()) body += "; filename=\"" + p.filename + "\"";
    body += "\r\n";
    if (!p.content_type.empty()) body += "Content-Type: " + p.content_type + "\r\n";
    body += "\r\n" + p.data + "\r\n";
  }
  return body + "--" + boundary + "--\r\n";
}

object metadata(const std::string& file = kPdf, const std::string& key = "bauamt/d-1/rc/1") {
  return {{"businessProcessId", "bp-2019-12-04-0001"},
          {"businessCaseId", kCaseId},
          {"ownerId", "owner-7"},
          {"serviceId", 1201},
          {"title", "Handelsregisterauszug - 2019-12-04"},
          {"documentKind", "decision"},
          {"fileName", kFileName},
          {"language", "de"},
          {"sha256", sha256_hex(file)},
          {"sizeBytes", static_cast<int64_t>(file.size())},
          {"important", true},
          {"clientRequestId", key}};
}

std::vector<Part> document(const object& meta, const std::string& file = kPdf) {
  return {{"metadata", "application/json", boost::json::serialize(meta), ""},
          {"file", "application/pdf", file, kFileName}};
}

object expect_problem(const http::Response& r, unsigned status) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.content_type, "application/problem+json");
  boost::system::error_code ec;
  value v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "not a problem+json object: " << r.body;
    return {};
  }
  EXPECT_EQ(v.at("status"), status);
  EXPECT_TRUE(is_uuid(v.at("traceId").as_string())) << r.body;
  return v.as_object();
}

// The problem names `field` in `errors` and in the detail.
void expect_names_field(const http::Response& r, unsigned status, const std::string& field) {
  object o = expect_problem(r, status);
  ASSERT_TRUE(o.contains("errors")) << r.body;
  EXPECT_TRUE(o.at("errors").as_object().contains(field)) << field << ": " << r.body;
  EXPECT_NE(std::string(o.at("detail").as_string()).find(field), std::string::npos) << r.body;
}

class RcAdapterSimTest : public ::testing::Test {
 protected:
  RcAdapterSimTest() : core_(base_clock_) {
    PortalSimOptions portal;
    portal.client_id = "portier";
    portal.client_secret = "rc-secret";
    auto module = std::make_unique<PortalSim>(portal, core_.clock());
    const PortalSim& tokens = *module;
    core_.add(std::move(module));
    RcAdapterSimOptions rc;
    rc.store_delay = kStoreDelay;
    rc.max_document_bytes = kMaxDocumentBytes;
    core_.add(std::make_unique<RcAdapterSim>(
        rc,
        [&tokens](const http::Request& request, const char* scope) {
          return tokens.authorize(request, scope);
        },
        core_.clock()));
    core_.register_routes(router_);
  }

  http::Response call(const std::string& method, const std::string& target,
                      const std::string& body = {}, http::Headers headers = {}) {
    http::Request request;
    request.method = method;
    request.target = target;
    request.path = target;
    request.headers = std::move(headers);
    request.body = body;
    request.correlation_id = "corr-" + std::to_string(++calls_);
    auto promise = std::make_shared<std::promise<http::Response>>();
    std::future<http::Response> answer = promise->get_future();
    router_.route(std::move(request),
                  [promise](http::Response r) { promise->set_value(std::move(r)); });
    if (answer.wait_for(5s) != std::future_status::ready) {
      ADD_FAILURE() << method << " " << target << ": no answer within 5 s";
      return http::Response::text(0, "");
    }
    return answer.get();
  }

  std::string token(const std::string& scope = "documents.write") {
    http::Response r = call(
        "POST", "/oauth2/token",
        "grant_type=client_credentials&client_id=portier&client_secret=rc-secret&scope=" + scope,
        {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(r.status, 200u) << r.body;
    return std::string(json(r).at("access_token").as_string());
  }

  http::Response upload(const std::string& bearer, const std::vector<Part>& parts,
                        http::Headers headers = {}) {
    headers.emplace("Authorization", "Bearer " + bearer);
    headers.emplace("Content-Type",
                    std::string("multipart/form-data; boundary=\"") + kBoundary + "\"");
    return call("POST", RcAdapterSim::kDocumentsPath, multipart(parts), std::move(headers));
  }

  http::Response get(const std::string& bearer, const std::string& id) {
    return call("GET", std::string(RcAdapterSim::kDocumentsPath) + "/" + id, {},
                {{"Authorization", "Bearer " + bearer}});
  }

  // Uploads the default document; returns its deliveryId.
  std::string accepted(const std::string& bearer, const std::string& key = "bauamt/d-1/rc/1") {
    http::Response r = upload(bearer, document(metadata(kPdf, key)));
    EXPECT_EQ(r.status, 201u) << r.body;
    return std::string(json(r).at("deliveryId").as_string());
  }

  static value json(const http::Response& r) {
    boost::system::error_code ec;
    value v = boost::json::parse(r.body, ec);
    EXPECT_FALSE(ec) << "not JSON: " << r.body;
    return v;
  }

  static std::string header(const http::Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return {};
  }

  value state() { return json(call("GET", "/_sim/state")).at("rc-adapter"); }

  ManualClock base_clock_;
  SimCore core_;
  http::Router router_;
  int calls_ = 0;
};

// --- upload ------------------------------------------------------------------------------------

TEST_F(RcAdapterSimTest, AcceptsADocumentAndKeepsIt) {
  std::string bearer = token();
  http::Response r = upload(bearer, document(metadata()), {{"Idempotency-Key", "bauamt/d-1/rc/1"}});
  ASSERT_EQ(r.status, 201u) << r.body;
  value v = json(r);
  ASSERT_TRUE(is_uuid(v.at("deliveryId").as_string()));
  EXPECT_EQ(v.at("status"), "ACCEPTED");
  EXPECT_EQ(v.as_object().size(), 2u);
  std::string id(v.at("deliveryId").as_string());
  EXPECT_EQ(header(r, "Location"), "/rc-adapter/v1/documents/" + id);

  value s = state();
  ASSERT_EQ(s.at("deliveries").as_array().size(), 1u);
  const value& d = s.at("deliveries").at(0);
  EXPECT_EQ(d.at("deliveryId"), value(id));
  EXPECT_EQ(d.at("clientRequestId"), "bauamt/d-1/rc/1");
  EXPECT_EQ(d.at("sha256"), value(sha256_hex(kPdf)));
  EXPECT_EQ(d.at("sizeBytes").to_number<uint64_t>(), kPdf.size());
  EXPECT_EQ(d.at("fileName"), kFileName);
  EXPECT_EQ(d.at("status"), "ACCEPTED");
  EXPECT_EQ(d.at("metadata"), value(metadata()));
  EXPECT_EQ(d.at("received"), 1);
  EXPECT_EQ(s.at("effects"), 1);

  http::Response file = call("GET", "/_sim/rc-adapter/documents/" + id + "/file");
  EXPECT_EQ(file.status, 200u);
  EXPECT_EQ(file.content_type, "application/pdf");
  EXPECT_EQ(file.body, kPdf);  // byte for byte, a "--" line inside included

  value log = json(call("GET", "/_sim/log")).at("entries");
  const value& entry = log.as_array().back();
  EXPECT_EQ(entry.at("module"), "rc-adapter");
  EXPECT_EQ(entry.at("idempotencyKey"), "bauamt/d-1/rc/1");
  EXPECT_EQ(entry.at("status"), 201);
  EXPECT_TRUE(entry.at("body").is_null());  // multipart is not kept
}

TEST_F(RcAdapterSimTest, RepeatedClientRequestIdGetsTheSameAnswerOnce) {
  std::string bearer = token();
  http::Response first = upload(bearer, document(metadata()));
  ASSERT_EQ(first.status, 201u) << first.body;
  http::Response again = upload(bearer, document(metadata()));
  EXPECT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(header(again, "Idempotent-Replayed"), "true");
  EXPECT_EQ(header(again, "Location"), header(first, "Location"));

  value s = state();
  EXPECT_EQ(s.at("deliveries").as_array().size(), 1u);
  EXPECT_EQ(s.at("deliveries").at(0).at("received"), 2);
  EXPECT_EQ(s.at("effects"), 1);
  value log = json(call("GET", "/_sim/log")).at("entries");
  EXPECT_EQ(log.as_array().back().at("duplicate"), true);

  // The same clientRequestId for another document is a client error, not a replay.
  std::string other = kPdf + "% another\n";
  expect_names_field(upload(bearer, document(metadata(other), other)), 422, "clientRequestId");
  EXPECT_EQ(state().at("effects"), 1);
}

TEST_F(RcAdapterSimTest, FileNotMatchingItsMetadataIs409AndStoresNothing) {
  std::string bearer = token();
  object tampered = metadata();
  tampered["sha256"] = sha256_hex("something else");
  expect_names_field(upload(bearer, document(tampered)), 409, "sha256");

  object short_size = metadata();
  short_size["sizeBytes"] = static_cast<int64_t>(kPdf.size()) - 1;
  expect_names_field(upload(bearer, document(short_size)), 409, "sizeBytes");
  EXPECT_EQ(state().at("deliveries").as_array().size(), 0u);

  // A refused upload binds nothing: corrected, it goes through under the same id.
  EXPECT_EQ(upload(bearer, document(metadata())).status, 201u);
}

TEST_F(RcAdapterSimTest, TooLargeIs413) {
  std::string bearer = token();
  std::string big = "%PDF-" + std::string(kMaxDocumentBytes, 'x');
  expect_problem(upload(bearer, document(metadata(big), big)), 413);

  object claims_big = metadata();
  claims_big["sizeBytes"] = kMaxDocumentBytes + 1;
  expect_problem(upload(bearer, document(claims_big)), 413);
  EXPECT_EQ(state().at("effects"), 0);
}

TEST_F(RcAdapterSimTest, InvalidMetadataIs422NamingTheField) {
  std::string bearer = token();
  struct Case {
    const char* field;
    value replacement;  // null with `remove`: the member is left out
    bool remove = false;
  };
  const Case cases[] = {
      {"businessProcessId", nullptr, true},
      {"businessProcessId", value(std::string(129, 'b'))},
      {"businessCaseId", value("not-a-uuid")},
      {"ownerId", nullptr, true},
      {"ownerId", value("")},
      {"serviceId", value("1201")},
      {"serviceId", value(int64_t{1} << 40)},
      {"title", nullptr, true},
      {"documentKind", value(42)},
      {"fileName", value("Entscheid Bauamt.pdf")},
      {"fileName", value("entscheid.docx")},
      {"language", value("xx")},
      {"sha256", value("abc")},
      {"sizeBytes", value(0)},
      {"sizeBytes", value("12")},
      {"important", value("yes")},
      {"important", nullptr, true},
      {"clientRequestId", nullptr, true},
      {"signature", value("extra")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.field) + " " + boost::json::serialize(c.replacement));
    object m = metadata();
    if (c.remove) {
      m.erase(c.field);
    } else {
      m[c.field] = c.replacement;
    }
    expect_names_field(upload(bearer, document(m)), 422, c.field);
  }
  // 128 characters (not bytes) are fine; optional members may be null or absent.
  object m = metadata();
  m["businessProcessId"] = std::string(127, 'b') + "ü";
  m["businessCaseId"] = nullptr;
  m.erase("language");
  EXPECT_EQ(upload(bearer, document(m)).status, 201u);
  EXPECT_EQ(state().at("effects"), 1);
}

TEST_F(RcAdapterSimTest, PartsAreChecked) {
  std::string bearer = token();
  std::string meta = boost::json::serialize(metadata());
  expect_names_field(upload(bearer, {{"metadata", "application/json", meta, ""}}), 422, "file");
  expect_names_field(upload(bearer, {{"file", "application/pdf", kPdf, kFileName}}), 422,
                     "metadata");
  expect_names_field(upload(bearer, {{"metadata", "application/json", "{not json", ""},
                                     {"file", "application/pdf", kPdf, kFileName}}),
                     422, "metadata");
  expect_names_field(upload(bearer, {{"metadata", "application/json", meta, ""},
                                     {"file", "text/plain", kPdf, kFileName}}),
                     422, "file");
  std::string html = "<html>%PDF-1.7";
  expect_names_field(upload(bearer, document(metadata(html), html)), 422, "file");
  expect_names_field(upload(bearer, {{"metadata", "application/json", meta, ""},
                                     {"file", "application/pdf", kPdf, "other.pdf"}}),
                     422, "fileName");
  std::vector<Part> extra = document(metadata());
  extra.push_back({"comment", "text/plain", "hi", ""});
  expect_names_field(upload(bearer, extra), 422, "comment");
  std::vector<Part> twice = document(metadata());
  twice.push_back(twice.front());
  expect_names_field(upload(bearer, twice), 422, "metadata");
  expect_names_field(upload(bearer, document(metadata()), {{"Idempotency-Key", "other-key"}}), 422,
                     "clientRequestId");

  http::Headers auth{{"Authorization", "Bearer " + bearer}};
  http::Headers json_type = auth;
  json_type["Content-Type"] = "application/json";
  expect_problem(call("POST", RcAdapterSim::kDocumentsPath, meta, json_type), 415);
  http::Headers form_type = auth;
  form_type["Content-Type"] = std::string("multipart/form-data; boundary=") + kBoundary;
  std::string unterminated = multipart(document(metadata()));
  unterminated.resize(unterminated.size() - 20);
  expect_problem(call("POST", RcAdapterSim::kDocumentsPath, unterminated, form_type), 400);
  EXPECT_EQ(state().at("effects"), 0);
}

TEST_F(RcAdapterSimTest, UnknownOwnerOrBusinessProcessIdIs422) {
  std::string bearer = token();
  http::Response known = call("POST", "/_sim/rc-adapter/known",
                              R"({"ownerIds":["owner-1"],"businessProcessIds":["bp-1"]})");
  ASSERT_EQ(known.status, 200u) << known.body;
  EXPECT_EQ(json(known).at("ownerIds"), value(boost::json::array{"owner-1"}));

  object m = metadata();
  m["ownerId"] = "owner-1";
  expect_names_field(upload(bearer, document(m)), 422, "businessProcessId");
  m["businessProcessId"] = "bp-1";
  m["ownerId"] = "owner-2";
  expect_names_field(upload(bearer, document(m)), 422, "ownerId");
  m["ownerId"] = "owner-1";
  EXPECT_EQ(upload(bearer, document(m)).status, 201u);

  expect_problem(call("POST", "/_sim/rc-adapter/known", R"({"ownerIds":[1]})"), 422);
  ASSERT_EQ(call("POST", "/_sim/rc-adapter/known", R"({"ownerIds":null})").status, 200u);
  EXPECT_TRUE(state().at("known").at("ownerIds").is_null());
  EXPECT_EQ(state().at("known").at("businessProcessIds"), value(boost::json::array{"bp-1"}));
  ASSERT_EQ(call("POST", "/_sim/reset").status, 200u);  // back to the options: any is known
  EXPECT_TRUE(state().at("known").at("businessProcessIds").is_null());
}

TEST_F(RcAdapterSimTest, NeedsThePortalsBearerTokenWithDocumentsWrite) {
  std::string id = accepted(token());
  http::Response none =
      call("POST", RcAdapterSim::kDocumentsPath, multipart(document(metadata())),
           {{"Content-Type", std::string("multipart/form-data; boundary=") + kBoundary}});
  expect_problem(none, 401);
  EXPECT_NE(header(none, "WWW-Authenticate").find("Bearer"), std::string::npos);
  expect_problem(upload("not-a-token", document(metadata())), 401);
  std::string reader = token("activities.read");
  http::Response scope = upload(reader, document(metadata()));
  expect_problem(scope, 403);
  EXPECT_NE(header(scope, "WWW-Authenticate").find("documents.write"), std::string::npos);
  expect_problem(call("GET", std::string(RcAdapterSim::kDocumentsPath) + "/" + id), 401);
  EXPECT_EQ(get(reader, id).status, 200u);  // reading a status needs any valid token

  std::string writer = token();
  core_.clock().advance(std::chrono::seconds(301));  // past the portal's token lifetime
  expect_problem(upload(writer, document(metadata())), 401);
  EXPECT_EQ(state().at("deliveries").at(0).at("received"), 1);
}

// --- lifecycle -----------------------------------------------------------------------------------

TEST_F(RcAdapterSimTest, StatusFollowsAcceptedStoredRead) {
  std::string bearer = token();
  std::string id = accepted(bearer);
  http::Response r = get(bearer, id);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json(r).at("status"), "ACCEPTED");
  EXPECT_TRUE(json(r).at("reason").is_null());
  EXPECT_TRUE(json(r).at("storedInInboxAt").is_null());
  expect_problem(call("POST", "/_sim/rc-adapter/read", R"({"deliveryId":")" + id + "\"}"), 409);

  core_.clock().advance(kStoreDelay - 1ms);
  EXPECT_EQ(json(get(bearer, id)).at("status"), "ACCEPTED");
  core_.clock().advance(1ms);
  value stored = json(get(bearer, id));
  EXPECT_EQ(stored.at("status"), "STORED_IN_INBOX");
  EXPECT_EQ(stored.at("storedInInboxAt"), value(format_utc(core_.clock().now_ms())));

  core_.clock().advance(1h);
  http::Response read = call("POST", "/_sim/rc-adapter/read", R"({"deliveryId":")" + id + "\"}");
  ASSERT_EQ(read.status, 200u) << read.body;
  EXPECT_EQ(json(read).at("status"), "READ");
  std::string read_at(json(read).at("readAt").as_string());
  core_.clock().advance(1h);
  EXPECT_EQ(
      json(call("POST", "/_sim/rc-adapter/read", R"({"deliveryId":")" + id + "\"}")).at("readAt"),
      value(read_at));  // only the first read counts
  bearer = token();     // the first one has expired meanwhile
  EXPECT_EQ(json(get(bearer, id)).at("status"), "READ");
  EXPECT_EQ(state().at("deliveries").at(0).at("status"), "READ");

  expect_problem(get(bearer, "00000000-0000-4000-8000-000000000000"), 404);
  expect_problem(call("POST", "/_sim/rc-adapter/read", R"({"deliveryId":"nope"})"), 404);
  expect_names_field(call("POST", "/_sim/rc-adapter/read", "{}"), 422, "deliveryId");
}

TEST_F(RcAdapterSimTest, StoreEndpointMovesDocumentsIntoTheInboxAtOnce) {
  std::string bearer = token();
  std::string one = accepted(bearer, "k-1");
  std::string two = accepted(bearer, "k-2");
  http::Response r = call("POST", "/_sim/rc-adapter/store", R"({"deliveryId":")" + one + "\"}");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json(r).at("status"), "STORED_IN_INBOX");
  EXPECT_EQ(json(get(bearer, two)).at("status"), "ACCEPTED");
  r = call("POST", "/_sim/rc-adapter/store", "");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json(r).at("stored"), value(boost::json::array{value(two)}));
  EXPECT_EQ(json(get(bearer, two)).at("status"), "STORED_IN_INBOX");
  expect_problem(call("POST", "/_sim/rc-adapter/store", R"({"deliveryId":"nope"})"), 404);
}

TEST_F(RcAdapterSimTest, RejectedCarriesItsReason) {
  std::string bearer = token();
  std::string id = accepted(bearer);
  http::Response r = call("POST", "/_sim/rc-adapter/reject",
                          R"({"deliveryId":")" + id + R"(","reason":"account closed"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  value v = json(get(bearer, id));
  EXPECT_EQ(v.at("status"), "REJECTED");
  EXPECT_EQ(v.at("reason"), "account closed");
  EXPECT_FALSE(v.at("rejectedAt").is_null());
  core_.clock().advance(kStoreDelay * 2);
  EXPECT_EQ(json(get(bearer, id)).at("status"), "REJECTED");  // never stored afterwards
  expect_problem(call("POST", "/_sim/rc-adapter/store", R"({"deliveryId":")" + id + "\"}"), 409);

  std::string read = accepted(bearer, "k-read");
  call("POST", "/_sim/rc-adapter/store", "");
  ASSERT_EQ(call("POST", "/_sim/rc-adapter/read", R"({"deliveryId":")" + read + "\"}").status,
            200u);
  expect_problem(call("POST", "/_sim/rc-adapter/reject",
                      R"({"deliveryId":")" + read + R"(","reason":"late"})"),
                 409);
  expect_names_field(call("POST", "/_sim/rc-adapter/reject", R"({"deliveryId":")" + id + "\"}"),
                     422, "reason");
}

// --- sim core ------------------------------------------------------------------------------------

TEST_F(RcAdapterSimTest, InjectedFailuresNeverReachTheModule) {
  std::string bearer = token();
  ASSERT_EQ(call("POST", "/_sim/faults",
                 R"({"status":503,"count":1,"pathPrefix":"/rc-adapter/v1/documents",)"
                 R"("retryAfterSeconds":2})")
                .status,
            200u);
  http::Response failed = upload(bearer, document(metadata()));
  expect_problem(failed, 503);
  EXPECT_EQ(header(failed, "Retry-After"), "2");
  EXPECT_EQ(state().at("effects"), 0);
  EXPECT_EQ(upload(bearer, document(metadata())).status, 201u);
  value log = json(call("GET", "/_sim/log")).at("entries");
  ASSERT_GE(log.as_array().size(), 2u);
  EXPECT_EQ(log.at(log.as_array().size() - 2).at("fault"), "injected");
  EXPECT_EQ(log.as_array().back().at("status"), 201);
}

TEST_F(RcAdapterSimTest, ResetForgetsDeliveriesButNotTokens) {
  std::string bearer = token();
  std::string id = accepted(bearer);
  ASSERT_EQ(call("POST", "/_sim/reset").status, 200u);
  EXPECT_EQ(state().at("deliveries").as_array().size(), 0u);
  EXPECT_EQ(state().at("effects"), 0);
  expect_problem(get(bearer, id), 404);
  EXPECT_EQ(upload(bearer, document(metadata())).status, 201u);  // same key: a new delivery
}

}  // namespace
}  // namespace portier::sim::testing
