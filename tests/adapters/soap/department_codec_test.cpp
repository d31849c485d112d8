#include "adapters/soap/department_codec.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace portier::soap_adapter {
namespace {

constexpr char kSoap11Ns[] = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr char kSoap12Ns[] = "http://www.w3.org/2003/05/soap-envelope";

std::string envelope(SoapVersion version, const std::string& body) {
  return std::string(R"(<?xml version="1.0" encoding="UTF-8"?>)") + R"(<env:Envelope xmlns:env=")" +
         (version == SoapVersion::k12 ? kSoap12Ns : kSoap11Ns) +
         R"(" xmlns:p="urn:portier:department:1"><env:Body>)" + body + "</env:Body></env:Envelope>";
}

struct OpenFields {
  std::string header_extra;  // optional header elements, after messageId
  std::string service_id = "42";
  std::string owner_id = "owner-7";
  std::string title = "<p:title>Baugesuch Meier</p:title>";
  std::string message_id = "m-1";
};

std::string open_business_case(const OpenFields& f = {}) {
  return "<p:openBusinessCase><p:header><p:senderId>bauamt</p:senderId><p:messageId>" +
         f.message_id + "</p:messageId>" + f.header_extra + "</p:header><p:serviceId>" +
         f.service_id + "</p:serviceId><p:ownerId>" + f.owner_id + "</p:ownerId>" + f.title +
         "</p:openBusinessCase>";
}

std::string report_status(const std::string& status, const std::string& text = "",
                          const std::string& bpid = "bp-1") {
  std::string body =
      "<p:reportStatus><p:header><p:senderId>bauamt</p:senderId><p:messageId>m-2</p:messageId>"
      "<p:businessProcessId>" +
      bpid + "</p:businessProcessId></p:header><p:status>" + status + "</p:status>";
  if (!text.empty()) body += "<p:statusText>" + text + "</p:statusText>";
  return body + "</p:reportStatus>";
}

// The request header with a Business Process ID, as every operation but openBusinessCase sends it.
std::string header(const std::string& message_id = "m-3", const std::string& bpid = "bp-1") {
  return "<p:header><p:senderId>bauamt</p:senderId><p:messageId>" + message_id +
         "</p:messageId><p:businessProcessId>" + bpid + "</p:businessProcessId></p:header>";
}

// `<p:name>` + header + inner + `</p:name>`.
std::string operation(const std::string& name, const std::string& inner,
                      const std::string& head = header()) {
  return "<p:" + name + ">" + head + inner + "</p:" + name + ">";
}

std::string element(const std::string& name, const std::string& value) {
  return "<p:" + name + ">" + value + "</p:" + name + ">";
}

std::string add_activity(const std::string& extra = "", const std::string& title = "Gesuch geprüft",
                         const std::string& body = "Die Unterlagen sind vollständig.",
                         const std::string& type = "info") {
  return operation("addActivity",
                   element("title", title) + element("body", body) + element("type", type) + extra);
}

std::string send_notification(const std::string& extra = "",
                              const std::string& subject = "Neue Verfügung",
                              const std::string& body = "Bitte lesen Sie die Verfügung.") {
  return operation("sendNotification", element("subject", subject) + element("body", body) + extra);
}

std::string send_message(const std::string& extra = "", const std::string& subject = "Rückfrage",
                         const std::string& body = "Bitte reichen Sie den Situationsplan nach.") {
  return operation("sendMessage", element("subject", subject) + element("body", body) + extra);
}

std::string ack_events(const std::vector<std::string>& seqs) {
  std::string inner;
  for (const std::string& seq : seqs) inner += element("seq", seq);
  return operation("ackEvents", inner);
}

// The contents of each element `local_name` in `xml`, whatever its prefix (not nested).
std::vector<std::string> contents_of(const std::string& xml, const std::string& local_name) {
  const std::string tag = ":" + local_name + ">";
  std::vector<std::string> contents;
  for (size_t open = xml.find(tag); open != std::string::npos;) {
    size_t start = open + tag.size();
    size_t close = xml.find(tag, start);
    if (close == std::string::npos) break;
    contents.push_back(xml.substr(start, xml.rfind('<', close) - start));
    open = xml.find(tag, close + tag.size());
  }
  return contents;
}

class DepartmentCodecTest : public ::testing::Test {
 protected:
  // Parses and expects success.
  ParsedRequest parse_ok(const std::string& xml, SoapVersion expected_version) {
    SoapVersion version =
        expected_version == SoapVersion::k11 ? SoapVersion::k12 : SoapVersion::k11;
    auto result = codec_.parse(xml, version);
    if (const Fault* fault = std::get_if<Fault>(&result)) {
      ADD_FAILURE() << "unexpected fault: " << fault->reason << "\nfor: " << xml;
      return {};
    }
    EXPECT_EQ(version, expected_version);
    EXPECT_EQ(std::get<ParsedRequest>(result).version, expected_version);
    return std::get<ParsedRequest>(result);
  }

  // Parses and expects a Fault; returns it.
  Fault parse_fault(const std::string& xml) {
    SoapVersion version = SoapVersion::k11;
    auto result = codec_.parse(xml, version);
    if (!std::holds_alternative<Fault>(result)) {
      ADD_FAILURE() << "expected a fault for: " << xml;
      return {};
    }
    return std::get<Fault>(result);
  }

  DepartmentCodec codec_;
};

class BothVersions : public DepartmentCodecTest,
                     public ::testing::WithParamInterface<SoapVersion> {};

INSTANTIATE_TEST_SUITE_P(Soap, BothVersions, ::testing::Values(SoapVersion::k11, SoapVersion::k12),
                         [](const auto& info) {
                           return info.param == SoapVersion::k11 ? "Soap11" : "Soap12";
                         });

TEST_P(BothVersions, ParsesOpenBusinessCase) {
  OpenFields f;
  f.header_extra =
      "<p:businessProcessId>bp-77</p:businessProcessId>"
      "<p:ourBusinessReferenceId>AZ-2026-1</p:ourBusinessReferenceId>";
  ParsedRequest parsed = parse_ok(envelope(GetParam(), open_business_case(f)), GetParam());
  EXPECT_EQ(parsed.operation, "openBusinessCase");
  ASSERT_TRUE(std::holds_alternative<OpenBusinessCase>(parsed.request));
  const auto& open = std::get<OpenBusinessCase>(parsed.request);
  EXPECT_EQ(open.header.sender_id, "bauamt");
  EXPECT_EQ(open.header.message_id, "m-1");
  EXPECT_EQ(open.header.business_process_id, "bp-77");
  EXPECT_EQ(open.header.our_business_reference_id, "AZ-2026-1");
  EXPECT_EQ(open.service_id, 42);
  EXPECT_EQ(open.owner_id, "owner-7");
  EXPECT_EQ(open.title, "Baugesuch Meier");
}

TEST_P(BothVersions, OptionalHeaderFieldsMayBeAbsent) {
  ParsedRequest parsed = parse_ok(envelope(GetParam(), open_business_case()), GetParam());
  const auto& open = std::get<OpenBusinessCase>(parsed.request);
  EXPECT_FALSE(open.header.business_process_id.has_value());
  EXPECT_FALSE(open.header.our_business_reference_id.has_value());
}

