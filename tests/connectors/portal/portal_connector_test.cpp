// The portal connector: the wire format of every kind it delivers and of what it reads back,
// how answers are judged, and (PortalConnectorEndToEnd) deliveries and reads against the real
// portal simulator behind a real HTTP server on a free loopback port.
#include "connectors/portal/portal_connector.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "adapters/http/router.h"
#include "adapters/http/server.h"
#include "connectors/http/http_client.h"
#include "connectors/http/judgement.h"
#include "connectors/http/problem.h"
#include "connectors/portal/portal_wire.h"
#include "core/base/clock.h"
#include "core/base/metrics.h"
#include "tests/sim/loopback_sim.h"
#include "tests/sim/portal_sim.h"
#include "tests/sim/sim_core.h"

namespace portier::portal {
namespace {

namespace json = boost::json;
using Kind = dispatch::DeliveryResult::Kind;

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

TEST(JudgeStatus, Table) {
  const std::pair<long, Kind> table[] = {
      {200, Kind::kDelivered}, {201, Kind::kDelivered}, {204, Kind::kDelivered},
      {400, Kind::kReject},    {403, Kind::kReject},    {404, Kind::kReject},
      {409, Kind::kReject},    {410, Kind::kReject},    {422, Kind::kReject},
      {401, Kind::kRetry},     {408, Kind::kRetry},     {425, Kind::kRetry},
      {429, Kind::kRetry},     {500, Kind::kRetry},     {502, Kind::kRetry},
      {503, Kind::kRetry},     {504, Kind::kRetry},
  };
  for (const auto& [status, expected] : table) {
    SCOPED_TRACE(status);
    EXPECT_STREQ(name_of(outbound::judge_status(status)), name_of(expected));
  }
}

model::WorkItem item_with(const model::Message& message, const std::string& bpid = "bp-42") {
  model::WorkItem item;
  item.id = 7;
  item.idempotencyKey = "bauamt/m-1/portal/1";
  item.department = "bauamt";
  item.businessProcessId = bpid;
  item.destination = "portal";
  item.attempts = 1;
  item.message = message;
  return item;
}

model::Message business_case(bool with_reference) {
  model::BusinessCase bc;
  bc.businessCaseId = "3f0c2d4e-0000-4000-8000-000000000001";
  bc.serviceId = 42;
  bc.ownerId = "owner-7";
  bc.title = "Baugesuch \"Meier\"";
  if (with_reference) bc.__set_ourBusinessReferenceId("AZ-2026-1");
  model::Message m;
  m.__set_businessCase(bc);
  return m;
}

json::object parse_object(const std::string& body) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  EXPECT_FALSE(ec) << body;
  if (ec || !v.is_object()) return {};
  return v.as_object();
}

TEST(PortalWire, BusinessCaseBecomesPostBusinesscases) {
  auto request = to_portal_request(item_with(business_case(true)));
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->method, "POST");
  EXPECT_EQ(request->path, "/businesscases");
  json::object body = parse_object(request->body);
  EXPECT_EQ(body["businessCaseId"], "3f0c2d4e-0000-4000-8000-000000000001");
  EXPECT_EQ(body["ownerId"], "owner-7");
  EXPECT_EQ(body["serviceId"], 42);
  EXPECT_EQ(body["title"], "Baugesuch \"Meier\"");
  EXPECT_EQ(body["businessProcessId"], "bp-42");
  EXPECT_EQ(body["externalReference"], "AZ-2026-1");
  EXPECT_EQ(body.size(), 6u) << request->body;
}

TEST(PortalWire, ExternalReferenceOnlyWhenSet) {
  auto request = to_portal_request(item_with(business_case(false)));
  ASSERT_TRUE(request.has_value());
  json::object body = parse_object(request->body);
  EXPECT_FALSE(body.contains("externalReference")) << request->body;
  EXPECT_EQ(body.size(), 5u) << request->body;
}

