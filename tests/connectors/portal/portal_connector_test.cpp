#include "connectors/portal/portal_connector.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "connectors/portal/portal_wire.h"

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
    EXPECT_STREQ(name_of(judge_status(status)), name_of(expected));
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

TEST(PortalWire, NotificationIsNotForThePortalApi) {
  model::Notification n;
  n.ownerId = "owner-7";
  n.subject = "Hallo";
  n.body = "Text";
  model::Message m;
  m.__set_notification(n);
  EXPECT_FALSE(to_portal_request(item_with(m)).has_value());
  EXPECT_FALSE(to_portal_request(item_with(model::Message{})).has_value());
}

TEST(DescribeProblem, Rfc7807TitleAndDetail) {
  EXPECT_EQ(describe_problem(R"({"type":"about:blank","title":"Unprocessable Entity","status":422,)"
                             R"("detail":"status is invalid"})"),
            "Unprocessable Entity: status is invalid");
  EXPECT_EQ(describe_problem(R"({"title":"Conflict","status":409})"), "Conflict");
  EXPECT_EQ(describe_problem(R"({"detail":"no such case"})"), "no such case");
}

TEST(DescribeProblem, NonJsonGivesTheStartOfTheBody) {
  EXPECT_EQ(describe_problem("<html>Bad Gateway</html>"), "<html>Bad Gateway</html>");
  std::string long_body = "x" + std::string(1000, 'y');
  std::string described = describe_problem(long_body);
  EXPECT_TRUE(long_body.starts_with(described));
  EXPECT_GE(described.size(), 50u);
  EXPECT_LT(described.size(), long_body.size());
  EXPECT_EQ(describe_problem(""), "");
  // JSON that is not a problem: the body as it is.
  EXPECT_EQ(describe_problem(R"({"error":"x"})"), R"({"error":"x"})");
}

}  // namespace
}  // namespace portier::portal
