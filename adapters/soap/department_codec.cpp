#include "adapters/soap/department_codec.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <optional>
#include <sstream>
#include <vector>

#include "DepartmentSoap11.nsmap"
#include "core/base/clock.h"
#include "core/cases/request_checks.h"
#include "soapH.h"

namespace portier::soap_adapter {
namespace {

constexpr int kMode = SOAP_ENC_PLAIN | SOAP_C_UTFSTRING | SOAP_XML_STRICT;

// Releases everything gSOAP allocated for one request or answer, whatever happens.
struct RequestScope {
  struct soap* soap;
  ~RequestScope() {
    soap_destroy(soap);
    soap_end(soap);
    soap->is = nullptr;
    soap->os = nullptr;
    soap->header = nullptr;
  }
};

std::string fault_reason(struct soap* soap) {
  soap_set_fault(soap);  // turns soap->error into the fault's string and detail
  const char* text = *soap_faultstring(soap);
  std::string reason = text ? text : "malformed SOAP message";
  if (const char** detail = soap_faultdetail(soap); detail && *detail) {
    reason += std::string(": ") + *detail;
  }
  return reason;
}

// gSOAP reports a missing required element against its parent only ("occurrence constraint
// violation in element 'p:openBusinessCase'"), and too many elements the same way. To name the
// field, look again at the request's elements with libxml2 (no DTD, no network: the guard has
// already refused any DOCTYPE). This second reading runs only for requests that already failed,
// or that hold a dateTime (see timestamp_problem).
constexpr char kNamespace[] = "urn:portier:department:1";

struct ChildRule {
  const char* parent;
  std::vector<const char*> required;  // in document order
};
const std::vector<ChildRule>& child_rules() {
  static const std::vector<ChildRule> table = {
      {"openBusinessCase", {"header", "serviceId", "ownerId", "title"}},
      {"reportStatus", {"header"}},  // the status choice is checked after reading
      {"addActivity", {"header", "title", "body", "type"}},
      {"sendNotification", {"header", "subject", "body"}},
      {"sendMessage", {"header", "subject", "body"}},
      {"deliverDocument", {"header", "documentKind", "title", "date", "document"}},
      {"getDelivery", {"header", "deliveryId"}},
      {"getReceipt", {"header", "receiptId"}},
      {"getBusinessCase", {"header"}},
      {"listEvents", {"header"}},
      {"ackEvents", {"header", "seq"}},
      {"decideIdentityLink", {"header", "linkId", "decision", "decidedBy"}},
      {"getSubmission", {"header", "applicationId"}},
      {"header", {"senderId", "messageId"}},
  };
  return table;
}

struct RepeatLimit {
  const char* parent;
  const char* child;
  size_t max;
};
constexpr RepeatLimit kRepeatLimits[] = {{"ackEvents", "seq", 500}};

bool is_ours(const xmlNode* n, const char* name) {
  return n->type == XML_ELEMENT_NODE && n->ns && xmlStrEqual(n->ns->href, BAD_CAST kNamespace) &&
         xmlStrEqual(n->name, BAD_CAST name);
}

// The reason for the first occurrence violation below `element`, "" if none is found.
std::string occurrence_problem(const xmlNode* element, const std::string& path) {
  for (const RepeatLimit& limit : kRepeatLimits) {
    if (!is_ours(element, limit.parent)) continue;
    size_t count = 0;
    for (const xmlNode* c = element->children; c; c = c->next) count += is_ours(c, limit.child);
    if (count > limit.max) {
      return "at most " + std::to_string(limit.max) + " elements '" + path + limit.child +
             "' are allowed, got " + std::to_string(count);
    }
  }
  for (const ChildRule& rule : child_rules()) {
    if (!is_ours(element, rule.parent)) continue;
    for (const char* child : rule.required) {
      const xmlNode* found = nullptr;
      for (const xmlNode* c = element->children; c && !found; c = c->next) {
        if (is_ours(c, child)) found = c;
      }
      if (!found) return "required element '" + path + child + "' is missing";
      std::string deeper = occurrence_problem(found, path + child + "/");
      if (!deeper.empty()) return deeper;
    }
  }
  return {};
}

// Reads `envelope` with libxml2 and returns what `inspect` says about the Body's first element
// ("" when the envelope cannot be read that way).
template <class Inspect>
std::string inspect_operation(std::string_view envelope, Inspect inspect) {
  xmlDoc* doc = xmlReadMemory(envelope.data(), static_cast<int>(envelope.size()), nullptr, nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!doc) return {};
  std::string result;
  const xmlNode* root = xmlDocGetRootElement(doc);
  for (const xmlNode* body = root ? root->children : nullptr; body; body = body->next) {
    if (body->type != XML_ELEMENT_NODE || !xmlStrEqual(body->name, BAD_CAST "Body")) continue;
    for (const xmlNode* op = body->children; op; op = op->next) {
      if (op->type == XML_ELEMENT_NODE) {
        result = inspect(op);
        break;
      }
    }
  }
  xmlFreeDoc(doc);
  return result;
}

std::string occurrence_problem(std::string_view envelope) {
  return inspect_operation(envelope, [](const xmlNode* op) {
    return occurrence_problem(op, reinterpret_cast<const char*>(op->name) + std::string("/"));
  });
}

// gSOAP reads xs:dateTime into time_t leniently: "2026-13-01T00:00:00Z" becomes 2027-01-01, a
// date alone is taken, and a time without a zone is read in the server's local time zone. So the
// request's dateTime fields are checked again here: YYYY-MM-DDThh:mm:ss[.s+] with Z or +hh:mm.
struct TimestampField {
  const char* parent;
  const char* child;
};
constexpr TimestampField kTimestampFields[] = {{"addActivity", "displayStamp"}};

// xs:dateTime with a time zone, e.g. 2026-03-01T10:15:30+01:00 (white space collapsed).
bool is_zoned_date_time(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  s.remove_prefix(std::min(s.size(), s.find_first_not_of(kSpace)));
  s.remove_suffix(s.size() - std::min(s.size(), s.find_last_not_of(kSpace) + 1));
  return parse_rfc3339(s).has_value();
}

std::string timestamp_problem(std::string_view envelope) {
  return inspect_operation(envelope, [](const xmlNode* op) -> std::string {
    for (const TimestampField& field : kTimestampFields) {
      if (!is_ours(op, field.parent)) continue;
      for (const xmlNode* c = op->children; c; c = c->next) {
        if (!is_ours(c, field.child)) continue;
        xmlChar* text = xmlNodeGetContent(c);
        bool valid = text && is_zoned_date_time(reinterpret_cast<const char*>(text));
        xmlFree(text);
        if (!valid) {
          return std::string("element '") + field.parent + "/" + field.child +
                 "' is not an xs:dateTime with a time zone (e.g. 2026-03-01T10:15:30+01:00)";
        }
      }
    }
    return {};
  });
}

// The fault for a request gSOAP could not read, naming the missing field where that was it.
Fault read_fault(struct soap* soap, std::string_view envelope) {
  if (soap->error == SOAP_OCCURS) {
    std::string problem = occurrence_problem(envelope);
    if (!problem.empty()) return Fault{true, problem};
  }
  return Fault{true, fault_reason(soap)};
}

MessageHeader to_header(const p__MessageHeader* h) {
  MessageHeader out;
  if (!h) return out;
  out.sender_id = h->senderId;
  out.message_id = h->messageId;
  if (h->businessProcessId) out.business_process_id = *h->businessProcessId;
  if (h->ourBusinessReferenceId) out.our_business_reference_id = *h->ourBusinessReferenceId;
  return out;
}

model::CaseStatus::type to_model(p__CaseStatus s) {
  switch (s) {
    case p__CaseStatus::OPEN:
      return model::CaseStatus::OPEN;
    case p__CaseStatus::IN_USCOREPROGRESS:
      return model::CaseStatus::IN_PROGRESS;
    case p__CaseStatus::WAITING_USCOREFOR_USCORECUSTOMER:
      return model::CaseStatus::WAITING_FOR_CUSTOMER;
    case p__CaseStatus::DECIDED:
      return model::CaseStatus::DECIDED;
    case p__CaseStatus::CLOSED:
      return model::CaseStatus::CLOSED;
    case p__CaseStatus::CANCELLED:
      return model::CaseStatus::CANCELLED;
  }
  return model::CaseStatus::OPEN;
}

// xs:dateTime is time_t in gSOAP (whole seconds, UTC); Portier counts epoch milliseconds.
int64_t to_ms(time_t t) { return static_cast<int64_t>(t) * 1000; }
time_t to_time(int64_t ms) {
  return static_cast<time_t>(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
}

std::optional<std::string> optional(const std::string* s) {
  return s ? std::optional<std::string>(*s) : std::nullopt;
}

// One function per Body element: gSOAP's object (already read and checked against the schema)
// to the plain request, or a Fault for what the schema cannot say.
using Converted = std::variant<DepartmentRequest, Fault>;

Converted convert(const _p__openBusinessCase& req) {
  return OpenBusinessCase{to_header(req.header), req.serviceId, req.ownerId, req.title};
}

Converted convert(const _p__reportStatus& req) {
  ReportStatus out{to_header(req.header), std::nullopt, std::nullopt, optional(req.statusText)};
  const auto& choice = req.union_reportStatus;
  if (req.__union_reportStatus == SOAP_UNION__p__union_reportStatus_status && choice.status) {
    out.status = to_model(*choice.status);
  } else if (req.__union_reportStatus == SOAP_UNION__p__union_reportStatus_departmentStatusCode &&
             choice.departmentStatusCode) {
    out.department_status_code = *choice.departmentStatusCode;
  } else {
    // gSOAP does not enforce a required xs:choice, even in strict mode.
    return Fault{true,
                 "required element 'reportStatus/status' or 'reportStatus/departmentStatusCode' "
                 "is missing"};
  }
  return out;
}

Converted convert(const _p__addActivity& req) {
  AddActivity out;
  out.header = to_header(req.header);
  out.title = req.title;
  out.body = req.body;
  out.type = req.type;
  out.target = optional(req.target);
  out.event = optional(req.event);
  out.module = optional(req.module);
  out.object_id = optional(req.objectId);
  if (req.displayStamp) out.display_stamp_ms = to_ms(*req.displayStamp);
  return out;
}

Converted convert(const _p__sendNotification& req) {
  return SendNotification{to_header(req.header), req.subject, req.body,
                          req.important && *req.important};
}

Converted convert(const _p__sendMessage& req) {
  return SendMessage{to_header(req.header), req.subject, req.body, req.important && *req.important};
}

Converted convert(const _p__deliverDocument& req) {
  DeliverDocument out;
  out.header = to_header(req.header);
  out.document_kind = req.documentKind;
  out.title = req.title;
  out.date = req.date;
  // xs:date as the document's name needs it: a real calendar day, no zone.
  if (req.date.size() != 10 || !parse_rfc3339(req.date + "T00:00:00Z")) {
    return Fault{true, "element 'deliverDocument/date' is not a date like 2026-11-29"};
  }
  if (!req.document.__ptr || req.document.__size <= 0) {
    return Fault{true, "element 'deliverDocument/document' must not be empty"};
  }
  out.document.assign(reinterpret_cast<const char*>(req.document.__ptr),
                      static_cast<size_t>(req.document.__size));
  out.important = req.important && *req.important;
  if (req.channel) {
    switch (*req.channel) {
      case p__DeliveryChannel::inbox: out.channel = DeliverDocument::Channel::kInbox; break;
      case p__DeliveryChannel::registered:
        out.channel = DeliverDocument::Channel::kRegistered;
        break;
      case p__DeliveryChannel::auto_: out.channel = DeliverDocument::Channel::kAuto; break;
    }
  }
  if (req.recipient) out.recipient = *req.recipient;
  if (req.platform) {
    out.platform = *req.platform == p__DeliveryPlatform::privasphere ? "privasphere" : "incamail";
  }
  return out;
}

Converted convert(const _p__getDelivery& req) {
  return GetDelivery{to_header(req.header), req.deliveryId};
}

Converted convert(const _p__getReceipt& req) {
  return GetReceipt{to_header(req.header), req.receiptId};
}

Converted convert(const _p__getBusinessCase& req) { return GetBusinessCase{to_header(req.header)}; }

Converted convert(const _p__listEvents& req) {
  ListEvents out;
  out.header = to_header(req.header);
  if (req.afterSeq) out.after_seq = *req.afterSeq;
  if (req.maxEvents) out.max_events = *req.maxEvents;
  return out;
}

Converted convert(const _p__ackEvents& req) {
  return AckEvents{to_header(req.header), std::vector<int64_t>(req.seq.begin(), req.seq.end())};
}

Converted convert(const _p__decideIdentityLink& req) {
  DecideIdentityLink out;
  out.header = to_header(req.header);
  out.link_id = req.linkId;
  out.approve = req.decision == p__LinkDecision::approve;
  out.decided_by = req.decidedBy;
  if (req.reason) out.reason = *req.reason;
  return out;
}

Converted convert(const _p__getSubmission& req) {
  return GetSubmission{to_header(req.header), req.applicationId};
}

// Whether a request holds a field of kTimestampFields.
template <class Body>
bool has_timestamp(const Body&) {
  return false;
}
bool has_timestamp(const _p__addActivity& req) { return req.displayStamp != nullptr; }

// Reads the Body element `tag` as `Body`, then the rest of the envelope.
template <class Body>
Converted read(struct soap* soap, std::string_view envelope, const char* tag) {
  Body body;
  body.soap_default(soap);
  if (!body.soap_get(soap, tag, nullptr) || soap->error || soap_body_end_in(soap) ||
      soap_envelope_end_in(soap) || soap_end_recv(soap)) {
    return read_fault(soap, envelope);
  }
  if (has_timestamp(body)) {
    if (std::string problem = timestamp_problem(envelope); !problem.empty()) {
      return Fault{true, problem};
    }
  }
  return convert(body);
}

struct Operation {
  const char* name;
  const char* tag;
  Converted (*read)(struct soap*, std::string_view, const char*);
};
constexpr Operation kOperations[] = {
    {"openBusinessCase", "p:openBusinessCase", &read<_p__openBusinessCase>},
    {"reportStatus", "p:reportStatus", &read<_p__reportStatus>},
    {"addActivity", "p:addActivity", &read<_p__addActivity>},
    {"sendNotification", "p:sendNotification", &read<_p__sendNotification>},
    {"sendMessage", "p:sendMessage", &read<_p__sendMessage>},
    {"deliverDocument", "p:deliverDocument", &read<_p__deliverDocument>},
    {"getDelivery", "p:getDelivery", &read<_p__getDelivery>},
    {"getReceipt", "p:getReceipt", &read<_p__getReceipt>},
    {"getBusinessCase", "p:getBusinessCase", &read<_p__getBusinessCase>},
    {"listEvents", "p:listEvents", &read<_p__listEvents>},
    {"ackEvents", "p:ackEvents", &read<_p__ackEvents>},
    {"decideIdentityLink", "p:decideIdentityLink", &read<_p__decideIdentityLink>},
    {"getSubmission", "p:getSubmission", &read<_p__getSubmission>},
};

}  // namespace

bool is_department_operation(std::string_view name) {
  for (const Operation& op : kOperations) {
    if (name == op.name) return true;
  }
  return false;
}

DepartmentCodec::DepartmentCodec() : soap_(soap_new1(kMode)) {
  soap_set_namespaces(soap_, namespaces);
  soap_->maxlevel = 64;
}

DepartmentCodec::~DepartmentCodec() { soap_free(soap_); }

std::variant<ParsedRequest, Fault> DepartmentCodec::parse(std::string_view envelope,
                                                          SoapVersion& version) {
  RequestScope scope{soap_};
  std::istringstream in{std::string(envelope)};
  std::ostringstream discarded;  // soap_begin_serve writes its own fault here, never to stdout
  soap_->is = &in;
  soap_->os = &discarded;
  soap_->keep_alive = 0;
  soap_set_imode(soap_, kMode);
  // Reads the SOAP Header too: a wsse:Security element is known (see wsdl/typemap.dat), so it
  // is skipped even with mustUnderstand; any other header element with mustUnderstand faults.
  if (soap_begin_serve(soap_)) {
    // The envelope itself is wrong. gSOAP has written a fault to no stream we use; keep the
    // version it detected and report the reason.
    if (soap_->version == 2) version = SoapVersion::k12;
    return Fault{true, fault_reason(soap_)};
  }
  version = soap_->version == 2 ? SoapVersion::k12 : SoapVersion::k11;
  if (soap_peek_element(soap_)) return Fault{true, "the SOAP Body holds no operation element"};
  for (const Operation& op : kOperations) {
    if (soap_match_tag(soap_, soap_->tag, op.tag)) continue;
    Converted converted = op.read(soap_, envelope, op.tag);
    if (Fault* fault = std::get_if<Fault>(&converted)) return std::move(*fault);
    DepartmentRequest& request = std::get<DepartmentRequest>(converted);
    // gSOAP checks minLength only when an element has content, so `<p:title/>` passes its
    // reader: the required texts are checked again, as for every protocol.
    if (Status empty = cases::check_required_texts(request); !empty.is_ok()) {
      return Fault{true, empty.message()};
    }
    return ParsedRequest{version, std::move(request), op.name};
  }
  return Fault{true, std::string("unknown operation '") + soap_->tag + "'"};
}

namespace {

// Writes one Body element as a complete envelope, the way a generated service would.
template <class T>
std::string write_envelope(struct soap* soap, SoapVersion version, const T& body, const char* tag) {
  std::ostringstream out;
  soap->os = &out;
  soap->header = nullptr;  // answers carry no SOAP Header
  soap_set_omode(soap, kMode);
  soap_set_version(soap, version == SoapVersion::k12 ? 2 : 1);
  soap_serializeheader(soap);
  body.soap_serialize(soap);
  if (soap_response(soap, SOAP_OK) || soap_envelope_begin_out(soap) || soap_putheader(soap) ||
      soap_body_begin_out(soap) || body.soap_put(soap, tag, "") || soap_body_end_out(soap) ||
      soap_envelope_end_out(soap) || soap_end_send(soap)) {
    return {};
  }
  return out.str();
}

// A string owned by the gSOAP context (released with the answer), for optional elements.
std::string* optional_out(struct soap* soap, const std::string& s) {
  if (s.empty()) return nullptr;
  std::string* copy = soap_new_std__string(soap);
  *copy = s;
  return copy;
}

}  // namespace

std::string DepartmentCodec::write(SoapVersion version, const OpenBusinessCaseAnswer& a) {
  RequestScope scope{soap_};
  _p__openBusinessCaseResponse body;
  body.soap_default(soap_);
  body.businessProcessId = a.business_process_id;
  body.businessCaseId = a.business_case_id;
  body.acceptedAt = to_time(a.accepted_ms);
  return write_envelope(soap_, version, body, "p:openBusinessCaseResponse");
}

std::string DepartmentCodec::write(SoapVersion version, const AcceptedAnswer& a) {
  static constexpr std::pair<std::string_view, const char*> kResponses[] = {
      {"reportStatus", "p:reportStatusResponse"},
      {"addActivity", "p:addActivityResponse"},
      {"sendNotification", "p:sendNotificationResponse"},
      {"sendMessage", "p:sendMessageResponse"},
  };
  const char* tag = nullptr;
  for (const auto& [operation, response] : kResponses) {
    if (a.operation == operation) tag = response;
  }
  if (!tag) return {};
  RequestScope scope{soap_};
  p__AcceptedAnswer body;
  body.soap_default(soap_);
  body.businessProcessId = a.business_process_id;
  body.acceptedAt = to_time(a.accepted_ms);
  return write_envelope(soap_, version, body, tag);
}

std::string DepartmentCodec::write(SoapVersion version, const DocumentAnswer& a) {
  RequestScope scope{soap_};
  _p__deliverDocumentResponse body;
  body.soap_default(soap_);
  body.businessProcessId = a.business_process_id;
  body.deliveryId = a.delivery_id;
  body.fileName = a.file_name;
  body.title = a.title;
  body.sha256 = a.sha256;
  body.acceptedAt = to_time(a.accepted_ms);
  return write_envelope(soap_, version, body, "p:deliverDocumentResponse");
}

std::string DepartmentCodec::write(SoapVersion version, const DeliveryAnswer& a) {
  RequestScope scope{soap_};
  _p__getDeliveryResponse body;
  body.soap_default(soap_);
  body.deliveryId = a.delivery_id;
  body.businessProcessId = a.business_process_id;
  body.status = a.status;
  body.channel = a.channel;
  body.fileName = a.file_name;
  body.title = a.title;
  body.sha256 = a.sha256;
  body.detail = optional_out(soap_, a.detail);
  body.platform = optional_out(soap_, a.platform);
  body.legalDeliveryDate = optional_out(soap_, a.legal_delivery_date);
  body.deadlineLastDay = optional_out(soap_, a.deadline_last_day);
  for (const auto& r : a.receipts) {
    auto* summary = soap_new_p__ReceiptSummary(soap_);
    summary->receiptId = r.receipt_id;
    summary->kind = r.kind;
    summary->eventTime = to_time(r.event_ms);
    summary->signatureValid = r.signature_valid;
    body.receipt.push_back(summary);
  }
  return write_envelope(soap_, version, body, "p:getDeliveryResponse");
}

std::string DepartmentCodec::write(SoapVersion version, const ReceiptAnswer& a) {
  RequestScope scope{soap_};
  _p__getReceiptResponse body;
  body.soap_default(soap_);
  body.receiptId = a.receipt_id;
  body.deliveryId = a.delivery_id;
  body.kind = a.kind;
  body.eventTime = to_time(a.event_ms);
  body.platform = a.platform;
  body.signatureValid = a.signature_valid;
  body.signatureDetail = a.signature_detail;
  auto bytes = [](xsd__base64Binary& out, const std::string& in) {
    out.__ptr = reinterpret_cast<unsigned char*>(const_cast<char*>(in.data()));
    out.__size = static_cast<int>(in.size());
  };
  bytes(body.pdf, a.pdf);
  bytes(body.signature, a.signature);
  bytes(body.message, a.message);
  return write_envelope(soap_, version, body, "p:getReceiptResponse");
}

std::string DepartmentCodec::write(SoapVersion version, const BusinessCaseAnswer& a) {
  RequestScope scope{soap_};
  _p__getBusinessCaseResponse body;
  body.soap_default(soap_);
  body.businessProcessId = a.business_process_id;
  body.businessCaseId = a.business_case_id;
  body.serviceId = a.service_id;
  body.ownerId = a.owner_id;
  body.title = a.title;
  body.status = a.status;
  body.statusText = optional_out(soap_, a.status_text);
  body.history = soap_new_p__History(soap_);
  for (const HistoryEntry& h : a.history) {
    p__HistoryEntry* entry = soap_new_p__HistoryEntry(soap_);
    entry->status = h.status;
    entry->statusText = optional_out(soap_, h.status_text);
    entry->at = to_time(h.at_ms);
    body.history->historyEntry.push_back(entry);
  }
  return write_envelope(soap_, version, body, "p:getBusinessCaseResponse");
}

std::string DepartmentCodec::write(SoapVersion version, const EventsAnswer& a) {
  RequestScope scope{soap_};
  _p__listEventsResponse body;
  body.soap_default(soap_);
  for (const Event& e : a.events) {
    p__Event* event = soap_new_p__Event(soap_);
    event->seq = e.seq;
    event->kind = e.kind;
    event->businessProcessId = optional_out(soap_, e.business_process_id);
    event->at = to_time(e.at_ms);
    event->detail = optional_out(soap_, e.detail);
    body.event.push_back(event);
  }
  return write_envelope(soap_, version, body, "p:listEventsResponse");
}

std::string DepartmentCodec::write(SoapVersion version, const AckAnswer& a) {
  RequestScope scope{soap_};
  _p__ackEventsResponse body;
  body.soap_default(soap_);
  body.acknowledged = a.acknowledged;
  return write_envelope(soap_, version, body, "p:ackEventsResponse");
}

std::string DepartmentCodec::write(SoapVersion version, const IdentityLinkAnswer& a) {
  RequestScope scope{soap_};
  _p__decideIdentityLinkResponse body;
  body.soap_default(soap_);
  body.linkId = a.link_id;
  body.state = a.state;
  body.accountId = a.account_id;
  body.serviceId = a.service_id;
  body.personIdCategory = a.person_id_category;
  body.personId = a.person_id;
  return write_envelope(soap_, version, body, "p:decideIdentityLinkResponse");
}

std::string DepartmentCodec::write(SoapVersion version, const SubmissionAnswer& a) {
  RequestScope scope{soap_};
  _p__getSubmissionResponse body;
  body.soap_default(soap_);
  body.applicationId = a.application_id;
  body.formId = a.form_id;
  body.mailbox = a.mailbox;
  body.businessProcessId = a.business_process_id;
  body.businessCaseId = a.business_case_id;
  if (a.submitted_ms > 0) {
    body.submittedAt = static_cast<time_t*>(soap_malloc(soap_, sizeof(time_t)));
    *body.submittedAt = to_time(a.submitted_ms);
  }
  for (const auto& [name, value] : a.fields) {
    p__FormField* field = soap_new_p__FormField(soap_);
    field->name = name;
    field->value = value;
    body.field.push_back(field);
  }
  // The answer points into `a`, which outlives the write.
  auto file = [this](const SubmittedFile& in) {
    p__SubmittedFile* out = soap_new_p__SubmittedFile(soap_);
    out->sha256 = in.sha256;
    out->content.__ptr = reinterpret_cast<unsigned char*>(const_cast<char*>(in.content.data()));
    out->content.__size = static_cast<int>(in.content.size());
    return out;
  };
  body.formData = file(a.form_data);
  if (a.pdf) body.pdf = file(*a.pdf);
  for (const SubmittedFile& f : a.attachments) body.attachment.push_back(file(f));
  body.acknowledged = a.acknowledged;
  return write_envelope(soap_, version, body, "p:getSubmissionResponse");
}

std::string DepartmentCodec::write(SoapVersion version, const Fault& fault) {
  RequestScope scope{soap_};
  std::ostringstream out;
  soap_->os = &out;
  soap_->header = nullptr;
  soap_set_omode(soap_, kMode);
  soap_set_version(soap_, version == SoapVersion::k12 ? 2 : 1);
  if (fault.sender) {
    soap_sender_fault(soap_, fault.reason.c_str(), nullptr);
  } else {
    soap_receiver_fault(soap_, fault.reason.c_str(), nullptr);
  }
  soap_send_fault(soap_);
  return out.str();
}

}  // namespace portier::soap_adapter