TEST(PortalWire, StatusUpdateBecomesPatchOfTheCase) {
  model::StatusUpdate update;
  update.businessCaseId = "case-1";
  update.status = model::CaseStatus::IN_PROGRESS;
  update.__set_statusText("Prüfung läuft");
  model::Message m;
  m.__set_statusUpdate(update);

  auto request = to_portal_request(item_with(m));
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->method, "PATCH");
  EXPECT_EQ(request->path, "/businesscases/case-1");
  json::object body = parse_object(request->body);
  EXPECT_EQ(body["status"], "IN_PROGRESS");
  EXPECT_EQ(body["statusText"], "Prüfung läuft");
  EXPECT_EQ(body.size(), 2u) << request->body;
}

TEST(PortalWire, StatusUpdateWithoutTextSendsOnlyTheStatus) {
  model::StatusUpdate update;
  update.businessCaseId = "case-2";
  update.status = model::CaseStatus::WAITING_FOR_CUSTOMER;
  model::Message m;
  m.__set_statusUpdate(update);
  auto request = to_portal_request(item_with(m));
  ASSERT_TRUE(request.has_value());
  json::object body = parse_object(request->body);
  EXPECT_EQ(body["status"], "WAITING_FOR_CUSTOMER");
  EXPECT_FALSE(body.contains("statusText"));
}

TEST(PortalWire, EveryStatusHasItsName) {
  const std::pair<model::CaseStatus::type, const char*> table[] = {
      {model::CaseStatus::OPEN, "OPEN"},
      {model::CaseStatus::IN_PROGRESS, "IN_PROGRESS"},
      {model::CaseStatus::WAITING_FOR_CUSTOMER, "WAITING_FOR_CUSTOMER"},
      {model::CaseStatus::DECIDED, "DECIDED"},
      {model::CaseStatus::CLOSED, "CLOSED"},
      {model::CaseStatus::CANCELLED, "CANCELLED"},
  };
  for (const auto& [status, name] : table) {
    SCOPED_TRACE(name);
    model::StatusUpdate update;
    update.businessCaseId = "c";
    update.status = status;
    model::Message m;
    m.__set_statusUpdate(update);
    auto request = to_portal_request(item_with(m));
    ASSERT_TRUE(request.has_value());
    EXPECT_EQ(parse_object(request->body)["status"], name);
  }
}

model::Message activity(bool full) {
  model::Activity a;
  a.businessCaseId = "3f0c2d4e-0000-4000-8000-000000000001";
  a.ownerId = "owner-7";
  a.title = "Gesuch eingegangen";
  a.body = "Ihr Gesuch ist eingegangen.";
  a.type = "info";
  if (full) {
    a.__set_target("citizen");
    a.__set_event("received");
    a.__set_moduleName("baugesuch");
    a.__set_objectId("AZ-2026-1");
    a.__set_serviceId(42);
    a.__set_relatedProfileId(77);
    a.__set_displayStampMs(1'767'600'000'123);  // 2026-01-05T08:00:00.123Z
  }
  model::Message m;
  m.__set_activity(a);
  return m;
}

TEST(PortalWire, ActivityBecomesPostActivitiesWithTheRealFieldNames) {
  auto request = to_portal_request(item_with(activity(true)));
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->method, "POST");
  EXPECT_EQ(request->path, "/activities");
  EXPECT_EQ(parse_object(request->body),
            (json::object{{"ownerId", "owner-7"},
                          {"title", "Gesuch eingegangen"},
                          {"body", "Ihr Gesuch ist eingegangen."},
                          {"type", "info"},
                          {"target", "citizen"},
                          {"event", "received"},
                          {"module", "baugesuch"},
                          {"objectId", "AZ-2026-1"},
                          {"businessCaseId", "3f0c2d4e-0000-4000-8000-000000000001"},
                          {"serviceId", 42},
                          {"relatedProfileId", 77},
                          {"displayStamp", "2026-01-05T08:00:00.123Z"}}))
      << request->body;
}

