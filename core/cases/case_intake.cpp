#include "core/cases/case_intake.h"

#include <boost/json.hpp>

#include "core/base/digest.h"
#include "core/cases/vocabulary.h"
#include "core/mapping/apply.h"

namespace portier::cases {
namespace {

namespace json = boost::json;

std::string encode_answer(const std::string& bpid, const std::string& case_id, int64_t at_ms) {
  json::object o{{"businessProcessId", bpid}, {"acceptedMs", at_ms}};
  if (!case_id.empty()) o["businessCaseId"] = case_id;
  return json::serialize(o);
}

// Text limits count characters, as the mapping's maxTextLength says, not bytes.
Status check_length(const char* field, const std::string& text, size_t limit) {
  if (mapping::character_count(text) <= limit) return Status::ok();
  return invalid_argument(std::string(field) + " is longer than the department's limit of " +
                          std::to_string(limit) + " characters");
}

// Builds the message for a case inside the transaction, after checking the case belongs to
// the department.
using CaseMessage = std::function<model::Message(const journal::BusinessCaseRecord&)>;

std::function<Result<std::string>(journal::IntakeTransaction&)> on_case(
    std::string department, std::string bpid, std::string answer, CaseMessage make,
    std::string destination = kPortalDestination) {
  return [=](journal::IntakeTransaction& tx) -> Result<std::string> {
    auto found = tx.find_case(bpid);
    if (!found) return not_found("header/businessProcessId '" + bpid + "' is not known");
    if (found->department != department) {
      return permission_denied("header/businessProcessId '" + bpid +
                               "' belongs to another department");
    }
    tx.enqueue(destination, make(*found));
    return answer;
  };
}

Result<model::Message> status_message(const ReportStatus& req,
                                      const mapping::DepartmentMapping& department) {
  model::StatusUpdate update;
  if (req.status.has_value() == req.department_status_code.has_value()) {
    return invalid_argument("exactly one of status and departmentStatusCode is required");
  }
  if (req.status) {
    update.status = *req.status;
    if (req.status_text) update.__set_statusText(*req.status_text);
  } else {
    auto mapped = mapping::map_status(department, *req.department_status_code, req.status_text);
    if (!mapped.is_ok()) return mapped.status();
    update.status = mapped->status;
    update.__set_departmentStatusCode(*req.department_status_code);
    if (mapped->status_text) update.__set_statusText(*mapped->status_text);
  }
  model::Message m;
  m.__set_statusUpdate(update);
  return m;
}

journal::Intake intake_of(const MessageHeader& h, const std::string& operation,
                          const CallOrigin& origin) {
  journal::Intake intake;
  intake.idempotency_key = origin.department->name + "/" + h.message_id;
  intake.nonce = origin.nonce;
  intake.department = origin.department->name;
  intake.correlation_id = origin.correlation_id;
  intake.operation = operation;
  intake.request_sha256 = origin.request_sha256;
  return intake;
}

}  // namespace

bool queues_work(const DepartmentRequest& r) {
  return std::holds_alternative<OpenBusinessCase>(r) || std::holds_alternative<ReportStatus>(r) ||
         std::holds_alternative<AddActivity>(r) || std::holds_alternative<SendNotification>(r) ||
         std::holds_alternative<SendMessage>(r);
}

Result<PreparedIntake> prepare_intake(const DepartmentRequest& request, const CallOrigin& origin,
                                      int64_t now_ms) {
  const mapping::DepartmentMapping& department = *origin.department;
  const MessageHeader& h = header_of(request);
  const std::string operation = operation_name(request);
  PreparedIntake p;
  p.intake = intake_of(h, operation, origin);
  journal::Intake& intake = p.intake;
  const size_t max_text = department.limits.max_text_length;

  if (const auto* open = std::get_if<OpenBusinessCase>(&request)) {
    if (!department.service_ids.count(open->service_id)) {
      return permission_denied("serviceId " + std::to_string(open->service_id) +
                               " is not a service of " + department.name);
    }
    intake.business_process_id = h.business_process_id.value_or("bp-" + random_uuid());
    journal::BusinessCaseRecord record{intake.business_process_id, random_uuid(), department.name,
                                       open->service_id, open->owner_id, now_ms};
    p.answer = OpenBusinessCaseAnswer{record.business_process_id, record.business_case_id, now_ms};
    intake.build = [req = *open, record,
                    answer = encode_answer(record.business_process_id, record.business_case_id,
                                           now_ms)](journal::IntakeTransaction& tx)
        -> Result<std::string> {
      if (tx.find_case(record.business_process_id)) {
        return Status(StatusCode::kAlreadyExists, "header/businessProcessId '" +
                                                      record.business_process_id +
                                                      "' is already in use");
      }
      tx.open_case(record);
      model::BusinessCase bc;
      bc.businessCaseId = record.business_case_id;
      bc.serviceId = req.service_id;
      bc.ownerId = req.owner_id;
      bc.title = req.title;
      if (req.header.our_business_reference_id) {
        bc.__set_ourBusinessReferenceId(*req.header.our_business_reference_id);
      }
      model::Message message;
      message.__set_businessCase(bc);
      tx.enqueue(kPortalDestination, message);
      return answer;
    };
    return p;
  }

  if (!h.business_process_id) {
    return invalid_argument("header/businessProcessId is required for " + operation);
  }
  const std::string bpid = *h.business_process_id;
  intake.business_process_id = bpid;
  p.answer = AcceptedAnswer{operation, bpid, now_ms};
  const std::string answer = encode_answer(bpid, "", now_ms);

  if (const auto* report = std::get_if<ReportStatus>(&request)) {
    auto message = status_message(*report, department);
    if (!message.is_ok()) return message.status();
    intake.build = on_case(department.name, bpid, answer,
                           [m = *message](const journal::BusinessCaseRecord& c) {
                             model::Message out = m;
                             out.statusUpdate.businessCaseId = c.business_case_id;
                             return out;
                           });
  } else if (const auto* a = std::get_if<AddActivity>(&request)) {
    if (Status s = check_length("body", a->body, max_text); !s.is_ok()) return s;
    intake.build = on_case(department.name, bpid, answer,
                           [a = *a, now_ms](const journal::BusinessCaseRecord& c) {
                             model::Activity act;
                             act.businessCaseId = c.business_case_id;
                             act.ownerId = c.owner_id;
                             act.title = a.title;
                             act.body = a.body;
                             act.type = a.type;
                             if (a.target) act.__set_target(*a.target);
                             if (a.event) act.__set_event(*a.event);
                             if (a.module) act.__set_moduleName(*a.module);
                             if (a.object_id) act.__set_objectId(*a.object_id);
                             act.__set_serviceId(c.service_id);
                             act.__set_displayStampMs(a.display_stamp_ms.value_or(now_ms));
                             model::Message m;
                             m.__set_activity(act);
                             return m;
                           });
  } else if (const auto* n = std::get_if<SendNotification>(&request)) {
    if (Status s = check_length("body", n->body, max_text); !s.is_ok()) return s;
    intake.build = on_case(department.name, bpid, answer,
                           [n = *n](const journal::BusinessCaseRecord& c) {
                             model::Notification note;
                             note.ownerId = c.owner_id;
                             note.subject = n.subject;
                             note.body = n.body;
                             note.important = n.important;
                             note.__set_businessCaseId(c.business_case_id);
                             model::Message m;
                             m.__set_notification(note);
                             return m;
                           });
  } else if (const auto* s = std::get_if<SendMessage>(&request)) {
    if (Status st = check_length("body", s->body, max_text); !st.is_ok()) return st;
    intake.build = on_case(department.name, bpid, answer,
                           [s = *s](const journal::BusinessCaseRecord& c) {
                             model::InboxMessage msg;
                             msg.ownerId = c.owner_id;
                             msg.businessCaseId = c.business_case_id;
                             msg.subject = s.subject;
                             msg.body = s.body;
                             msg.important = s.important;
                             model::Message m;
                             m.__set_inboxMessage(msg);
                             return m;
                           });
  } else {
    return internal_error(operation + " does not queue work");
  }
  return p;
}

namespace {

// A plausible address, not RFC 5322: the platform is the judge of whether it exists.
bool looks_like_address(const std::string& a) {
  size_t at = a.find('@');
  if (at == 0 || at == std::string::npos || a.find('@', at + 1) != std::string::npos) return false;
  if (a.size() > 254 || a.find('.', at) == std::string::npos || a.back() == '.') return false;
  for (unsigned char c : a) {
    if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == ',') return false;
  }
  return true;
}

}  // namespace