TEST_P(BothVersions, ParsesReportStatus) {
  ParsedRequest parsed =
      parse_ok(envelope(GetParam(), report_status("IN_PROGRESS", "Prüfung läuft")), GetParam());
  EXPECT_EQ(parsed.operation, "reportStatus");
  ASSERT_TRUE(std::holds_alternative<ReportStatus>(parsed.request));
  const auto& report = std::get<ReportStatus>(parsed.request);
  EXPECT_EQ(report.header.sender_id, "bauamt");
  EXPECT_EQ(report.header.message_id, "m-2");
  EXPECT_EQ(report.header.business_process_id, "bp-1");
  EXPECT_EQ(report.status, model::CaseStatus::IN_PROGRESS);
  EXPECT_EQ(report.status_text, "Prüfung läuft");
}

TEST_F(DepartmentCodecTest, MapsEveryStatusValue) {
  const std::pair<const char*, model::CaseStatus::type> table[] = {
      {"OPEN", model::CaseStatus::OPEN},
      {"IN_PROGRESS", model::CaseStatus::IN_PROGRESS},
      {"WAITING_FOR_CUSTOMER", model::CaseStatus::WAITING_FOR_CUSTOMER},
      {"DECIDED", model::CaseStatus::DECIDED},
      {"CLOSED", model::CaseStatus::CLOSED},
      {"CANCELLED", model::CaseStatus::CANCELLED},
  };
  for (const auto& [text, expected] : table) {
    SCOPED_TRACE(text);
    ParsedRequest parsed =
        parse_ok(envelope(SoapVersion::k11, report_status(text)), SoapVersion::k11);
    ASSERT_TRUE(std::holds_alternative<ReportStatus>(parsed.request));
    EXPECT_EQ(std::get<ReportStatus>(parsed.request).status, expected);
    EXPECT_FALSE(std::get<ReportStatus>(parsed.request).status_text.has_value());
  }
}

TEST_F(DepartmentCodecTest, MissingRequiredElementIsASenderFaultNamingIt) {
  OpenFields f;
  f.title = "";
  Fault fault = parse_fault(envelope(SoapVersion::k11, open_business_case(f)));
  EXPECT_TRUE(fault.sender);
  EXPECT_NE(fault.reason.find("title"), std::string::npos) << fault.reason;
}

TEST_F(DepartmentCodecTest, MissingHeaderFieldIsNamed) {
  std::string body =
      "<p:reportStatus><p:header><p:senderId>bauamt</p:senderId></p:header>"
      "<p:status>OPEN</p:status></p:reportStatus>";
  Fault fault = parse_fault(envelope(SoapVersion::k12, body));
  EXPECT_TRUE(fault.sender);
  EXPECT_NE(fault.reason.find("messageId"), std::string::npos) << fault.reason;
}

TEST_F(DepartmentCodecTest, WrongTypeIsASenderFaultNamingTheElement) {
  OpenFields f;
  f.service_id = "abc";
  Fault fault = parse_fault(envelope(SoapVersion::k11, open_business_case(f)));
  EXPECT_TRUE(fault.sender);
  EXPECT_NE(fault.reason.find("serviceId"), std::string::npos) << fault.reason;
}

TEST_F(DepartmentCodecTest, ServiceIdBelowMinimumIsASenderFault) {
  OpenFields f;
  f.service_id = "0";
  Fault fault = parse_fault(envelope(SoapVersion::k11, open_business_case(f)));
  EXPECT_TRUE(fault.sender);
  EXPECT_NE(fault.reason.find("serviceId"), std::string::npos) << fault.reason;
}

TEST_F(DepartmentCodecTest, TooLongBusinessProcessIdIsASenderFaultNamingIt) {
  OpenFields ok;
  ok.header_extra = "<p:businessProcessId>" + std::string(128, 'b') + "</p:businessProcessId>";
  parse_ok(envelope(SoapVersion::k11, open_business_case(ok)), SoapVersion::k11);

  OpenFields f;
  f.header_extra = "<p:businessProcessId>" + std::string(129, 'b') + "</p:businessProcessId>";
  Fault fault = parse_fault(envelope(SoapVersion::k11, open_business_case(f)));
  EXPECT_TRUE(fault.sender);
  EXPECT_NE(fault.reason.find("businessProcessId"), std::string::npos) << fault.reason;
}

TEST_F(DepartmentCodecTest, EnumerationValueNotAllowedIsASenderFaultNamingIt) {
  Fault fault = parse_fault(envelope(SoapVersion::k11, report_status("ARCHIVED")));
  EXPECT_TRUE(fault.sender);
  EXPECT_NE(fault.reason.find("status"), std::string::npos) << fault.reason;
}

TEST_F(DepartmentCodecTest, UnknownOperationIsASenderFaultNamingIt) {
  Fault fault = parse_fault(
      envelope(SoapVersion::k11, "<p:closeBusinessCase><p:x>1</p:x></p:closeBusinessCase>"));
  EXPECT_TRUE(fault.sender);
  EXPECT_NE(fault.reason.find("closeBusinessCase"), std::string::npos) << fault.reason;
}

TEST_F(DepartmentCodecTest, UnknownElementInsideARequestIsASenderFault) {
  OpenFields f;
  f.title += "<p:colour>blue</p:colour>";
  Fault fault = parse_fault(envelope(SoapVersion::k11, open_business_case(f)));
  EXPECT_TRUE(fault.sender);
}

TEST_F(DepartmentCodecTest, EmptyBodyIsASenderFault) {
  Fault fault = parse_fault(envelope(SoapVersion::k11, ""));
  EXPECT_TRUE(fault.sender);
  EXPECT_FALSE(fault.reason.empty());
}

TEST_F(DepartmentCodecTest, MalformedXmlIsASenderFault) {
  std::string broken = envelope(SoapVersion::k11, open_business_case());
  broken.resize(broken.size() - 30);  // cut off in the middle of the closing tags
  Fault truncated = parse_fault(broken);
  EXPECT_TRUE(truncated.sender);
  EXPECT_FALSE(truncated.reason.empty());

  Fault mismatched = parse_fault(
      envelope(SoapVersion::k11, "<p:openBusinessCase><p:header></p:wrong></p:openBusinessCase>"));
  EXPECT_TRUE(mismatched.sender);

  Fault not_xml = parse_fault("this is not XML at all");
  EXPECT_TRUE(not_xml.sender);
  EXPECT_FALSE(not_xml.reason.empty());
}

TEST_F(DepartmentCodecTest, ParsingWritesNothingToStdout) {
  // gSOAP never owns a socket here; a fault it produces must not go to file descriptor 1.
  ::testing::internal::CaptureStdout();
  parse_fault("this is not XML at all");
  parse_fault("<env:Envelope xmlns:env=\"urn:not-soap\"><env:Body/></env:Envelope>");
  OpenFields f;
  f.service_id = "abc";
  parse_fault(envelope(SoapVersion::k11, open_business_case(f)));
  std::fflush(stdout);
  std::string written = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(written, "");
}