TEST(PortalWire, ActivitySendsOnlyTheFieldsThatAreSet) {
  auto request = to_portal_request(item_with(activity(false)));
  ASSERT_TRUE(request.has_value());
  json::object body = parse_object(request->body);
  EXPECT_EQ(body.size(), 5u) << request->body;  // ownerId, title, body, type, businessCaseId
  for (const char* absent :
       {"target", "event", "module", "moduleName", "objectId", "serviceId", "relatedProfileId",
        "displayStamp", "id", "createdBy", "creationStamp"}) {
    EXPECT_FALSE(body.contains(absent)) << absent;
  }
}

TEST(PortalWire, NotificationBecomesPostNotifications) {
  model::Notification n;
  n.ownerId = "owner-7";
  n.subject = "Neue Verfügung";
  n.body = "Bitte lesen.";
  n.important = true;
  n.__set_businessCaseId("3f0c2d4e-0000-4000-8000-000000000001");
  model::Message m;
  m.__set_notification(n);
  auto request = to_portal_request(item_with(m));
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->method, "POST");
  EXPECT_EQ(request->path, "/notifications");
  EXPECT_EQ(parse_object(request->body),
            (json::object{{"ownerId", "owner-7"},
                          {"businessCaseId", "3f0c2d4e-0000-4000-8000-000000000001"},
                          {"subject", "Neue Verfügung"},
                          {"body", "Bitte lesen."},
                          {"important", true}}));

  n.__isset.businessCaseId = false;
  n.important = false;
  m.__set_notification(n);
  json::object body = parse_object(to_portal_request(item_with(m))->body);
  EXPECT_FALSE(body.contains("businessCaseId"));
  EXPECT_EQ(body["important"], false);
}

model::Message inbox_message(bool important, const std::string& case_id) {
  model::InboxMessage im;
  im.ownerId = "owner-7";
  im.businessCaseId = case_id;
  im.subject = "Verfügung";
  im.body = "Ihre Verfügung liegt im Konto.";
  im.important = important;
  model::Message m;
  m.__set_inboxMessage(im);
  return m;
}

TEST(PortalWire, InboxMessageBecomesPostMessages) {
  auto request =
      to_portal_request(item_with(inbox_message(true, "3f0c2d4e-0000-4000-8000-000000000001")));
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->method, "POST");
  EXPECT_EQ(request->path, "/messages");
  EXPECT_EQ(parse_object(request->body),
            (json::object{{"ownerId", "owner-7"},
                          {"businessCaseId", "3f0c2d4e-0000-4000-8000-000000000001"},
                          {"subject", "Verfügung"},
                          {"body", "Ihre Verfügung liegt im Konto."},
                          {"important", true},
                          {"documents", json::array()}}));

  json::object without_case =
      parse_object(to_portal_request(item_with(inbox_message(false, "")))->body);
  EXPECT_FALSE(without_case.contains("businessCaseId"));
  EXPECT_EQ(without_case["important"], false);
}

TEST(PortalWire, OtherKindsAreNotForThePortalApi) {
  model::DocumentDelivery d;
  d.deliveryId = "d-1";
  model::Message m;
  m.__set_documentDelivery(d);
  EXPECT_FALSE(to_portal_request(item_with(m)).has_value());
  EXPECT_FALSE(to_portal_request(item_with(model::Message{})).has_value());
}

TEST(PortalWire, ReadRequests) {
  PortalRequest c = case_request("3f0c2d4e-0000-4000-8000-000000000001");
  EXPECT_EQ(c.method, "GET");
  EXPECT_EQ(c.path, "/businesscases/3f0c2d4e-0000-4000-8000-000000000001");
  EXPECT_TRUE(c.body.empty());
  EXPECT_EQ(case_request("../x?y=1").path, "/businesscases/..%2Fx%3Fy%3D1");
  PortalRequest e = events_request(42, 100);
  EXPECT_EQ(e.method, "GET");
  EXPECT_EQ(e.path, "/notifications/feed?after=42&limit=100");
}