Result<std::string> registered_platform(const DeliverDocument& request,
                                        const std::vector<std::string>& configured) {
  if (configured.empty()) {
    return failed_precondition(
        "channel: registered mail is not configured on this gateway (no <registeredMail> "
        "platform); use channel inbox");
  }
  if (!request.recipient || request.recipient->empty()) {
    return invalid_argument("recipient is required for registered mail");
  }
  if (!looks_like_address(*request.recipient)) {
    return invalid_argument("recipient is not an e-mail address");
  }
  if (!request.platform) return configured.front();
  for (const std::string& p : configured) {
    if (p == *request.platform) return p;
  }
  std::string names;
  for (const std::string& p : configured) names += (names.empty() ? "" : ", ") + p;
  return invalid_argument("platform '" + *request.platform +
                          "' is not configured on this gateway; configured: " + names);
}

Result<PreparedIntake> prepare_document_intake(const DeliverDocument& req,
                                               const CallOrigin& origin, int64_t now_ms,
                                               const AcceptedDocument& document) {
  const mapping::DepartmentMapping& department = *origin.department;
  if (!req.header.business_process_id) {
    return invalid_argument("header/businessProcessId is required for deliverDocument");
  }
  const std::string bpid = *req.header.business_process_id;
  PreparedIntake p;
  p.intake = intake_of(req.header, "deliverDocument", origin);
  p.intake.business_process_id = bpid;
  const std::string delivery_id = random_uuid();
  json::object answer{{"businessProcessId", bpid},     {"acceptedMs", now_ms},
                      {"deliveryId", delivery_id},     {"fileName", document.file_name},
                      {"title", document.title},       {"sha256", document.sha256}};
  p.answer = DocumentAnswer{bpid, delivery_id, document.file_name, document.title,
                            document.sha256, now_ms};
  p.intake.build = on_case(department.name, bpid, json::serialize(answer),
                           [req, document, delivery_id](const journal::BusinessCaseRecord& c) {
                             model::DocumentDelivery d;
                             d.deliveryId = delivery_id;
                             d.documentKind = req.document_kind;
                             d.title = document.title;
                             d.fileName = document.file_name;
                             d.documentSha256 = document.sha256;
                             d.sizeBytes = static_cast<int64_t>(document.size);
                             d.important = req.important;
                             d.channel = document.platform.empty()
                                             ? model::DeliveryChannel::INBOX
                                             : model::DeliveryChannel::REGISTERED;
                             if (!document.platform.empty()) {
                               d.__set_recipient(document.recipient);
                               d.__set_platform(document.platform);
                             }
                             if (document.deadline_days > 0) {
                               d.__set_deadlineDays(document.deadline_days);
                             }
                             d.__set_ownerId(c.owner_id);
                             d.__set_serviceId(c.service_id);
                             d.__set_businessCaseId(c.business_case_id);
                             model::Message m;
                             m.__set_documentDelivery(d);
                             return m;
                           },
                           document.platform.empty() ? kRcAdapterDestination
                                                     : kSecureMailDestination);
  return p;
}

Result<IntakeAnswer> stored_answer(const DepartmentRequest& request, const std::string& stored) {
  boost::system::error_code ec;
  json::value v = json::parse(stored, ec);
  if (ec || !v.is_object()) return internal_error("the answer kept with the key is not JSON");
  const json::object& o = v.as_object();
  auto text = [&o](const char* key) {
    const json::value* f = o.if_contains(key);
    return f && f->is_string() ? std::string(f->as_string()) : std::string();
  };
  const json::value* at = o.if_contains("acceptedMs");
  const int64_t at_ms = at && at->is_number() ? at->to_number<int64_t>() : 0;
  const std::string bpid = text("businessProcessId");
  if (std::holds_alternative<DeliverDocument>(request)) {
    return IntakeAnswer{DocumentAnswer{bpid, text("deliveryId"), text("fileName"), text("title"),
                                       text("sha256"), at_ms}};
  }
  if (std::holds_alternative<OpenBusinessCase>(request)) {
    return IntakeAnswer{OpenBusinessCaseAnswer{bpid, text("businessCaseId"), at_ms}};
  }
  return IntakeAnswer{AcceptedAnswer{operation_name(request), bpid, at_ms}};
}

}  // namespace portier::cases