TEST_F(DepartmentCodecTest, FaultKeepsTheVersionOfABrokenSoap12Request) {
  OpenFields f;
  f.service_id = "abc";
  SoapVersion version = SoapVersion::k11;
  auto result = codec_.parse(envelope(SoapVersion::k12, open_business_case(f)), version);
  ASSERT_TRUE(std::holds_alternative<Fault>(result));
  EXPECT_EQ(version, SoapVersion::k12);
}

TEST_P(BothVersions, WritesOpenBusinessCaseAnswer) {
  std::string xml = codec_.write(
      GetParam(), OpenBusinessCaseAnswer{"bp-9", "case-uuid-1", 1'767'225'600'000});  // 2026-01-01
  ASSERT_FALSE(xml.empty());
  const char* ns = GetParam() == SoapVersion::k12 ? kSoap12Ns : kSoap11Ns;
  const char* other = GetParam() == SoapVersion::k12 ? kSoap11Ns : kSoap12Ns;
  EXPECT_NE(xml.find(ns), std::string::npos) << xml;
  EXPECT_EQ(xml.find(other), std::string::npos) << xml;
  EXPECT_NE(xml.find("urn:portier:department:1"), std::string::npos) << xml;
  EXPECT_NE(xml.find("openBusinessCaseResponse"), std::string::npos) << xml;
  EXPECT_NE(xml.find("businessProcessId>bp-9<"), std::string::npos) << xml;
  EXPECT_NE(xml.find("businessCaseId>case-uuid-1<"), std::string::npos) << xml;
  EXPECT_NE(xml.find("acceptedAt>2026-01-01T00:00:00"), std::string::npos) << xml;
}

TEST_P(BothVersions, WritesReportStatusAnswer) {
  std::string xml =
      codec_.write(GetParam(), AcceptedAnswer{"reportStatus", "bp-10", 1'767'225'600'000});
  ASSERT_FALSE(xml.empty());
  const char* ns = GetParam() == SoapVersion::k12 ? kSoap12Ns : kSoap11Ns;
  EXPECT_NE(xml.find(ns), std::string::npos) << xml;
  EXPECT_NE(xml.find("reportStatusResponse"), std::string::npos) << xml;
  EXPECT_NE(xml.find("businessProcessId>bp-10<"), std::string::npos) << xml;
  EXPECT_NE(xml.find("acceptedAt>2026-01-01T00:00:00"), std::string::npos) << xml;
}

TEST_F(DepartmentCodecTest, WritesSoap11Faults) {
  std::string sender = codec_.write(SoapVersion::k11, Fault{true, "title is missing"});
  EXPECT_NE(sender.find(kSoap11Ns), std::string::npos) << sender;
  EXPECT_EQ(sender.find(kSoap12Ns), std::string::npos) << sender;
  EXPECT_NE(sender.find("faultcode"), std::string::npos) << sender;
  EXPECT_NE(sender.find("Client</faultcode>"), std::string::npos) << sender;
  EXPECT_NE(sender.find("<faultstring>title is missing</faultstring>"), std::string::npos)
      << sender;

  std::string receiver = codec_.write(SoapVersion::k11, Fault{false, "journal unavailable"});
  EXPECT_NE(receiver.find("Server</faultcode>"), std::string::npos) << receiver;
  EXPECT_NE(receiver.find("<faultstring>journal unavailable</faultstring>"), std::string::npos)
      << receiver;
}

TEST_F(DepartmentCodecTest, WritesSoap12Faults) {
  std::string sender = codec_.write(SoapVersion::k12, Fault{true, "title is missing"});
  EXPECT_NE(sender.find(kSoap12Ns), std::string::npos) << sender;
  EXPECT_EQ(sender.find(kSoap11Ns), std::string::npos) << sender;
  EXPECT_NE(sender.find("Code>"), std::string::npos) << sender;
  EXPECT_NE(sender.find("Reason>"), std::string::npos) << sender;
  EXPECT_NE(sender.find(":Sender</"), std::string::npos) << sender;
  EXPECT_NE(sender.find(">title is missing</"), std::string::npos) << sender;
  EXPECT_EQ(sender.find("faultcode"), std::string::npos) << sender;

  std::string receiver = codec_.write(SoapVersion::k12, Fault{false, "journal unavailable"});
  EXPECT_NE(receiver.find(":Receiver</"), std::string::npos) << receiver;
  EXPECT_NE(receiver.find(">journal unavailable</"), std::string::npos) << receiver;
}

TEST_F(DepartmentCodecTest, FaultReasonIsEscaped) {
  std::string xml = codec_.write(SoapVersion::k11, Fault{true, "a <b> & c"});
  EXPECT_NE(xml.find("a &lt;b&gt; &amp; c"), std::string::npos) << xml;
}

TEST_F(DepartmentCodecTest, AnswerVersionFollowsEachCallAfterMixedUse) {
  // A thread's codec answers requests of both versions in turn.
  std::string first = codec_.write(SoapVersion::k12, AcceptedAnswer{"reportStatus", "bp-1", 0});
  std::string second = codec_.write(SoapVersion::k11, AcceptedAnswer{"reportStatus", "bp-2", 0});
  std::string third = codec_.write(SoapVersion::k12, Fault{true, "x"});
  std::string fourth = codec_.write(SoapVersion::k11, Fault{true, "y"});
  EXPECT_NE(first.find(kSoap12Ns), std::string::npos) << first;
  EXPECT_NE(second.find(kSoap11Ns), std::string::npos) << second;
  EXPECT_EQ(second.find(kSoap12Ns), std::string::npos) << second;
  EXPECT_NE(third.find(kSoap12Ns), std::string::npos) << third;
  EXPECT_NE(fourth.find(kSoap11Ns), std::string::npos) << fourth;
  EXPECT_EQ(fourth.find(kSoap12Ns), std::string::npos) << fourth;
}

TEST_P(BothVersions, ParsesReportStatusWithDepartmentStatusCode) {
  ParsedRequest parsed = parse_ok(
      envelope(GetParam(), operation("reportStatus", element("departmentStatusCode", "B-17") +
                                                         element("statusText", "Einsprache"))),
      GetParam());
  EXPECT_EQ(parsed.operation, "reportStatus");
  ASSERT_TRUE(std::holds_alternative<ReportStatus>(parsed.request));
  const auto& report = std::get<ReportStatus>(parsed.request);
  EXPECT_EQ(report.header.business_process_id, "bp-1");
  EXPECT_FALSE(report.status.has_value());
  EXPECT_EQ(report.department_status_code, "B-17");
  EXPECT_EQ(report.status_text, "Einsprache");
}

TEST_P(BothVersions, ParsesReportStatusWithPortalStatusOnly) {
  ParsedRequest parsed = parse_ok(envelope(GetParam(), report_status("DECIDED")), GetParam());
  const auto& report = std::get<ReportStatus>(parsed.request);
  EXPECT_EQ(report.status, model::CaseStatus::DECIDED);
  EXPECT_FALSE(report.department_status_code.has_value());
}