TEST(PortalWire, ParseCase) {
  auto c = parse_case(R"({"businessCaseId":"6f1c9a52-3b7e-4d21-9c0a-8e5b2f7d4a10","ownerId":"o",
      "serviceId":1201,"title":"T","businessProcessId":"bp-1","externalReference":null,
      "status":"DECIDED","statusText":"Bewilligt","createdAt":"2023-11-14T22:13:20.000Z",
      "updatedAt":"2023-11-14T22:17:20.000Z",
      "history":[{"status":"OPEN","statusText":null,"at":"2023-11-14T22:13:20.000Z"},
                 {"status":"DECIDED","statusText":"Bewilligt","at":"2023-11-14T22:17:20.5Z"}]})");
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->business_case_id, "6f1c9a52-3b7e-4d21-9c0a-8e5b2f7d4a10");
  EXPECT_EQ(c->owner_id, "o");
  EXPECT_EQ(c->service_id, 1201);
  EXPECT_EQ(c->title, "T");
  EXPECT_EQ(c->business_process_id, "bp-1");
  EXPECT_EQ(c->status, "DECIDED");
  EXPECT_EQ(c->status_text, "Bewilligt");
  ASSERT_EQ(c->history.size(), 2u);
  EXPECT_EQ(c->history[0].status, "OPEN");
  EXPECT_EQ(c->history[0].status_text, "");
  EXPECT_EQ(c->history[0].at_ms, 1'700'000'000'000);
  EXPECT_EQ(c->history[1].status_text, "Bewilligt");
  EXPECT_EQ(c->history[1].at_ms, 1'700'000'240'500);

  for (const char* bad :
       {"", "[]", R"({"status":"OPEN"})", R"({"businessCaseId":"x"})",
        R"({"businessCaseId":"x","status":"OPEN","serviceId":4294967296})",
        R"({"businessCaseId":"x","status":"OPEN","history":{}})",
        R"({"businessCaseId":"x","status":"OPEN","history":[{"status":"OPEN"}]})",
        R"({"businessCaseId":"x","status":"OPEN","history":[{"status":"OPEN","at":"today"}]})"}) {
    auto r = parse_case(bad);
    EXPECT_FALSE(r.is_ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << bad;
  }
}

TEST(PortalWire, ParseEvents) {
  auto events = parse_events(R"({"events":[
      {"cursor":1,"kind":"MESSAGE_DELIVERED","messageId":"m-1","businessCaseId":null,
       "at":"2023-11-14T22:13:20.000Z"},
      {"cursor":2,"kind":"MESSAGE_READ","messageId":"m-1","businessCaseId":"c-1",
       "at":"2023-11-14T23:13:21+01:00"}]})");
  ASSERT_TRUE(events.is_ok()) << events.status().to_string();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].cursor, 1);
  EXPECT_EQ((*events)[0].kind, "MESSAGE_DELIVERED");
  EXPECT_EQ((*events)[0].message_id, "m-1");
  EXPECT_EQ((*events)[0].business_case_id, "");
  EXPECT_EQ((*events)[0].at_ms, 1'700'000'000'000);
  EXPECT_EQ((*events)[1].business_case_id, "c-1");
  EXPECT_EQ((*events)[1].at_ms, 1'700'000'001'000);
  EXPECT_TRUE(parse_events(R"({"events":[]})")->empty());
  for (const char* bad : {"", "{}", R"({"events":{}})", R"({"events":[1]})",
                          R"({"events":[{"kind":"MESSAGE_READ","at":"2023-11-14T22:13:20Z"}]})",
                          R"({"events":[{"cursor":1,"kind":"MESSAGE_READ","at":"x"}]})"}) {
    EXPECT_EQ(parse_events(bad).status().code(), StatusCode::kUnavailable) << bad;
  }
}

