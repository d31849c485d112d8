#include "adapters/soap/department_codec.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <sstream>
#include <vector>

#include "DepartmentSoap11.nsmap"
#include "core/base/clock.h"
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
// violation in element 'p:openBusinessCase'"). To name the field, look again at the request's
// elements with libxml2 (no DTD, no network: the guard has already refused any DOCTYPE).
// Runs only for requests that already failed.
constexpr char kNamespace[] = "urn:portier:department:1";

struct RequiredChildren {
  const char* parent;
  std::vector<const char*> children;
};
const std::vector<RequiredChildren>& required_children() {
  static const std::vector<RequiredChildren> table = {
      {"openBusinessCase", {"header", "serviceId", "ownerId", "title"}},
      {"reportStatus", {"header", "status"}},
      {"header", {"senderId", "messageId"}},
  };
  return table;
}

bool is_ours(const xmlNode* n, const char* name) {
  return n->type == XML_ELEMENT_NODE && n->ns && xmlStrEqual(n->ns->href, BAD_CAST kNamespace) &&
         xmlStrEqual(n->name, BAD_CAST name);
}

std::string first_missing(const xmlNode* element, const std::string& path) {
  for (const RequiredChildren& rule : required_children()) {
    if (!is_ours(element, rule.parent)) continue;
    for (const char* child : rule.children) {
      const xmlNode* found = nullptr;
      for (const xmlNode* c = element->children; c && !found; c = c->next) {
        if (is_ours(c, child)) found = c;
      }
      if (!found) return path + child;
      std::string deeper = first_missing(found, path + child + "/");
      if (!deeper.empty()) return deeper;
    }
  }
  return {};
}

std::string missing_element(std::string_view envelope) {
  xmlDoc* doc = xmlReadMemory(envelope.data(), static_cast<int>(envelope.size()), nullptr, nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!doc) return {};
  std::string missing;
  const xmlNode* root = xmlDocGetRootElement(doc);
  for (const xmlNode* body = root ? root->children : nullptr; body; body = body->next) {
    if (body->type != XML_ELEMENT_NODE || !xmlStrEqual(body->name, BAD_CAST "Body")) continue;
    for (const xmlNode* op = body->children; op; op = op->next) {
      if (op->type == XML_ELEMENT_NODE) {
        missing = first_missing(op, reinterpret_cast<const char*>(op->name) + std::string("/"));
        break;
      }
    }
  }
  xmlFreeDoc(doc);
  return missing;
}

// The fault for a request gSOAP could not read, naming the missing field where that was it.
Fault read_fault(struct soap* soap, std::string_view envelope) {
  if (soap->error == SOAP_OCCURS) {
    std::string missing = missing_element(envelope);
    if (!missing.empty()) return Fault{true, "required element '" + missing + "' is missing"};
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
    case p__CaseStatus::OPEN: return model::CaseStatus::OPEN;
    case p__CaseStatus::IN_USCOREPROGRESS: return model::CaseStatus::IN_PROGRESS;
    case p__CaseStatus::WAITING_USCOREFOR_USCORECUSTOMER:
      return model::CaseStatus::WAITING_FOR_CUSTOMER;
    case p__CaseStatus::DECIDED: return model::CaseStatus::DECIDED;
    case p__CaseStatus::CLOSED: return model::CaseStatus::CLOSED;
    case p__CaseStatus::CANCELLED: return model::CaseStatus::CANCELLED;
  }
  return model::CaseStatus::OPEN;
}

time_t to_time(int64_t ms) { return static_cast<time_t>(ms / 1000); }

}  // namespace

bool is_department_operation(std::string_view name) {
  return name == "openBusinessCase" || name == "reportStatus";
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
  if (soap_begin_serve(soap_)) {
    // The envelope itself is wrong. gSOAP has written a fault to no stream we use; keep the
    // version it detected and report the reason.
    if (soap_->version == 2) version = SoapVersion::k12;
    return Fault{true, fault_reason(soap_)};
  }
  version = soap_->version == 2 ? SoapVersion::k12 : SoapVersion::k11;
  ParsedRequest parsed;
  parsed.version = version;
  if (soap_peek_element(soap_)) return Fault{true, "the SOAP Body holds no operation element"};
  auto finish = [&]() -> std::optional<Fault> {
    if (soap_->error || soap_body_end_in(soap_) || soap_envelope_end_in(soap_) ||
        soap_end_recv(soap_)) {
      return read_fault(soap_, envelope);
    }
    return std::nullopt;
  };
  if (!soap_match_tag(soap_, soap_->tag, "p:openBusinessCase")) {
    parsed.operation = "openBusinessCase";
    _p__openBusinessCase req;
    req.soap_default(soap_);
    if (!soap_get__p__openBusinessCase(soap_, &req, "p:openBusinessCase", nullptr)) {
      return read_fault(soap_, envelope);
    }
    if (auto fault = finish()) return *fault;
    parsed.request = OpenBusinessCase{to_header(req.header), req.serviceId, req.ownerId, req.title};
    return parsed;
  }
  if (!soap_match_tag(soap_, soap_->tag, "p:reportStatus")) {
    parsed.operation = "reportStatus";
    _p__reportStatus req;
    req.soap_default(soap_);
    if (!soap_get__p__reportStatus(soap_, &req, "p:reportStatus", nullptr)) {
      return read_fault(soap_, envelope);
    }
    if (auto fault = finish()) return *fault;
    ReportStatus out{to_header(req.header), to_model(req.status), std::nullopt};
    if (req.statusText) out.status_text = *req.statusText;
    parsed.request = std::move(out);
    return parsed;
  }
  return Fault{true, std::string("unknown operation '") + soap_->tag + "'"};
}

namespace {

// Writes one Body element as a complete envelope, the way a generated service would.
template <class T>
std::string write_envelope(struct soap* soap, SoapVersion version, T& body, const char* tag) {
  std::ostringstream out;
  soap->os = &out;
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

std::string DepartmentCodec::write(SoapVersion version, const ReportStatusAnswer& a) {
  RequestScope scope{soap_};
  _p__reportStatusResponse body;
  body.soap_default(soap_);
  body.businessProcessId = a.business_process_id;
  body.acceptedAt = to_time(a.accepted_ms);
  return write_envelope(soap_, version, body, "p:reportStatusResponse");
}

std::string DepartmentCodec::write(SoapVersion version, const Fault& fault) {
  RequestScope scope{soap_};
  std::ostringstream out;
  soap_->os = &out;
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