TEST_P(BothVersions, ParsesAddActivityWithEveryField) {
  std::string extra = element("target", "citizen") + element("event", "documentChecked") +
                      element("module", "bau") + element("objectId", "obj-42") +
                      element("displayStamp", "2026-03-01T10:15:30+01:00");
  ParsedRequest parsed = parse_ok(envelope(GetParam(), add_activity(extra)), GetParam());
  EXPECT_EQ(parsed.operation, "addActivity");
  ASSERT_TRUE(std::holds_alternative<AddActivity>(parsed.request));
  const auto& activity = std::get<AddActivity>(parsed.request);
  EXPECT_EQ(activity.header.sender_id, "bauamt");
  EXPECT_EQ(activity.header.message_id, "m-3");
  EXPECT_EQ(activity.header.business_process_id, "bp-1");
  EXPECT_EQ(activity.title, "Gesuch geprüft");
  EXPECT_EQ(activity.body, "Die Unterlagen sind vollständig.");
  EXPECT_EQ(activity.type, "info");
  EXPECT_EQ(activity.target, "citizen");
  EXPECT_EQ(activity.event, "documentChecked");
  EXPECT_EQ(activity.module, "bau");
  EXPECT_EQ(activity.object_id, "obj-42");
  EXPECT_EQ(activity.display_stamp_ms, 1'772'356'530'000);  // 2026-03-01T09:15:30Z
}

TEST_P(BothVersions, ParsesAddActivityWithoutOptionalFields) {
  ParsedRequest parsed = parse_ok(envelope(GetParam(), add_activity("", "Titel", "")), GetParam());
  const auto& activity = std::get<AddActivity>(parsed.request);
  EXPECT_EQ(activity.title, "Titel");
  EXPECT_EQ(activity.body, "");  // body may be empty
  EXPECT_FALSE(activity.target.has_value());
  EXPECT_FALSE(activity.event.has_value());
  EXPECT_FALSE(activity.module.has_value());
  EXPECT_FALSE(activity.object_id.has_value());
  EXPECT_FALSE(activity.display_stamp_ms.has_value());
}

TEST_F(DepartmentCodecTest, DisplayStampInUtcAndWithFractionalSeconds) {
  for (const char* stamp : {"2026-03-01T09:15:30Z", "2026-03-01T09:15:30.250Z"}) {
    SCOPED_TRACE(stamp);
    ParsedRequest parsed = parse_ok(
        envelope(SoapVersion::k11, add_activity(element("displayStamp", stamp))), SoapVersion::k11);
    EXPECT_EQ(std::get<AddActivity>(parsed.request).display_stamp_ms, 1'772'356'530'000);
  }
}

TEST_P(BothVersions, ParsesSendNotification) {
  ParsedRequest parsed =
      parse_ok(envelope(GetParam(), send_notification(element("important", "true"))), GetParam());
  EXPECT_EQ(parsed.operation, "sendNotification");
  ASSERT_TRUE(std::holds_alternative<SendNotification>(parsed.request));
  const auto& notification = std::get<SendNotification>(parsed.request);
  EXPECT_EQ(notification.header.message_id, "m-3");
  EXPECT_EQ(notification.header.business_process_id, "bp-1");
  EXPECT_EQ(notification.subject, "Neue Verfügung");
  EXPECT_EQ(notification.body, "Bitte lesen Sie die Verfügung.");
  EXPECT_TRUE(notification.important);
}

TEST_P(BothVersions, ParsesSendMessage) {
  ParsedRequest parsed =
      parse_ok(envelope(GetParam(), send_message(element("important", "1"))), GetParam());
  EXPECT_EQ(parsed.operation, "sendMessage");
  ASSERT_TRUE(std::holds_alternative<SendMessage>(parsed.request));
  const auto& message = std::get<SendMessage>(parsed.request);
  EXPECT_EQ(message.header.business_process_id, "bp-1");
  EXPECT_EQ(message.subject, "Rückfrage");
  EXPECT_EQ(message.body, "Bitte reichen Sie den Situationsplan nach.");
  EXPECT_TRUE(message.important);
}

TEST_F(DepartmentCodecTest, ImportantIsFalseWhenAbsentOrFalse) {
  for (const std::string& extra :
       {std::string(), element("important", "false"), element("important", "0")}) {
    SCOPED_TRACE(extra);
    ParsedRequest notification =
        parse_ok(envelope(SoapVersion::k11, send_notification(extra)), SoapVersion::k11);
    EXPECT_FALSE(std::get<SendNotification>(notification.request).important);
    ParsedRequest message =
        parse_ok(envelope(SoapVersion::k12, send_message(extra)), SoapVersion::k12);
    EXPECT_FALSE(std::get<SendMessage>(message.request).important);
  }
}

TEST_F(DepartmentCodecTest, MessageBodyMayBeLongerThanANotificationBody) {
  ParsedRequest parsed = parse_ok(
      envelope(SoapVersion::k11, send_message("", "s", std::string(20000, 'x'))), SoapVersion::k11);
  EXPECT_EQ(std::get<SendMessage>(parsed.request).body.size(), 20000u);
  parse_ok(envelope(SoapVersion::k11, send_notification("", "s", std::string(4000, 'x'))),
           SoapVersion::k11);
}

TEST_P(BothVersions, ParsesGetBusinessCase) {
  ParsedRequest parsed = parse_ok(
      envelope(GetParam(), operation("getBusinessCase", "", header("m-4", "bp-8"))), GetParam());
  EXPECT_EQ(parsed.operation, "getBusinessCase");
  ASSERT_TRUE(std::holds_alternative<GetBusinessCase>(parsed.request));
  const auto& get = std::get<GetBusinessCase>(parsed.request);
  EXPECT_EQ(get.header.sender_id, "bauamt");
  EXPECT_EQ(get.header.message_id, "m-4");
  EXPECT_EQ(get.header.business_process_id, "bp-8");
}