TEST(JudgeReadStatus, Table) {
  const std::pair<long, StatusCode> table[] = {
      {200, StatusCode::kOk},
      {204, StatusCode::kOk},
      {404, StatusCode::kNotFound},
      {401, StatusCode::kPermissionDenied},
      {403, StatusCode::kPermissionDenied},
      {400, StatusCode::kInvalidArgument},
      {409, StatusCode::kInvalidArgument},
      {422, StatusCode::kInvalidArgument},
      {408, StatusCode::kUnavailable},
      {425, StatusCode::kUnavailable},
      {429, StatusCode::kUnavailable},
      {500, StatusCode::kUnavailable},
      {503, StatusCode::kUnavailable},
      {302, StatusCode::kUnavailable},
  };
  for (const auto& [status, expected] : table) {
    SCOPED_TRACE(status);
    EXPECT_STREQ(
        to_string(outbound::judge_read_status(status, R"({"title":"T","detail":"D"})").code()),
        to_string(expected));
  }
  EXPECT_EQ(outbound::judge_read_status(
                404, R"({"title":"Not Found","detail":"business case x not found"})")
                .message(),
            "HTTP 404: Not Found: business case x not found");
}

TEST(DescribeProblem, Rfc7807TitleAndDetail) {
  EXPECT_EQ(outbound::describe_problem(
                R"({"type":"about:blank","title":"Unprocessable Entity","status":422,)"
                R"("detail":"status is invalid"})"),
            "Unprocessable Entity: status is invalid");
  EXPECT_EQ(outbound::describe_problem(R"({"title":"Conflict","status":409})"), "Conflict");
  EXPECT_EQ(outbound::describe_problem(R"({"detail":"no such case"})"), "no such case");
}

TEST(DescribeProblem, NonJsonGivesTheStartOfTheBody) {
  EXPECT_EQ(outbound::describe_problem("<html>Bad Gateway</html>"), "<html>Bad Gateway</html>");
  std::string long_body = "x" + std::string(1000, 'y');
  std::string described = outbound::describe_problem(long_body);
  EXPECT_TRUE(long_body.starts_with(described));
  EXPECT_GE(described.size(), 50u);
  EXPECT_LT(described.size(), long_body.size());
  EXPECT_EQ(outbound::describe_problem(""), "");
  // JSON that is not a problem: the body as it is.
  EXPECT_EQ(outbound::describe_problem(R"({"error":"x"})"), R"({"error":"x"})");
}

// --- end to end against the portal simulator ---------------------------------------------------

constexpr const char* kCaseId = "6f1c9a52-3b7e-4d21-9c0a-8e5b2f7d4a10";

class PortalConnectorEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::PortalSimOptions options;
    options.client_id = "portier";
    options.client_secret = "e2e-secret";
    auto portal = std::make_unique<sim::PortalSim>(options, sim_.core().clock());
    portal_ = portal.get();
    sim_.core().add(std::move(portal));
    ASSERT_TRUE(sim_.start());
    base_ = sim_.base();
    connector_ =
        std::make_unique<PortalConnector>(settings(base_), std::chrono::seconds(5), clock_);
  }

  void TearDown() override {
    connector_.reset();
    sim_.stop();
  }

  static config::Portal settings(const std::string& base) {
    config::Portal p;
    p.base_url = base + "/api/v9";
    p.token_url = base + "/oauth2/token";
    p.client_id = "portier";
    p.client_secret = "e2e-secret";
    p.scope = "businesscases.write activities.write messages.write";
    p.timeout = std::chrono::seconds(5);
    return p;
  }

  model::WorkItem work(const model::Message& m, const std::string& key) {
    model::WorkItem item = item_with(m, "bp-e2e-1");
    item.idempotencyKey = key;
    item.__set_correlationId("corr-" + key);
    return item;
  }

  void expect_delivered(const model::WorkItem& item) {
    dispatch::DeliveryResult r = connector_->deliver(item);
    EXPECT_STREQ(name_of(r.kind), "delivered") << r.detail;
  }

  void open_case() {
    model::Message m = business_case(true);
    m.businessCase.businessCaseId = kCaseId;
    expect_delivered(work(m, "bauamt/case/portal/1"));
  }

  unsigned control(const std::string& method, const std::string& path, const std::string& body) {
    return static_cast<unsigned>(sim_.control(method, path, body).status);
  }

  SystemClock clock_;
  sim::LoopbackSim sim_{clock_};
  sim::PortalSim* portal_ = nullptr;  // owned by the sim's core
  std::string base_;
  std::unique_ptr<PortalConnector> connector_;
};

