#include "adapters/soap/department_codec.h"

#include <gtest/gtest.h>

#include <string>

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
  std::string xml = codec_.write(GetParam(), ReportStatusAnswer{"bp-10", 1'767'225'600'000});
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
  std::string first = codec_.write(SoapVersion::k12, ReportStatusAnswer{"bp-1", 0});
  std::string second = codec_.write(SoapVersion::k11, ReportStatusAnswer{"bp-2", 0});
  std::string third = codec_.write(SoapVersion::k12, Fault{true, "x"});
  std::string fourth = codec_.write(SoapVersion::k11, Fault{true, "y"});
  EXPECT_NE(first.find(kSoap12Ns), std::string::npos) << first;
  EXPECT_NE(second.find(kSoap11Ns), std::string::npos) << second;
  EXPECT_EQ(second.find(kSoap12Ns), std::string::npos) << second;
  EXPECT_NE(third.find(kSoap12Ns), std::string::npos) << third;
  EXPECT_NE(fourth.find(kSoap11Ns), std::string::npos) << fourth;
  EXPECT_EQ(fourth.find(kSoap12Ns), std::string::npos) << fourth;
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
        auto result =
            codec_.parse(envelope(v, report_status(i % 3 ? "CLOSED" : "DECIDED")), version);
        ASSERT_TRUE(std::holds_alternative<ParsedRequest>(result))
            << std::get<Fault>(result).reason;
        ASSERT_EQ(version, v);
        const auto& report = std::get<ReportStatus>(std::get<ParsedRequest>(result).request);
        ASSERT_EQ(report.status, i % 3 ? model::CaseStatus::CLOSED : model::CaseStatus::DECIDED);
        ASSERT_FALSE(report.status_text.has_value());
        break;
      }
      case 3: {
        // A bad request in between must not poison the next one.
        OpenFields f;
        f.service_id = "abc";
        auto result = codec_.parse(envelope(v, open_business_case(f)), version);
        ASSERT_TRUE(std::holds_alternative<Fault>(result));
        ASSERT_TRUE(std::get<Fault>(result).sender);
        std::string answer = codec_.write(version, ReportStatusAnswer{"bp-x", 0});
        ASSERT_NE(answer.find(v == SoapVersion::k12 ? kSoap12Ns : kSoap11Ns), std::string::npos)
            << answer;
        break;
      }
    }
  }
}

TEST(DepartmentOperations, KnowsItsOperations) {
  EXPECT_TRUE(is_department_operation("openBusinessCase"));
  EXPECT_TRUE(is_department_operation("reportStatus"));
  EXPECT_FALSE(is_department_operation("openBusinessCaseResponse"));
  EXPECT_FALSE(is_department_operation(""));
}

}  // namespace
}  // namespace portier::soap_adapter