TEST_P(BothVersions, ParsesListEvents) {
  ParsedRequest parsed =
      parse_ok(envelope(GetParam(), operation("listEvents", element("afterSeq", "9000000000") +
                                                                element("maxEvents", "500"))),
               GetParam());
  EXPECT_EQ(parsed.operation, "listEvents");
  ASSERT_TRUE(std::holds_alternative<ListEvents>(parsed.request));
  const auto& list = std::get<ListEvents>(parsed.request);
  EXPECT_EQ(list.header.message_id, "m-3");
  EXPECT_EQ(list.after_seq, 9'000'000'000);
  EXPECT_EQ(list.max_events, 500);
}

TEST_P(BothVersions, ListEventsDefaults) {
  std::string head =
      "<p:header><p:senderId>bauamt</p:senderId><p:messageId>m-5</p:messageId>"
      "</p:header>";
  ParsedRequest parsed =
      parse_ok(envelope(GetParam(), operation("listEvents", "", head)), GetParam());
  const auto& list = std::get<ListEvents>(parsed.request);
  EXPECT_FALSE(list.header.business_process_id.has_value());
  EXPECT_EQ(list.after_seq, 0);
  EXPECT_EQ(list.max_events, 100);
}

TEST_P(BothVersions, ParsesAckEventsWithSeveralSeq) {
  ParsedRequest parsed =
      parse_ok(envelope(GetParam(), ack_events({"3", "1", "9000000000"})), GetParam());
  EXPECT_EQ(parsed.operation, "ackEvents");
  ASSERT_TRUE(std::holds_alternative<AckEvents>(parsed.request));
  const auto& ack = std::get<AckEvents>(parsed.request);
  EXPECT_EQ(ack.header.message_id, "m-3");
  EXPECT_EQ(ack.seqs, (std::vector<int64_t>{3, 1, 9'000'000'000}));
}

TEST_F(DepartmentCodecTest, AckEventsTakesUpTo500Seq) {
  ParsedRequest parsed = parse_ok(
      envelope(SoapVersion::k11, ack_events(std::vector<std::string>(500, "7"))), SoapVersion::k11);
  EXPECT_EQ(std::get<AckEvents>(parsed.request).seqs.size(), 500u);
}

// Every request gSOAP or the codec refuses, with the text the Fault's reason must contain.
struct RefusedCase {
  const char* name;
  std::string body;
  const char* named;
};

void PrintTo(const RefusedCase& c, std::ostream* os) { *os << c.name; }

std::vector<RefusedCase> refused_cases() {
  const std::string long_title(201, 't');
  return {
      // missing required elements
      {"ReportStatusWithoutStatus", operation("reportStatus", element("statusText", "x")),
       "reportStatus/status' or 'reportStatus/departmentStatusCode' is missing"},
      {"ReportStatusWithoutHeader",
       "<p:reportStatus>" + element("status", "OPEN") + "</p:reportStatus>",
       "'reportStatus/header' is missing"},
      {"AddActivityWithoutTitle",
       operation("addActivity", element("body", "b") + element("type", "info")),
       "'addActivity/title' is missing"},
      {"AddActivityWithoutBody",
       operation("addActivity", element("title", "t") + element("type", "info")),
       "'addActivity/body' is missing"},
      {"AddActivityWithoutType",
       operation("addActivity", element("title", "t") + element("body", "b")),
       "'addActivity/type' is missing"},
      {"SendNotificationWithoutSubject", operation("sendNotification", element("body", "b")),
       "'sendNotification/subject' is missing"},
      {"SendNotificationWithoutBody", operation("sendNotification", element("subject", "s")),
       "'sendNotification/body' is missing"},
      {"SendMessageWithoutSubject", operation("sendMessage", element("body", "b")),
       "'sendMessage/subject' is missing"},
      {"SendMessageWithoutBody", operation("sendMessage", element("subject", "s")),
       "'sendMessage/body' is missing"},
      {"GetBusinessCaseWithoutHeader", "<p:getBusinessCase></p:getBusinessCase>",
       "'getBusinessCase/header' is missing"},
      {"ListEventsWithoutHeader", "<p:listEvents>" + element("maxEvents", "5") + "</p:listEvents>",
       "'listEvents/header' is missing"},
      {"AckEventsWithoutSeq", operation("ackEvents", ""), "'ackEvents/seq' is missing"},
      {"AckEventsHeaderWithoutSenderId",
       operation("ackEvents", element("seq", "1"),
                 "<p:header><p:messageId>m</p:messageId></p:header>"),
       "'ackEvents/header/senderId' is missing"},
      // too long or too short
      {"AddActivityTitleTooLong", add_activity("", long_title), "title"},
      {"AddActivityBodyTooLong", add_activity("", "t", std::string(4001, 'b')), "body"},
      {"AddActivityTypeTooLong", add_activity("", "t", "b", std::string(51, 'y')), "type"},
      {"AddActivityTypeEmpty", add_activity("", "t", "b", ""), "type"},
      {"AddActivityTargetTooLong", add_activity(element("target", std::string(101, 'x'))),
       "target"},
      {"AddActivityEventTooLong", add_activity(element("event", std::string(101, 'x'))), "event"},
      {"AddActivityModuleTooLong", add_activity(element("module", std::string(101, 'x'))),
       "module"},
      {"AddActivityObjectIdTooLong", add_activity(element("objectId", std::string(101, 'x'))),
       "objectId"},
      {"DepartmentStatusCodeTooLong",
       operation("reportStatus", element("departmentStatusCode", std::string(51, 'c'))),
       "departmentStatusCode"},
      {"StatusTextTooLong",
       operation("reportStatus",
                 element("status", "OPEN") + element("statusText", std::string(501, 's'))),
       "statusText"},
      {"NotificationSubjectTooLong", send_notification("", long_title), "subject"},
      {"NotificationSubjectEmpty", send_notification("", ""), "subject"},
      {"NotificationBodyTooLong", send_notification("", "s", std::string(4001, 'b')), "body"},
      {"NotificationBodyEmpty", send_notification("", "s", ""), "body"},
      {"MessageSubjectTooLong", send_message("", long_title), "subject"},
      {"MessageBodyTooLong", send_message("", "s", std::string(20001, 'b')), "body"},
      {"AckEventsWithMoreThan500Seq", ack_events(std::vector<std::string>(501, "1")),
       "at most 500 elements 'ackEvents/seq'"},
      // wrong values
      {"ReportStatusWithBothChoices",
       operation("reportStatus", element("status", "OPEN") + element("departmentStatusCode", "X")),
       "departmentStatusCode"},
      {"DisplayStampNotADate", add_activity(element("displayStamp", "gestern")), "displayStamp"},
      {"DisplayStampWithoutTime", add_activity(element("displayStamp", "2026-03-01")),
       "displayStamp"},
      {"DisplayStampMonth13", add_activity(element("displayStamp", "2026-13-01T00:00:00Z")),
       "displayStamp"},
      {"DisplayStampFebruary29In2026",
       add_activity(element("displayStamp", "2026-02-29T00:00:00Z")), "displayStamp"},
      {"DisplayStampHour25", add_activity(element("displayStamp", "2026-03-01T25:00:00Z")),
       "displayStamp"},
      {"DisplayStampWithoutTimeZone", add_activity(element("displayStamp", "2026-03-01T10:15:30")),
       "displayStamp"},
      {"DisplayStampZoneOutOfRange",
       add_activity(element("displayStamp", "2026-03-01T10:15:30+15:00")), "displayStamp"},
      {"DisplayStampEmpty", add_activity(element("displayStamp", "")), "displayStamp"},
      {"NotificationImportantNotABoolean", send_notification(element("important", "yes")),
       "important"},
      {"MessageImportantNotABoolean", send_message(element("important", "TRUE")), "important"},
      {"MaxEventsZero", operation("listEvents", element("maxEvents", "0")), "maxEvents"},
      {"MaxEventsAbove500", operation("listEvents", element("maxEvents", "501")), "maxEvents"},
      {"AfterSeqNegative", operation("listEvents", element("afterSeq", "-1")), "afterSeq"},
      {"AfterSeqNotANumber", operation("listEvents", element("afterSeq", "latest")), "afterSeq"},
      {"AckSeqNotANumber", ack_events({"1", "zwei"}), "seq"},
      {"UnknownElementInAddActivity", add_activity(element("colour", "blue")), "colour"},
  };
}

class RefusedRequests : public DepartmentCodecTest,
                        public ::testing::WithParamInterface<RefusedCase> {};

INSTANTIATE_TEST_SUITE_P(Table, RefusedRequests, ::testing::ValuesIn(refused_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_P(RefusedRequests, IsASenderFaultNamingTheField) {
  for (SoapVersion v : {SoapVersion::k11, SoapVersion::k12}) {
    SoapVersion version = SoapVersion::k11;
    auto result = codec_.parse(envelope(v, GetParam().body), version);
    ASSERT_TRUE(std::holds_alternative<Fault>(result)) << GetParam().body;
    const Fault& fault = std::get<Fault>(result);
    EXPECT_TRUE(fault.sender);
    EXPECT_EQ(version, v);
    EXPECT_NE(fault.reason.find(GetParam().named), std::string::npos) << "reason: " << fault.reason;
  }
}

TEST_P(BothVersions, WritesEveryAcceptedAnswerAsItsOperationsResponse) {
  const char* ns = GetParam() == SoapVersion::k12 ? kSoap12Ns : kSoap11Ns;
  for (const char* op : {"reportStatus", "addActivity", "sendNotification", "sendMessage"}) {
    SCOPED_TRACE(op);
    std::string xml = codec_.write(GetParam(), AcceptedAnswer{op, "bp-11", 1'767'225'600'000});
    ASSERT_FALSE(xml.empty());
    EXPECT_NE(xml.find(ns), std::string::npos) << xml;
    EXPECT_NE(xml.find(":" + std::string(op) + "Response>"), std::string::npos) << xml;
    EXPECT_NE(xml.find("businessProcessId>bp-11<"), std::string::npos) << xml;
    EXPECT_NE(xml.find("acceptedAt>2026-01-01T00:00:00Z<"), std::string::npos) << xml;
    for (const char* other : {"reportStatus", "addActivity", "sendNotification", "sendMessage"}) {
      if (std::string(other) != op) {
        EXPECT_EQ(xml.find(other), std::string::npos) << xml;
      }
    }
  }
}

TEST_F(DepartmentCodecTest, AcceptedAnswerForAnOperationWithoutOneWritesNothing) {
  EXPECT_EQ(codec_.write(SoapVersion::k11, AcceptedAnswer{"listEvents", "bp-1", 0}), "");
  EXPECT_EQ(codec_.write(SoapVersion::k11, AcceptedAnswer{"", "bp-1", 0}), "");
}

BusinessCaseAnswer business_case() {
  BusinessCaseAnswer a;
  a.business_process_id = "bp-12";
  a.business_case_id = "case-uuid-12";
  a.service_id = 42;
  a.owner_id = "owner-7";
  a.title = "Baugesuch Meier & Söhne";
  a.status = "IN_PROGRESS";
  a.status_text = "Prüfung läuft";
  a.history = {{"OPEN", "", 1'767'225'600'000},
               {"IN_PROGRESS", "Prüfung läuft", 1'772'356'530'000}};
  return a;
}

TEST_P(BothVersions, WritesBusinessCaseAnswer) {
  std::string xml = codec_.write(GetParam(), business_case());
  ASSERT_FALSE(xml.empty());
  EXPECT_NE(xml.find(GetParam() == SoapVersion::k12 ? kSoap12Ns : kSoap11Ns), std::string::npos);
  EXPECT_NE(xml.find(":getBusinessCaseResponse>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("businessProcessId>bp-12<"), std::string::npos) << xml;
  EXPECT_NE(xml.find("businessCaseId>case-uuid-12<"), std::string::npos) << xml;
  EXPECT_NE(xml.find("serviceId>42<"), std::string::npos) << xml;
  EXPECT_NE(xml.find("ownerId>owner-7<"), std::string::npos) << xml;
  EXPECT_NE(xml.find("title>Baugesuch Meier &amp; Söhne<"), std::string::npos) << xml;
  EXPECT_NE(xml.find("status>IN_PROGRESS<"), std::string::npos) << xml;
  EXPECT_LT(xml.find("statusText>Prüfung läuft<"), xml.find(":history>")) << xml;
  std::vector<std::string> history = contents_of(xml, "history");
  ASSERT_EQ(history.size(), 1u) << xml;
  std::vector<std::string> entries = contents_of(history[0], "historyEntry");
  ASSERT_EQ(entries.size(), 2u) << xml;
  EXPECT_NE(entries[0].find("status>OPEN<"), std::string::npos) << entries[0];
  EXPECT_EQ(entries[0].find("statusText"), std::string::npos) << entries[0];
  EXPECT_NE(entries[0].find("at>2026-01-01T00:00:00Z<"), std::string::npos) << entries[0];
  EXPECT_NE(entries[1].find("status>IN_PROGRESS<"), std::string::npos) << entries[1];
  EXPECT_NE(entries[1].find("statusText>Prüfung läuft<"), std::string::npos) << entries[1];
  EXPECT_NE(entries[1].find("at>2026-03-01T09:15:30Z<"), std::string::npos) << entries[1];
}

TEST_F(DepartmentCodecTest, BusinessCaseWithoutTextOrHistoryWritesAnEmptyHistory) {
  BusinessCaseAnswer a = business_case();
  a.status_text.clear();
  a.history.clear();
  std::string xml = codec_.write(SoapVersion::k11, a);
  ASSERT_FALSE(xml.empty());
  EXPECT_EQ(xml.find("statusText"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("historyEntry"), std::string::npos) << xml;
  EXPECT_NE(xml.find(":history"), std::string::npos) << xml;
}

TEST_P(BothVersions, WritesEmptyEventsAnswer) {
  std::string xml = codec_.write(GetParam(), EventsAnswer{});
  ASSERT_FALSE(xml.empty());
  EXPECT_NE(xml.find(GetParam() == SoapVersion::k12 ? kSoap12Ns : kSoap11Ns), std::string::npos);
  EXPECT_NE(xml.find(":listEventsResponse"), std::string::npos) << xml;
  EXPECT_EQ(xml.find(":event>"), std::string::npos) << xml;
}

TEST_P(BothVersions, WritesThreeEvents) {
  EventsAnswer a;
  a.events = {{1, "deliveryFailed", "bp-1", 1'767'225'600'000, "portal answered 503"},
              {2, "messageRead", "bp-2", 1'772'356'530'000, ""},
              {9'000'000'000, "mappingReloaded", "", 1'772'356'531'000, ""}};
  std::string xml = codec_.write(GetParam(), a);
  ASSERT_FALSE(xml.empty());
  EXPECT_NE(xml.find(":listEventsResponse>"), std::string::npos) << xml;
  std::vector<std::string> events = contents_of(xml, "event");
  ASSERT_EQ(events.size(), 3u) << xml;
  EXPECT_NE(events[0].find("seq>1<"), std::string::npos) << events[0];
  EXPECT_NE(events[0].find("kind>deliveryFailed<"), std::string::npos) << events[0];
  EXPECT_NE(events[0].find("businessProcessId>bp-1<"), std::string::npos) << events[0];
  EXPECT_NE(events[0].find("at>2026-01-01T00:00:00Z<"), std::string::npos) << events[0];
  EXPECT_NE(events[0].find("detail>portal answered 503<"), std::string::npos) << events[0];
  EXPECT_NE(events[1].find("seq>2<"), std::string::npos) << events[1];
  EXPECT_NE(events[1].find("kind>messageRead<"), std::string::npos) << events[1];
  EXPECT_NE(events[1].find("at>2026-03-01T09:15:30Z<"), std::string::npos) << events[1];
  EXPECT_EQ(events[1].find("detail"), std::string::npos) << events[1];
  EXPECT_NE(events[2].find("seq>9000000000<"), std::string::npos) << events[2];
  EXPECT_EQ(events[2].find("businessProcessId"), std::string::npos) << events[2];
  EXPECT_NE(events[2].find("at>2026-03-01T09:15:31Z<"), std::string::npos) << events[2];
}

TEST_P(BothVersions, WritesAckAnswer) {
  std::string xml = codec_.write(GetParam(), AckAnswer{3});
  ASSERT_FALSE(xml.empty());
  EXPECT_NE(xml.find(GetParam() == SoapVersion::k12 ? kSoap12Ns : kSoap11Ns), std::string::npos);
  EXPECT_NE(xml.find(":ackEventsResponse>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("acknowledged>3<"), std::string::npos) << xml;
}

// WS-Security 1.0 UsernameToken headers, written out literally as the clients produce them.
// zeep 4.2.1, UsernameToken("bauamt", "geheim", use_digest=True), on the SOAP 1.1 binding:
constexpr char kZeepSoap11[] =
    R"(<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">)"
    R"(<soap-env:Header><wsse:Security%s xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">)"
    R"(<wsse:UsernameToken><wsse:Username>bauamt</wsse:Username>)"
    R"(<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">RSS7b1YynEkooh/rrVpGMoBzJig=</wsse:Password>)"
    R"(<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">F70Ob4aj4fqlmzMZNbwnrw==</wsse:Nonce>)"
    R"(<wsu:Created xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">2026-11-29T11:05:23+00:00</wsu:Created>)"
    R"(</wsse:UsernameToken></wsse:Security></soap-env:Header>)"
    R"(<soap-env:Body><ns0:getBusinessCase xmlns:ns0="urn:portier:department:1"><ns0:header>)"
    R"(<ns0:senderId>bauamt</ns0:senderId><ns0:messageId>m-9</ns0:messageId>)"
    R"(<ns0:businessProcessId>bp-1</ns0:businessProcessId></ns0:header></ns0:getBusinessCase>)"
    R"(</soap-env:Body></soap-env:Envelope>)";
// ... and on the SOAP 1.2 binding:
constexpr char kZeepSoap12[] =
    R"(<soap-env:Envelope xmlns:soap-env="http://www.w3.org/2003/05/soap-envelope">)"
    R"(<soap-env:Header><wsse:Security%s xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">)"
    R"(<wsse:UsernameToken><wsse:Username>bauamt</wsse:Username>)"
    R"(<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">/S7KYfqbJsUe4nDJPon93gREGGI=</wsse:Password>)"
    R"(<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">uQov9Cj2tI0SPMwD82Q4VA==</wsse:Nonce>)"
    R"(<wsu:Created xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">2026-11-29T11:05:23+00:00</wsu:Created>)"
    R"(</wsse:UsernameToken></wsse:Security></soap-env:Header>)"
    R"(<soap-env:Body><ns0:getBusinessCase xmlns:ns0="urn:portier:department:1"><ns0:header>)"
    R"(<ns0:senderId>bauamt</ns0:senderId><ns0:messageId>m-9</ns0:messageId>)"
    R"(<ns0:businessProcessId>bp-1</ns0:businessProcessId></ns0:header></ns0:getBusinessCase>)"
    R"(</soap-env:Body></soap-env:Envelope>)";

// The template with `attribute` (e.g. a mustUnderstand) on wsse:Security.
std::string with_security_attribute(const char* form, const std::string& attribute) {
  std::string xml = form;
  xml.replace(xml.find("%s"), 2, attribute);
  return xml;
}

struct SecurityCase {
  const char* name;
  const char* form;
  const char* attribute;
  SoapVersion version;
};

void PrintTo(const SecurityCase& c, std::ostream* os) { *os << c.name; }

class WsSecurityHeader : public DepartmentCodecTest,
                         public ::testing::WithParamInterface<SecurityCase> {};

INSTANTIATE_TEST_SUITE_P(
    Zeep, WsSecurityHeader,
    ::testing::Values(SecurityCase{"Soap11", kZeepSoap11, "", SoapVersion::k11},
                      SecurityCase{"Soap11MustUnderstand", kZeepSoap11,
                                   R"( soap-env:mustUnderstand="1")", SoapVersion::k11},
                      SecurityCase{"Soap12", kZeepSoap12, "", SoapVersion::k12},
                      SecurityCase{"Soap12MustUnderstand", kZeepSoap12,
                                   R"( soap-env:mustUnderstand="1")", SoapVersion::k12},
                      SecurityCase{"Soap12MustUnderstandTrue", kZeepSoap12,
                                   R"( soap-env:mustUnderstand="true")", SoapVersion::k12}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_P(WsSecurityHeader, IsAcceptedAndTheBodyRead) {
  std::string xml = with_security_attribute(GetParam().form, GetParam().attribute);
  ParsedRequest parsed = parse_ok(xml, GetParam().version);
  EXPECT_EQ(parsed.operation, "getBusinessCase");
  ASSERT_TRUE(std::holds_alternative<GetBusinessCase>(parsed.request));
  const auto& get = std::get<GetBusinessCase>(parsed.request);
  EXPECT_EQ(get.header.sender_id, "bauamt");
  EXPECT_EQ(get.header.message_id, "m-9");
  EXPECT_EQ(get.header.business_process_id, "bp-1");

  // The header never leaks into the answer that follows.
  std::string answer = codec_.write(GetParam().version, business_case());
  EXPECT_EQ(answer.find("Security"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("Header"), std::string::npos) << answer;
}

// npm soap 1.13.0, WSSecurity("bauamt", "geheim", {passwordType: "PasswordDigest", hasTimeStamp:
// true, mustUnderstand: true}), on the SOAP 1.2 binding: a wsu:Timestamp and wsu:Id attributes too.
constexpr char kNpmSoapSoap12[] =
    R"(<?xml version="1.0" encoding="utf-8"?>)"
    R"(<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"  xmlns:p="urn:portier:department:1">)"
    R"(<soap:Header>)"
    R"(<wsse:Security soap:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">)"
    R"(<wsu:Timestamp wsu:Id="Timestamp-2026-11-29T11:09:29Z"><wsu:Created>2026-11-29T11:09:29Z</wsu:Created><wsu:Expires>2026-11-29T11:19:29Z</wsu:Expires>)"
    R"(</wsu:Timestamp>)"
    R"(<wsse:UsernameToken xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" wsu:Id="SecurityToken-2026-11-29T11:09:29Z">)"
    R"(<wsse:Username>bauamt</wsse:Username>)"
    R"(<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">90Mqr25z7ZCHHcB74WhUeet3iVc=</wsse:Password>)"
    R"(<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">mj8wMzaAQtSTL28K93iTVA==</wsse:Nonce>)"
    R"(<wsu:Created>2026-11-29T11:09:29Z</wsu:Created></wsse:UsernameToken></wsse:Security></soap:Header><soap:Body>)"
    R"(<p:ackEvents xmlns:p="urn:portier:department:1" xmlns="urn:portier:department:1"><p:header><p:senderId>bauamt</p:senderId>)"
    R"(<p:messageId>m-1</p:messageId></p:header><p:seq>1</p:seq><p:seq>2</p:seq></p:ackEvents></soap:Body></soap:Envelope>)";

TEST_F(DepartmentCodecTest, NpmSoapSecurityHeaderWithTimestampIsAccepted) {
  ParsedRequest parsed = parse_ok(kNpmSoapSoap12, SoapVersion::k12);
  EXPECT_EQ(parsed.operation, "ackEvents");
  EXPECT_EQ(std::get<AckEvents>(parsed.request).seqs, (std::vector<int64_t>{1, 2}));
  std::string soap11 = kNpmSoapSoap12;
  soap11.replace(soap11.find(kSoap12Ns), std::strlen(kSoap12Ns), kSoap11Ns);
  parse_ok(soap11, SoapVersion::k11);
}

TEST_F(DepartmentCodecTest, OtherMustUnderstandHeadersAreStillRefused) {
  // Only wsse:Security is known; strict mode still refuses what nobody here understands.
  std::string xml = with_security_attribute(kZeepSoap11, "");
  xml.replace(xml.find("<soap-env:Header>") + 17, 0,
              R"(<x:Trace xmlns:x="urn:example:trace" soap-env:mustUnderstand="1">1</x:Trace>)");
  Fault fault = parse_fault(xml);
  EXPECT_TRUE(fault.sender);
  EXPECT_NE(fault.reason.find("must be understood"), std::string::npos) << fault.reason;

  std::string draft = with_security_attribute(kZeepSoap12, R"( soap-env:mustUnderstand="1")");
  const std::string v10 = "oasis-200401-wss-wssecurity-secext-1.0.xsd\"";
  draft.replace(draft.find(v10), v10.size(), "urn:not-wss\"");
  Fault unknown = parse_fault(draft);
  EXPECT_NE(unknown.reason.find("must be understood"), std::string::npos) << unknown.reason;
}

TEST_F(DepartmentCodecTest, HeaderElementsWithoutMustUnderstandAreIgnored) {
  std::string xml = with_security_attribute(kZeepSoap11, "");
  xml.replace(xml.find("<soap-env:Header>") + 17, 0,
              R"(<x:Trace xmlns:x="urn:example:trace">1</x:Trace>)");
  parse_ok(xml, SoapVersion::k11);
}

TEST_F(DepartmentCodecTest, TwoThousandRequestsOnOneCodecLeakNoState) {
  for (int i = 0; i < 2000; ++i) {
    SCOPED_TRACE(i);
    const SoapVersion v = i % 2 ? SoapVersion::k12 : SoapVersion::k11;
    SoapVersion version = v == SoapVersion::k11 ? SoapVersion::k12 : SoapVersion::k11;
    switch (i % 4) {
      case 0:
      case 1: {
        OpenFields f;
        f.message_id = "m-" + std::to_string(i);
        f.service_id = std::to_string(i + 1);
        f.title = "<p:title>Fall " + std::to_string(i) + "</p:title>";
        if (i % 8 == 0)
          f.header_extra =
              "<p:businessProcessId>bp-" + std::to_string(i) + "</p:businessProcessId>";
        auto result = codec_.parse(envelope(v, open_business_case(f)), version);
        ASSERT_TRUE(std::holds_alternative<ParsedRequest>(result))
            << std::get<Fault>(result).reason;
        ASSERT_EQ(version, v);
        const auto& open = std::get<OpenBusinessCase>(std::get<ParsedRequest>(result).request);
        ASSERT_EQ(open.header.message_id, "m-" + std::to_string(i));
        ASSERT_EQ(open.service_id, i + 1);
        ASSERT_EQ(open.title, "Fall " + std::to_string(i));
        ASSERT_EQ(open.header.business_process_id.has_value(), i % 8 == 0);
        break;
      }
      case 2: {
        if (i % 8 == 2) {
          auto result =
              codec_.parse(envelope(v, report_status(i % 3 ? "CLOSED" : "DECIDED")), version);
          ASSERT_TRUE(std::holds_alternative<ParsedRequest>(result))
              << std::get<Fault>(result).reason;
          ASSERT_EQ(version, v);
          const auto& report = std::get<ReportStatus>(std::get<ParsedRequest>(result).request);
          ASSERT_EQ(report.status, i % 3 ? model::CaseStatus::CLOSED : model::CaseStatus::DECIDED);
          ASSERT_FALSE(report.status_text.has_value());
        } else {
          // with a WS-Security header, and an answer with a list in between
          std::string xml = with_security_attribute(
              v == SoapVersion::k12 ? kZeepSoap12 : kZeepSoap11, R"( soap-env:mustUnderstand="1")");
          auto result = codec_.parse(xml, version);
          ASSERT_TRUE(std::holds_alternative<ParsedRequest>(result))
              << std::get<Fault>(result).reason;
          ASSERT_EQ(version, v);
          ASSERT_EQ(std::get<ParsedRequest>(result).operation, "getBusinessCase");
          std::string answer = codec_.write(version, business_case());
          ASSERT_EQ(contents_of(answer, "historyEntry").size(), 2u) << answer;
          ASSERT_EQ(answer.find("Security"), std::string::npos) << answer;
        }
        break;
      }
      case 3: {
        // A bad request in between must not poison the next one.
        OpenFields f;
        f.service_id = "abc";
        auto result = codec_.parse(envelope(v, open_business_case(f)), version);
        ASSERT_TRUE(std::holds_alternative<Fault>(result));
        ASSERT_TRUE(std::get<Fault>(result).sender);
        std::string answer = codec_.write(version, AcceptedAnswer{"reportStatus", "bp-x", 0});
        ASSERT_NE(answer.find(v == SoapVersion::k12 ? kSoap12Ns : kSoap11Ns), std::string::npos)
            << answer;
        break;
      }
    }
  }
}

TEST(DepartmentOperations, KnowsItsOperations) {
  EXPECT_TRUE(is_department_operation("openBusinessCase"));
  for (const char* op : {"reportStatus", "addActivity", "sendNotification", "sendMessage",
                         "getBusinessCase", "listEvents", "ackEvents"}) {
    EXPECT_TRUE(is_department_operation(op)) << op;
  }
  EXPECT_FALSE(is_department_operation("openBusinessCaseResponse"));
  EXPECT_FALSE(is_department_operation("closeBusinessCase"));
  EXPECT_FALSE(is_department_operation(""));
}

}  // namespace
}  // namespace portier::soap_adapter