TEST_F(PortalConnectorEndToEnd, DeliversAnActivityAndReadsTheCaseBack) {
  open_case();
  model::StatusUpdate update;
  update.businessCaseId = kCaseId;
  update.status = model::CaseStatus::IN_PROGRESS;
  update.__set_statusText("Prüfung läuft");
  model::Message status;
  status.__set_statusUpdate(update);
  expect_delivered(work(status, "bauamt/status/portal/1"));

  model::Message a = activity(true);
  a.activity.businessCaseId = kCaseId;
  model::WorkItem item = work(a, "bauamt/activity/portal/1");
  expect_delivered(item);
  expect_delivered(item);  // a retry after a lost answer: the portal keeps one

  json::value state = portal_->inspect();
  const json::array& activities = state.at("activities").as_array();
  ASSERT_EQ(activities.size(), 1u) << json::serialize(state);
  const json::value& got = activities[0];
  EXPECT_EQ(got.as_object().size(), 15u);
  EXPECT_EQ(got.at("id"), 1);
  EXPECT_EQ(got.at("ownerId"), "owner-7");
  EXPECT_EQ(got.at("module"), "baugesuch");
  EXPECT_EQ(got.at("businessCaseId"), kCaseId);
  EXPECT_EQ(got.at("serviceId"), 42);
  EXPECT_EQ(got.at("relatedProfileId"), 77);
  EXPECT_EQ(got.at("displayStamp"), "2026-01-05T08:00:00.123Z");
  EXPECT_EQ(got.at("createdBy"), "portier");
  EXPECT_EQ(state.at("keys").at("bauamt/activity/portal/1").at("received"), 2);
  EXPECT_EQ(state.at("keys").at("bauamt/activity/portal/1").at("applied"), 1);

  // Every call carried the work item's correlation id.
  json::value log = sim_.core().log().to_json();
  std::vector<std::string> correlation_ids;
  for (const json::value& e : log.at("entries").as_array()) {
    if (e.at("path") == "/api/v9/activities") {
      correlation_ids.emplace_back(e.at("correlationId").as_string());
    }
  }
  EXPECT_EQ(correlation_ids, (std::vector<std::string>{"corr-bauamt/activity/portal/1",
                                                       "corr-bauamt/activity/portal/1"}));

  int64_t before = clock_.now_ms();
  auto c = connector_->read_case(kCaseId);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->business_case_id, kCaseId);
  EXPECT_EQ(c->business_process_id, "bp-e2e-1");
  EXPECT_EQ(c->service_id, 42);
  EXPECT_EQ(c->owner_id, "owner-7");
  EXPECT_EQ(c->status, "IN_PROGRESS");
  EXPECT_EQ(c->status_text, "Prüfung läuft");
  ASSERT_EQ(c->history.size(), 2u);
  EXPECT_EQ(c->history[0].status, "OPEN");
  EXPECT_EQ(c->history[1].status, "IN_PROGRESS");
  EXPECT_EQ(c->history[1].status_text, "Prüfung läuft");
  EXPECT_LE(c->history[0].at_ms, before);
  EXPECT_GT(c->history[0].at_ms, before - 60'000);
}

