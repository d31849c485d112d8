#include "core/cases/request_checks.h"

#include <utility>
#include <vector>

#include "core/base/clock.h"
#include "core/mapping/apply.h"

namespace portier::cases {
namespace {

// A text field and its limits as the contracts publish them.
struct TextRule {
  const char* name;
  const std::string* value;
  bool required;  // must not be empty
  size_t max_characters;
};

std::vector<TextRule> text_rules(const DepartmentRequest& request) {
  const MessageHeader& h = header_of(request);
  std::vector<TextRule> rules = {{"header/senderId", &h.sender_id, true, 100},
                                 {"header/messageId", &h.message_id, true, 36}};
  if (h.business_process_id) {
    rules.push_back({"header/businessProcessId", &*h.business_process_id, true, 128});
  }
  if (h.our_business_reference_id) {
    rules.push_back({"header/ourBusinessReferenceId", &*h.our_business_reference_id, false, 50});
  }
  if (const auto* r = std::get_if<OpenBusinessCase>(&request)) {
    rules.insert(rules.end(),
                 {{"ownerId", &r->owner_id, true, 128}, {"title", &r->title, true, 200}});
  } else if (const auto* r = std::get_if<ReportStatus>(&request)) {
    if (r->department_status_code) {
      rules.push_back({"departmentStatusCode", &*r->department_status_code, true, 50});
    }
    if (r->status_text) rules.push_back({"statusText", &*r->status_text, false, 500});
  } else if (const auto* r = std::get_if<AddActivity>(&request)) {
    rules.insert(rules.end(), {{"title", &r->title, true, 200},
                               {"body", &r->body, false, 4000},
                               {"type", &r->type, true, 50}});
    for (auto [name, value] :
         {std::pair{"target", &r->target}, std::pair{"event", &r->event},
          std::pair{"module", &r->module}, std::pair{"objectId", &r->object_id}}) {
      if (*value) rules.push_back({name, &**value, false, 100});
    }
  } else if (const auto* r = std::get_if<SendNotification>(&request)) {
    rules.insert(rules.end(),
                 {{"subject", &r->subject, true, 200}, {"body", &r->body, true, 4000}});
  } else if (const auto* r = std::get_if<SendMessage>(&request)) {
    rules.insert(rules.end(),
                 {{"subject", &r->subject, true, 200}, {"body", &r->body, true, 20000}});
  } else if (const auto* r = std::get_if<DeliverDocument>(&request)) {
    rules.insert(rules.end(),
                 {{"documentKind", &r->document_kind, true, 50}, {"title", &r->title, true, 200}});
    if (r->recipient) rules.push_back({"recipient", &*r->recipient, false, 254});
  } else if (const auto* r = std::get_if<GetDelivery>(&request)) {
    rules.push_back({"deliveryId", &r->delivery_id, true, 50});
  } else if (const auto* r = std::get_if<GetReceipt>(&request)) {
    rules.push_back({"receiptId", &r->receipt_id, true, 64});
  } else if (const auto* r = std::get_if<DecideIdentityLink>(&request)) {
    rules.insert(rules.end(), {{"linkId", &r->link_id, true, 50},
                               {"decidedBy", &r->decided_by, true, 100},
                               {"reason", &r->reason, false, 4000}});
  } else if (const auto* r = std::get_if<GetSubmission>(&request)) {
    rules.push_back({"applicationId", &r->application_id, true, 100});
  }
  return rules;
}

std::string element(const DepartmentRequest& request, const std::string& path) {
  return "element '" + std::string(operation_name(request)) + "/" + path + "'";
}

}  // namespace

Status check_required_texts(const DepartmentRequest& request) {
  for (const TextRule& rule : text_rules(request)) {
    if (rule.required && rule.value->empty()) {
      return invalid_argument(element(request, rule.name) + " must not be empty");
    }
  }
  return Status::ok();
}

Status check_request(const DepartmentRequest& request) {
  if (Status s = check_required_texts(request); !s.is_ok()) return s;
  for (const TextRule& rule : text_rules(request)) {
    if (mapping::character_count(*rule.value) > rule.max_characters) {
      return invalid_argument(element(request, rule.name) + " is longer than " +
                              std::to_string(rule.max_characters) + " characters");
    }
  }
  if (const auto* r = std::get_if<OpenBusinessCase>(&request); r && r->service_id < 1) {
    return invalid_argument(element(request, "serviceId") + " must be 1 or more");
  }
  if (const auto* r = std::get_if<ReportStatus>(&request);
      r && r->status.has_value() == r->department_status_code.has_value()) {
    return invalid_argument("exactly one of status and departmentStatusCode is required");
  }
  if (const auto* r = std::get_if<ListEvents>(&request)) {
    if (r->after_seq < 0)
      return invalid_argument(element(request, "afterSeq") + " must be 0 or more");
    if (r->max_events < 1 || r->max_events > 500) {
      return invalid_argument(element(request, "maxEvents") + " must be between 1 and 500");
    }
  }
  if (const auto* r = std::get_if<AckEvents>(&request)) {
    if (r->seqs.empty())
      return invalid_argument("required " + element(request, "seq") + " is missing");
    if (r->seqs.size() > 500) {
      return invalid_argument("at most 500 elements 'ackEvents/seq' are allowed, got " +
                              std::to_string(r->seqs.size()));
    }
    for (int64_t seq : r->seqs) {
      if (seq < 0) return invalid_argument(element(request, "seq") + " must be 0 or more");
    }
  }
  if (const auto* r = std::get_if<DeliverDocument>(&request)) {
    // The date as the document's name needs it: a real calendar day, no zone.
    if (r->date.size() != 10 || !parse_rfc3339(r->date + "T00:00:00Z")) {
      return invalid_argument(element(request, "date") + " is not a date like 2026-11-29");
    }
    if (r->document.empty())
      return invalid_argument(element(request, "document") + " must not be empty");
  }
  return Status::ok();
}

}  // namespace portier::cases
