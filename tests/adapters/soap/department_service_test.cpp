#include "adapters/soap/department_service.h"

#include <gtest/gtest.h>

#include <string>

namespace portier::soap_adapter {
namespace {

struct FaultCase {
  StatusCode code;
  SoapVersion version;
  bool sender;
  unsigned http_status;
  bool retry_after;
};

std::string name_of(SoapVersion v) { return v == SoapVersion::k12 ? "1.2" : "1.1"; }

TEST(ToFault, MapsEveryStatusCodeInBothVersions) {
  using enum StatusCode;
  const SoapVersion v11 = SoapVersion::k11;
  const SoapVersion v12 = SoapVersion::k12;
  // SOAP 1.1 sends every Fault with HTTP 500; SOAP 1.2 a Sender fault with 400.
  const FaultCase table[] = {
      {kInvalidArgument, v11, true, 500, false},    {kInvalidArgument, v12, true, 400, false},
      {kNotFound, v11, true, 500, false},           {kNotFound, v12, true, 400, false},
      {kAlreadyExists, v11, true, 500, false},      {kAlreadyExists, v12, true, 400, false},
      {kPermissionDenied, v11, true, 500, false},   {kPermissionDenied, v12, true, 400, false},
      {kFailedPrecondition, v11, true, 500, false}, {kFailedPrecondition, v12, true, 400, false},
      {kUnavailable, v11, false, 503, true},        {kUnavailable, v12, false, 503, true},
      {kResourceExhausted, v11, false, 503, true},  {kResourceExhausted, v12, false, 503, true},
      {kDeadlineExceeded, v11, false, 503, true},   {kDeadlineExceeded, v12, false, 503, true},
      {kDataLoss, v11, false, 500, false},          {kDataLoss, v12, false, 500, false},
      {kInternal, v11, false, 500, false},          {kInternal, v12, false, 500, false},
  };
  for (const FaultCase& c : table) {
    SCOPED_TRACE(std::string(to_string(c.code)) + " SOAP " + name_of(c.version));
    FaultReply reply = to_fault(Status(c.code, "the detail"), c.version);
    EXPECT_EQ(reply.fault.sender, c.sender);
    EXPECT_EQ(reply.http_status, c.http_status);
    EXPECT_EQ(reply.retry_after_s.has_value(), c.retry_after);
    EXPECT_FALSE(reply.fault.reason.empty());
  }
}

TEST(ToFault, SenderFaultsCarryTheMessageInternalOnesDoNot) {
  FaultReply sender =
      to_fault(not_found("header/businessProcessId 'bp-1' is not known"), SoapVersion::k11);
  EXPECT_EQ(sender.fault.reason, "header/businessProcessId 'bp-1' is not known");

  FaultReply busy = to_fault(unavailable("journal stopped"), SoapVersion::k12);
  EXPECT_NE(busy.fault.reason.find("try again later"), std::string::npos) << busy.fault.reason;

  // Internal details (SQL errors, paths) are not handed to the caller.
  FaultReply internal =
      to_fault(internal_error("sqlite: no such table work_items"), SoapVersion::k11);
  EXPECT_EQ(internal.fault.reason.find("sqlite"), std::string::npos) << internal.fault.reason;
}

TEST(ServedWsdl, AddressIsWhereTheClientReachedUs) {
  std::string wsdl = served_wsdl("example:9999", false);
  EXPECT_NE(wsdl.find("http://example:9999/soap/v1"), std::string::npos);
  EXPECT_EQ(wsdl.find("localhost:8080"), std::string::npos);
  // Both ports (SOAP 1.1 and 1.2) carry the address.
  size_t first = wsdl.find("location=\"http://example:9999/soap/v1\"");
  ASSERT_NE(first, std::string::npos);
  EXPECT_NE(wsdl.find("location=\"http://example:9999/soap/v1\"", first + 1), std::string::npos);
  EXPECT_NE(wsdl.find("targetNamespace=\"urn:portier:department:1\""), std::string::npos);
}

TEST(ServedWsdl, TlsUsesHttps) {
  std::string wsdl = served_wsdl("portier.example.ch", true);
  EXPECT_NE(wsdl.find("https://portier.example.ch/soap/v1"), std::string::npos);
  EXPECT_EQ(wsdl.find("http://portier.example.ch"), std::string::npos);
  EXPECT_EQ(wsdl.find("localhost:8080"), std::string::npos);
}

}  // namespace
}  // namespace portier::soap_adapter