TEST_F(PortalConnectorEndToEnd, DeliversNotificationsAndMessagesAndReadsTheFeed) {
  open_case();
  model::Notification n;
  n.ownerId = "owner-7";
  n.subject = "Hallo";
  n.body = "Text";
  n.important = false;
  model::Message note;
  note.__set_notification(n);
  expect_delivered(work(note, "bauamt/notification/portal/1"));
  expect_delivered(work(inbox_message(true, kCaseId), "bauamt/message/portal/1"));
  expect_delivered(work(inbox_message(false, ""), "bauamt/message/portal/2"));

  json::value state = portal_->inspect();
  ASSERT_EQ(state.at("notifications").as_array().size(), 1u);
  const json::array& messages = state.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("mustReadAtNextLogin"), true);
  EXPECT_EQ(messages[1].at("mustReadAtNextLogin"), false);
  std::string first(messages[0].at("messageId").as_string());
  std::string second(messages[1].at("messageId").as_string());

  auto delivered = connector_->read_events(0, 100);
  ASSERT_TRUE(delivered.is_ok()) << delivered.status().to_string();
  ASSERT_EQ(delivered->size(), 2u);
  EXPECT_EQ((*delivered)[0].kind, "MESSAGE_DELIVERED");
  EXPECT_EQ((*delivered)[0].message_id, first);
  EXPECT_EQ((*delivered)[0].business_case_id, kCaseId);
  EXPECT_EQ((*delivered)[1].message_id, second);
  EXPECT_EQ((*delivered)[1].business_case_id, "");

  // The citizen reads the first message.
  EXPECT_EQ(control("POST", "/_sim/portal/read", R"({"messageId":")" + first + R"("})"), 200u);
  auto page = connector_->read_events((*delivered)[1].cursor, 1);
  ASSERT_TRUE(page.is_ok()) << page.status().to_string();
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].kind, "MESSAGE_READ");
  EXPECT_EQ((*page)[0].message_id, first);
  EXPECT_GT((*page)[0].cursor, (*delivered)[1].cursor);
  auto rest = connector_->read_events((*page)[0].cursor, 100);
  ASSERT_TRUE(rest.is_ok());
  EXPECT_TRUE(rest->empty());

  // Limit pages the feed.
  auto one = connector_->read_events(0, 1);
  ASSERT_TRUE(one.is_ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].message_id, first);
}

TEST_F(PortalConnectorEndToEnd, ReadErrorsSayWhatToDo) {
  auto unknown = connector_->read_case("0b8e2d34-9a61-4f7c-b3d5-1c2e4f6a8b90");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound) << unknown.status().to_string();
  EXPECT_NE(unknown.status().message().find("correlation id"), std::string::npos);
  EXPECT_EQ(connector_->read_case("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(connector_->read_events(-1, 10).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(connector_->read_events(0, 0).status().code(), StatusCode::kInvalidArgument);

  // The portal's limit is 1000: a larger one is the caller's mistake.
  EXPECT_EQ(connector_->read_events(0, 5000).status().code(), StatusCode::kInvalidArgument);

  // 5xx: try later.
  ASSERT_TRUE(sim_.core()
                  .faults()
                  .add(json::value{{"status", 503}, {"count", 2}, {"pathPrefix", "/api/v9/"}})
                  .is_ok());
  EXPECT_EQ(connector_->read_case(kCaseId).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(connector_->read_events(0, 10).status().code(), StatusCode::kUnavailable);

  // A malformed answer: try later too.
  ASSERT_TRUE(sim_.core()
                  .faults()
                  .add(json::value{{"status", 200},
                                   {"count", 1},
                                   {"pathPrefix", "/api/v9/notifications/feed"},
                                   {"body", "{\"events\":"}})
                  .is_ok());
  EXPECT_EQ(connector_->read_events(0, 10).status().code(), StatusCode::kUnavailable);

  // Nobody listening.
  sim_.stop();
  PortalConnector gone(settings(base_), std::chrono::seconds(2), clock_);
  EXPECT_EQ(gone.read_case(kCaseId).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(gone.read_events(0, 10).status().code(), StatusCode::kUnavailable);
}

TEST_F(PortalConnectorEndToEnd, ATokenThePortalForgotIsRenewedOnce) {
  open_case();
  // The sim keeps tokens across a reset; advancing its clock past their lifetime expires them
  // while the connector's cache (on the real clock) still holds one.
  ASSERT_EQ(control("POST", "/_sim/advance", R"({"seconds":600})"), 200u);
  auto c = connector_->read_case(kCaseId);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(portal_->inspect().at("tokens").at("issued"), 2);
}

}  // namespace
}  // namespace portier::portal
