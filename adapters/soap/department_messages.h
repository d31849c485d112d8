#pragma once
// The department service's requests and answers as plain C++ values, so that gSOAP's generated
// types stay inside department_codec.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "core/model/codec.h"

namespace portier::soap_adapter {

enum class SoapVersion { k11, k12 };

struct MessageHeader {
  std::string sender_id;
  std::string message_id;
  std::optional<std::string> business_process_id;
  std::optional<std::string> our_business_reference_id;
};

struct OpenBusinessCase {
  MessageHeader header;
  int32_t service_id = 0;
  std::string owner_id;
  std::string title;
};

struct ReportStatus {
  MessageHeader header;
  model::CaseStatus::type status = model::CaseStatus::OPEN;
  std::optional<std::string> status_text;
};

using DepartmentRequest = std::variant<OpenBusinessCase, ReportStatus>;

struct OpenBusinessCaseAnswer {
  std::string business_process_id;
  std::string business_case_id;
  int64_t accepted_ms = 0;
};

struct ReportStatusAnswer {
  std::string business_process_id;
  int64_t accepted_ms = 0;
};

// A SOAP Fault: who is to blame (the sender: fix the request; the receiver: try again later) and
// a reason that names the problem, e.g. the field.
struct Fault {
  bool sender = true;
  std::string reason;
};

}  // namespace portier::soap_adapter
