#pragma once
// gSOAP (de)serialisation of the department service, from memory: gSOAP never owns a socket.
// Requests are read with SOAP_XML_STRICT (missing, unknown or mistyped elements and facet
// violations are faults) and dispatched on the Body's first element, never on SOAPAction.
// A wsse:Security SOAP header is accepted, also with mustUnderstand, but not interpreted here;
// any other header element with mustUnderstand is a fault. xs:dateTime values are epoch
// milliseconds here and whole seconds on the wire; a request's dateTime must carry a time zone.
//
// Threads: one DepartmentCodec per thread (each holds its own gSOAP context); not shareable.
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/soap/department_messages.h"

struct soap;

namespace portier::soap_adapter {

struct ParsedRequest {
  SoapVersion version = SoapVersion::k11;
  DepartmentRequest request;
  std::string operation;  // the Body element's local name
};

class DepartmentCodec {
 public:
  DepartmentCodec();
  ~DepartmentCodec();
  DepartmentCodec(const DepartmentCodec&) = delete;
  DepartmentCodec& operator=(const DepartmentCodec&) = delete;

  // Parses a SOAP envelope. On failure the Fault names what is wrong and `version` says which
  // envelope version to answer in.
  std::variant<ParsedRequest, Fault> parse(std::string_view envelope, SoapVersion& version);

  std::string write(SoapVersion version, const OpenBusinessCaseAnswer& answer);
  // The response element named by `answer.operation`; "" if that operation does not answer
  // with an AcceptedAnswer (a programming error).
  std::string write(SoapVersion version, const AcceptedAnswer& answer);
  std::string write(SoapVersion version, const DocumentAnswer& answer);
  std::string write(SoapVersion version, const DeliveryAnswer& answer);
  std::string write(SoapVersion version, const ReceiptAnswer& answer);
  std::string write(SoapVersion version, const BusinessCaseAnswer& answer);
  std::string write(SoapVersion version, const EventsAnswer& answer);
  std::string write(SoapVersion version, const AckAnswer& answer);
  std::string write(SoapVersion version, const IdentityLinkAnswer& answer);
  std::string write(SoapVersion version, const SubmissionAnswer& answer);
  std::string write(SoapVersion version, const Fault& fault);

 private:
  ::soap* soap_;
};

// The local names of the operations this codec understands.
bool is_department_operation(std::string_view local_name);

}  // namespace portier::soap_adapter
