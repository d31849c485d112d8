#include "adapters/thrift/department_rpc_codec.h"

#include <strings.h>
#include <thrift/TApplicationException.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <cstring>
#include <functional>
#include <memory>
#include <optional>

#include "gen-cpp/DepartmentService.h"

namespace portier::thrift_adapter {
namespace {

using apache::thrift::TApplicationException;
using apache::thrift::TException;
using apache::thrift::protocol::TMessageType;
using apache::thrift::protocol::TProtocol;
using apache::thrift::transport::TMemoryBuffer;
namespace r = ::portier::rpc;

std::unique_ptr<TProtocol> protocol_over(Protocol protocol, std::shared_ptr<TMemoryBuffer> buffer,
                                         const RpcLimits& limits) {
  if (protocol == Protocol::kCompact) {
    return std::make_unique<apache::thrift::protocol::TCompactProtocolT<TMemoryBuffer>>(
        buffer, limits.max_string_bytes, limits.max_container_items);
  }
  return std::make_unique<apache::thrift::protocol::TBinaryProtocolT<TMemoryBuffer>>(
      buffer, limits.max_string_bytes, limits.max_container_items, true, true);
}

// Names the first field that is missing or wrong, with the same words as the SOAP Faults.
class FieldCheck {
 public:
  explicit FieldCheck(const char* operation) : operation_(operation) {}
  void require(bool isset, const char* path) {
    if (!isset && problem_.empty()) {
      problem_ = "required element '" + operation_ + "/" + path + "' is missing";
    }
  }
  void fail(const std::string& why) {
    if (problem_.empty()) problem_ = why;
  }
  const std::string& operation() const { return operation_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string operation_;
  std::string problem_;
};

cases::MessageHeader header_of(const r::MessageHeader& h, bool isset, FieldCheck& check) {
  check.require(isset, "header");
  check.require(!isset || h.__isset.senderId, "header/senderId");
  check.require(!isset || h.__isset.messageId, "header/messageId");
  cases::MessageHeader out;
  out.sender_id = h.senderId;
  out.message_id = h.messageId;
  if (h.__isset.businessProcessId) out.business_process_id = h.businessProcessId;
  if (h.__isset.ourBusinessReferenceId) out.our_business_reference_id = h.ourBusinessReferenceId;
  return out;
}

template <class T>
std::optional<T> optional_of(bool isset, const T& value) {
  return isset ? std::optional<T>(value) : std::nullopt;
}

using Converted = cases::DepartmentRequest;

Converted convert(const r::OpenBusinessCaseRequest& q, FieldCheck& c) {
  cases::OpenBusinessCase out{header_of(q.header, q.__isset.header, c), q.serviceId, q.ownerId,
                              q.title};
  c.require(q.__isset.serviceId, "serviceId");
  c.require(q.__isset.ownerId, "ownerId");
  c.require(q.__isset.title, "title");
  return out;
}

Converted convert(const r::ReportStatusRequest& q, FieldCheck& c) {
  cases::ReportStatus out;
  out.header = header_of(q.header, q.__isset.header, c);
  if (q.__isset.status) {
    if (q.status < r::CaseStatus::OPEN || q.status > r::CaseStatus::CANCELLED) {
      c.fail("element 'reportStatus/status' is not a CaseStatus: " + std::to_string(q.status));
    }
    // The IDL's CaseStatus has the canonical model's values.
    out.status = static_cast<model::CaseStatus::type>(q.status);
  }
  out.department_status_code = optional_of(q.__isset.departmentStatusCode, q.departmentStatusCode);
  out.status_text = optional_of(q.__isset.statusText, q.statusText);
  if (!q.__isset.status && !q.__isset.departmentStatusCode) {
    c.fail(
        "required element 'reportStatus/status' or 'reportStatus/departmentStatusCode' is "
        "missing");
  }
  return out;
}

Converted convert(const r::AddActivityRequest& q, FieldCheck& c) {
  cases::AddActivity out;
  out.header = header_of(q.header, q.__isset.header, c);
  c.require(q.__isset.title, "title");
  c.require(q.__isset.body, "body");
  c.require(q.__isset.type, "type");
  out.title = q.title;
  out.body = q.body;
  out.type = q.type;
  out.target = optional_of(q.__isset.target, q.target);
  out.event = optional_of(q.__isset.event, q.event);
  out.module = optional_of(q.__isset.moduleName, q.moduleName);
  out.object_id = optional_of(q.__isset.objectId, q.objectId);
  out.display_stamp_ms = optional_of(q.__isset.displayStampMs, q.displayStampMs);
  return out;
}

Converted convert(const r::SendNotificationRequest& q, FieldCheck& c) {
  cases::SendNotification out{header_of(q.header, q.__isset.header, c), q.subject, q.body,
                              q.important};
  c.require(q.__isset.subject, "subject");
  c.require(q.__isset.body, "body");
  return out;
}

Converted convert(const r::SendMessageRequest& q, FieldCheck& c) {
  cases::SendMessage out{header_of(q.header, q.__isset.header, c), q.subject, q.body, q.important};
  c.require(q.__isset.subject, "subject");
  c.require(q.__isset.body, "body");
  return out;
}

Converted convert(const r::DeliverDocumentRequest& q, FieldCheck& c) {
  cases::DeliverDocument out;
  out.header = header_of(q.header, q.__isset.header, c);
  c.require(q.__isset.documentKind, "documentKind");
  c.require(q.__isset.title, "title");
  c.require(q.__isset.date, "date");
  c.require(q.__isset.document, "document");
  out.document_kind = q.documentKind;
  out.title = q.title;
  out.date = q.date;
  out.document = q.document;
  out.important = q.important;
  switch (q.channel) {
    case r::DeliveryChannel::AUTO:
      out.channel = cases::DeliverDocument::Channel::kAuto;
      break;
    case r::DeliveryChannel::INBOX:
      out.channel = cases::DeliverDocument::Channel::kInbox;
      break;
    case r::DeliveryChannel::REGISTERED:
      out.channel = cases::DeliverDocument::Channel::kRegistered;
      break;
    default:
      c.fail("element 'deliverDocument/channel' is not a DeliveryChannel: " +
             std::to_string(q.channel));
  }
  out.recipient = optional_of(q.__isset.recipient, q.recipient);
  if (q.__isset.platform) {
    if (q.platform != "incamail" && q.platform != "privasphere") {
      c.fail("element 'deliverDocument/platform' is not incamail or privasphere");
    }
    out.platform = q.platform;
  }
  return out;
}

Converted convert(const r::GetDeliveryRequest& q, FieldCheck& c) {
  cases::GetDelivery out{header_of(q.header, q.__isset.header, c), q.deliveryId};
  c.require(q.__isset.deliveryId, "deliveryId");
  return out;
}

Converted convert(const r::GetReceiptRequest& q, FieldCheck& c) {
  cases::GetReceipt out{header_of(q.header, q.__isset.header, c), q.receiptId};
  c.require(q.__isset.receiptId, "receiptId");
  return out;
}

Converted convert(const r::GetBusinessCaseRequest& q, FieldCheck& c) {
  return cases::GetBusinessCase{header_of(q.header, q.__isset.header, c)};
}

Converted convert(const r::ListEventsRequest& q, FieldCheck& c) {
  cases::ListEvents out;
  out.header = header_of(q.header, q.__isset.header, c);
  out.after_seq = q.afterSeq;
  out.max_events = q.maxEvents;
  return out;
}

Converted convert(const r::AckEventsRequest& q, FieldCheck& c) {
  cases::AckEvents out{header_of(q.header, q.__isset.header, c), q.seqs};
  c.require(q.__isset.seqs, "seq");
  return out;
}

Converted convert(const r::GetSubmissionRequest& q, FieldCheck& c) {
  cases::GetSubmission out{header_of(q.header, q.__isset.header, c), q.applicationId};
  c.require(q.__isset.applicationId, "applicationId");
  return out;
}

Converted convert(const r::DecideIdentityLinkRequest& q, FieldCheck& c) {
  cases::DecideIdentityLink out{header_of(q.header, q.__isset.header, c), q.linkId, q.approve,
                                q.decidedBy, q.reason};
  c.require(q.__isset.linkId, "linkId");
  c.require(q.__isset.approve, "decision");
  c.require(q.__isset.decidedBy, "decidedBy");
  return out;
}

// Reads the method's arguments (the message's rest) and converts them.
template <class Args>
std::variant<cases::DepartmentRequest, Status> read_request(TProtocol& p, const char* operation) {
  Args args;
  args.read(&p);
  p.readMessageEnd();
  FieldCheck check(operation);
  if (!args.__isset.request) return invalid_argument(std::string(operation) + ": no request");
  Converted request = convert(args.request, check);
  if (!check.problem().empty()) return invalid_argument(check.problem());
  return request;
}

struct Method {
  const char* name;
  std::variant<cases::DepartmentRequest, Status> (*read)(TProtocol&, const char*);
};
constexpr Method kMethods[] = {
    {"openBusinessCase", &read_request<r::DepartmentService_openBusinessCase_args>},
    {"reportStatus", &read_request<r::DepartmentService_reportStatus_args>},
    {"addActivity", &read_request<r::DepartmentService_addActivity_args>},
    {"sendNotification", &read_request<r::DepartmentService_sendNotification_args>},
    {"sendMessage", &read_request<r::DepartmentService_sendMessage_args>},
    {"deliverDocument", &read_request<r::DepartmentService_deliverDocument_args>},
    {"getDelivery", &read_request<r::DepartmentService_getDelivery_args>},
    {"getReceipt", &read_request<r::DepartmentService_getReceipt_args>},
    {"getBusinessCase", &read_request<r::DepartmentService_getBusinessCase_args>},
    {"listEvents", &read_request<r::DepartmentService_listEvents_args>},
    {"ackEvents", &read_request<r::DepartmentService_ackEvents_args>},
    {"getSubmission", &read_request<r::DepartmentService_getSubmission_args>},
    {"decideIdentityLink", &read_request<r::DepartmentService_decideIdentityLink_args>},
};

// ---- answers ----

template <class Write>
std::string write_message(const RpcCall& call, TMessageType type, Write write) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  auto p = protocol_over(call.protocol, buffer, RpcLimits{});
  p->writeMessageBegin(call.method, type, call.seqid);
  write(*p);
  p->writeMessageEnd();
  p->getTransport()->flush();
  return buffer->getBufferAsString();
}

template <class ResultT, class Value>
std::string reply(const RpcCall& call, Value value) {
  // The generated result types declare __set_ methods without defining them.
  ResultT result;
  result.success = std::move(value);
  result.__isset.success = true;
  return write_message(call, apache::thrift::protocol::T_REPLY,
                       [&result](TProtocol& p) { result.write(&p); });
}

r::OpenBusinessCaseAnswer to_rpc(const cases::OpenBusinessCaseAnswer& a) {
  r::OpenBusinessCaseAnswer out;
  out.businessProcessId = a.business_process_id;
  out.businessCaseId = a.business_case_id;
  out.acceptedMs = a.accepted_ms;
  return out;
}

r::Accepted to_rpc(const cases::AcceptedAnswer& a) {
  r::Accepted out;
  out.businessProcessId = a.business_process_id;
  out.acceptedMs = a.accepted_ms;
  return out;
}

r::DocumentAnswer to_rpc(const cases::DocumentAnswer& a) {
  r::DocumentAnswer out;
  out.businessProcessId = a.business_process_id;
  out.deliveryId = a.delivery_id;
  out.fileName = a.file_name;
  out.title = a.title;
  out.sha256 = a.sha256;
  out.acceptedMs = a.accepted_ms;
  return out;
}

r::DeliveryAnswer to_rpc(const cases::DeliveryAnswer& a) {
  r::DeliveryAnswer out;
  out.deliveryId = a.delivery_id;
  out.businessProcessId = a.business_process_id;
  out.status = a.status;
  out.channel = a.channel;
  out.fileName = a.file_name;
  out.title = a.title;
  out.sha256 = a.sha256;
  out.detail = a.detail;
  out.platform = a.platform;
  out.legalDeliveryDate = a.legal_delivery_date;
  out.deadlineLastDay = a.deadline_last_day;
  for (const auto& receipt : a.receipts) {
    r::ReceiptSummary s;
    s.receiptId = receipt.receipt_id;
    s.kind = receipt.kind;
    s.eventMs = receipt.event_ms;
    s.signatureValid = receipt.signature_valid;
    out.receipts.push_back(std::move(s));
  }
  return out;
}

r::ReceiptAnswer to_rpc(const cases::ReceiptAnswer& a) {
  r::ReceiptAnswer out;
  out.receiptId = a.receipt_id;
  out.deliveryId = a.delivery_id;
  out.kind = a.kind;
  out.eventMs = a.event_ms;
  out.platform = a.platform;
  out.signatureValid = a.signature_valid;
  out.signatureDetail = a.signature_detail;
  out.pdf = a.pdf;
  out.signature = a.signature;
  out.message = a.message;
  return out;
}

r::BusinessCaseAnswer to_rpc(const cases::BusinessCaseAnswer& a) {
  r::BusinessCaseAnswer out;
  out.businessProcessId = a.business_process_id;
  out.businessCaseId = a.business_case_id;
  out.serviceId = a.service_id;
  out.ownerId = a.owner_id;
  out.title = a.title;
  out.status = a.status;
  out.statusText = a.status_text;
  for (const auto& h : a.history) {
    r::HistoryEntry e;
    e.status = h.status;
    e.statusText = h.status_text;
    e.atMs = h.at_ms;
    out.history.push_back(std::move(e));
  }
  return out;
}

r::EventsAnswer to_rpc(const cases::EventsAnswer& a) {
  r::EventsAnswer out;
  for (const auto& e : a.events) {
    r::Event event;
    event.seq = e.seq;
    event.kind = e.kind;
    event.businessProcessId = e.business_process_id;
    event.atMs = e.at_ms;
    event.detail = e.detail;
    out.events.push_back(std::move(event));
  }
  return out;
}

r::AckAnswer to_rpc(const cases::AckAnswer& a) {
  r::AckAnswer out;
  out.acknowledged = a.acknowledged;
  return out;
}

r::SubmittedFile to_rpc(const cases::SubmittedFile& f) {
  r::SubmittedFile out;
  out.sha256 = f.sha256;
  out.content = f.content;
  return out;
}

r::SubmissionAnswer to_rpc(const cases::SubmissionAnswer& a) {
  r::SubmissionAnswer out;
  out.applicationId = a.application_id;
  out.formId = a.form_id;
  out.mailbox = a.mailbox;
  out.businessProcessId = a.business_process_id;
  out.businessCaseId = a.business_case_id;
  out.submittedMs = a.submitted_ms;
  for (const auto& [name, value] : a.fields) {
    r::FormField f;
    f.name = name;
    f.value = value;
    out.fields.push_back(std::move(f));
  }
  out.formData = to_rpc(a.form_data);
  if (a.pdf) out.__set_pdf(to_rpc(*a.pdf));
  for (const auto& f : a.attachments) out.attachments.push_back(to_rpc(f));
  out.acknowledged = a.acknowledged;
  return out;
}

r::IdentityLinkAnswer to_rpc(const cases::IdentityLinkAnswer& a) {
  r::IdentityLinkAnswer out;
  out.linkId = a.link_id;
  out.state = a.state;
  out.accountId = a.account_id;
  out.serviceId = a.service_id;
  out.personIdCategory = a.person_id_category;
  out.personId = a.person_id;
  return out;
}

// The reply of `call` with `value` (a cases answer), in the result type of the call's method.
std::string write_success(const RpcCall& call, const cases::OpenBusinessCaseAnswer& a) {
  return reply<r::DepartmentService_openBusinessCase_result>(call, to_rpc(a));
}
std::string write_success(const RpcCall& call, const cases::AcceptedAnswer& a) {
  const std::string& m = call.method;
  if (m == "reportStatus") return reply<r::DepartmentService_reportStatus_result>(call, to_rpc(a));
  if (m == "addActivity") return reply<r::DepartmentService_addActivity_result>(call, to_rpc(a));
  if (m == "sendNotification") {
    return reply<r::DepartmentService_sendNotification_result>(call, to_rpc(a));
  }
  return reply<r::DepartmentService_sendMessage_result>(call, to_rpc(a));
}
std::string write_success(const RpcCall& call, const cases::DocumentAnswer& a) {
  return reply<r::DepartmentService_deliverDocument_result>(call, to_rpc(a));
}
std::string write_success(const RpcCall& call, const cases::DeliveryAnswer& a) {
  return reply<r::DepartmentService_getDelivery_result>(call, to_rpc(a));
}
std::string write_success(const RpcCall& call, const cases::ReceiptAnswer& a) {
  return reply<r::DepartmentService_getReceipt_result>(call, to_rpc(a));
}
std::string write_success(const RpcCall& call, const cases::BusinessCaseAnswer& a) {
  return reply<r::DepartmentService_getBusinessCase_result>(call, to_rpc(a));
}
std::string write_success(const RpcCall& call, const cases::EventsAnswer& a) {
  return reply<r::DepartmentService_listEvents_result>(call, to_rpc(a));
}
std::string write_success(const RpcCall& call, const cases::AckAnswer& a) {
  return reply<r::DepartmentService_ackEvents_result>(call, to_rpc(a));
}
std::string write_success(const RpcCall& call, const cases::SubmissionAnswer& a) {
  return reply<r::DepartmentService_getSubmission_result>(call, to_rpc(a));
}
std::string write_success(const RpcCall& call, const cases::IdentityLinkAnswer& a) {
  return reply<r::DepartmentService_decideIdentityLink_result>(call, to_rpc(a));
}

template <class ResultT>
std::string error_reply(const RpcCall& call, const cases::CaseError& e) {
  ResultT result;
  if (e.blame == cases::CaseError::Blame::kCaller) {
    r::RequestRefused refused;
    refused.reason = e.reason;
    if (e.code == "NOT_FOUND") {
      refused.code = r::ErrorCode::NOT_FOUND;
    } else if (e.code == "ALREADY_EXISTS") {
      refused.code = r::ErrorCode::ALREADY_EXISTS;
    } else if (e.code == "PERMISSION_DENIED") {
      refused.code = r::ErrorCode::PERMISSION_DENIED;
    } else if (e.code == "FAILED_PRECONDITION") {
      refused.code = r::ErrorCode::FAILED_PRECONDITION;
    } else {
      refused.code = r::ErrorCode::INVALID_ARGUMENT;
    }
    result.refused = std::move(refused);
    result.__isset.refused = true;
  } else if (e.retry_after_s) {
    r::TryLater later;
    later.reason = e.reason;
    later.retryAfterSeconds = *e.retry_after_s;
    result.later = std::move(later);
    result.__isset.later = true;
  } else {
    r::InternalError internal;
    internal.reason = e.reason;
    result.internal = std::move(internal);
    result.__isset.internal = true;
  }
  return write_message(call, apache::thrift::protocol::T_REPLY,
                       [&result](TProtocol& p) { result.write(&p); });
}

using ErrorWriter = std::string (*)(const RpcCall&, const cases::CaseError&);
struct ErrorMethod {
  const char* name;
  ErrorWriter write;
};
constexpr ErrorMethod kErrorWriters[] = {
    {"openBusinessCase", &error_reply<r::DepartmentService_openBusinessCase_result>},
    {"reportStatus", &error_reply<r::DepartmentService_reportStatus_result>},
    {"addActivity", &error_reply<r::DepartmentService_addActivity_result>},
    {"sendNotification", &error_reply<r::DepartmentService_sendNotification_result>},
    {"sendMessage", &error_reply<r::DepartmentService_sendMessage_result>},
    {"deliverDocument", &error_reply<r::DepartmentService_deliverDocument_result>},
    {"getDelivery", &error_reply<r::DepartmentService_getDelivery_result>},
    {"getReceipt", &error_reply<r::DepartmentService_getReceipt_result>},
    {"getBusinessCase", &error_reply<r::DepartmentService_getBusinessCase_result>},
    {"listEvents", &error_reply<r::DepartmentService_listEvents_result>},
    {"ackEvents", &error_reply<r::DepartmentService_ackEvents_result>},
    {"getSubmission", &error_reply<r::DepartmentService_getSubmission_result>},
    {"decideIdentityLink", &error_reply<r::DepartmentService_decideIdentityLink_result>},
};

bool has_parameter(const std::string& content_type, const char* value) {
  const size_t at = content_type.find("protocol=");
  if (at == std::string::npos) return false;
  std::string v = content_type.substr(at + 9);
  if (!v.empty() && v.front() == '"') v.erase(0, 1);
  return strncasecmp(v.c_str(), value, strlen(value)) == 0;
}

}  // namespace

Result<Protocol> protocol_of(const std::string& content_type, std::string_view body) {
  if (has_parameter(content_type, "compact") ||
      content_type.find("thrift.compact") != std::string::npos) {
    return Protocol::kCompact;
  }
  if (has_parameter(content_type, "binary") ||
      content_type.find("thrift.binary") != std::string::npos) {
    return Protocol::kBinary;
  }
  if (!body.empty() && static_cast<unsigned char>(body[0]) == 0x82) return Protocol::kCompact;
  if (body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x80 &&
      static_cast<unsigned char>(body[1]) == 0x01) {
    return Protocol::kBinary;
  }
  return invalid_argument(
      "not a Thrift message in the compact or the strict binary protocol (say which with "
      "Content-Type: application/x-thrift; protocol=compact or protocol=binary)");
}

const char* content_type_of(Protocol protocol) {
  return protocol == Protocol::kCompact ? "application/vnd.apache.thrift.compact"
                                        : "application/vnd.apache.thrift.binary";
}

Result<DecodedCall> decode_call(std::string_view body, Protocol protocol, const RpcLimits& limits,
                                RpcCall* unknown) {
  // OBSERVE: the buffer reads `body` in place and never writes to it.
  auto buffer =
      std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(const_cast<char*>(body.data())),
                                      static_cast<uint32_t>(body.size()), TMemoryBuffer::OBSERVE);
  auto p = protocol_over(protocol, buffer, limits);
  DecodedCall out;
  out.call.protocol = protocol;
  try {
    TMessageType type;
    p->readMessageBegin(out.call.method, type, out.call.seqid);
    if (type != apache::thrift::protocol::T_CALL) {
      return invalid_argument("Thrift message of type " + std::to_string(type) +
                              ", expected a call (T_CALL)");
    }
    for (const Method& m : kMethods) {
      if (out.call.method != m.name) continue;
      out.request = m.read(*p, m.name);
      if (buffer->available_read() > 0) {
        return invalid_argument("Thrift: " + std::to_string(buffer->available_read()) +
                                " bytes after the message");
      }
      return out;
    }
    if (unknown) *unknown = out.call;
    return not_found("unknown method '" + out.call.method + "'");
  } catch (const TException& e) {
    return invalid_argument(std::string("Thrift message cannot be read: ") + e.what());
  }
}

std::string write_answer(const RpcCall& call, const cases::IntakeAnswer& answer) {
  return std::visit([&call](const auto& a) { return write_success(call, a); }, answer);
}

std::string write_answer(const RpcCall& call, const cases::ReadAnswer& answer) {
  return std::visit([&call](const auto& a) { return write_success(call, a); }, answer);
}

std::string write_error(const RpcCall& call, const cases::CaseError& error) {
  for (const ErrorMethod& m : kErrorWriters) {
    if (call.method == m.name) return m.write(call, error);
  }
  return write_unknown_method(call);
}

std::string write_unknown_method(const RpcCall& call) {
  TApplicationException x(TApplicationException::UNKNOWN_METHOD,
                          "unknown method '" + call.method + "'");
  return write_message(call, apache::thrift::protocol::T_EXCEPTION,
                       [&x](TProtocol& p) { x.write(&p); });
}

}  // namespace portier::thrift_adapter
