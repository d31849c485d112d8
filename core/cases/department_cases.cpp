#include "core/cases/department_cases.h"

#include <cstdio>

#include "core/base/log.h"
#include "core/cases/deliveries.h"
#include "core/cases/errors.h"
#include "core/cases/submissions.h"
#include "core/mapping/apply.h"

namespace portier::cases {

DepartmentCases::DepartmentCases(DepartmentCasesParts parts) : parts_(std::move(parts)) {}

Status DepartmentCases::admit(const mapping::DepartmentMapping& department) {
  if (rate_limiter_.admit(department.name, department.limits.max_requests_per_minute,
                          parts_.clock.now_ms())) {
    return Status::ok();
  }
  return Status(StatusCode::kResourceExhausted,
                department.name + " is over its limit of " +
                    std::to_string(department.limits.max_requests_per_minute) +
                    " requests per minute");
}

void DepartmentCases::note(const DepartmentRequest& request, const CallOrigin& origin,
                           const char* protocol) {
  const mapping::DepartmentMapping& department = *origin.department;
  // Which values are personal data is the mapping's word: those are logged as a digest only.
  auto field = [&department](const char* name, const std::string& value) {
    return mapping::is_personal(department, name) ? log::personal(name, value)
                                                  : log::Field{name, value};
  };
  const auto* open = std::get_if<OpenBusinessCase>(&request);
  log::info("department request",
            {{"operation", operation_name(request)},
             {"protocol", protocol},
             {"department", department.name},
             {"business_process_id", header_of(request).business_process_id.value_or("")},
             field("ownerId", open ? open->owner_id : ""),
             field("title", open ? open->title : ""),
             {"correlation_id", origin.correlation_id}});
}

Result<PreparedIntake> DepartmentCases::prepare(const DepartmentRequest& request,
                                                const CallOrigin& origin) {
  return prepare_intake(request, origin, parts_.clock.now_ms());
}

void DepartmentCases::commit(PreparedIntake prepared, Committed done) {
  parts_.journal.accept(std::move(prepared.intake),
                        [this, done = std::move(done)](Result<journal::IntakeOutcome> r) {
                          if (r.is_ok() && !r->duplicate && parts_.work_accepted) {
                            parts_.work_accepted();
                          }
                          if (!r.is_ok()) r = as_refusal_if_replay(r.status());
                          done(std::move(r));
                        });
}

Result<IntakeAnswer> DepartmentCases::repeated_answer(const DepartmentRequest& request,
                                                      const journal::IntakeOutcome& outcome) {
  return stored_answer(request, outcome.answer);
}

Status DepartmentCases::checked_document(const std::string& path,
                                         const mapping::DocumentKind* kind) const {
  if (Status pdf = documents::check_pdf(path, parts_.pdf_limits); !pdf.is_ok()) return pdf;
  auto found = documents::find_active_content(path, parts_.pdf_limits);
  if (!found.is_ok()) return found.status();
  return documents::refuse_active_content(
      *found, kind ? kind->allowed_active_content : std::set<documents::ActiveContent>{});
}

Result<PreparedIntake> DepartmentCases::prepare_document(const DeliverDocument& req,
                                                         const CallOrigin& origin,
                                                         const DocumentSource* source) {
  const mapping::DepartmentMapping& department = *origin.department;
  if (!parts_.documents) return failed_precondition("documents are not configured");
  auto named = mapping::name_document(department, req.document_kind, req.date, req.title);
  if (!named.is_ok()) return named.status();
  const mapping::DocumentKind* kind = department.document_kind(req.document_kind);
  bool registered = req.channel == DeliverDocument::Channel::kRegistered ||
                    (req.channel == DeliverDocument::Channel::kAuto &&
                     ((kind && kind->registered) || department.default_channel == "registered"));
  std::string platform;
  if (registered) {
    auto chosen = registered_platform(req, parts_.registered_platforms);
    if (!chosen.is_ok()) return chosen.status();
    platform = *chosen;
  }
  const uint64_t limit = parts_.pdf_limits.max_bytes;
  const uint64_t size = source ? source->known_size : req.document.size();
  if (size > limit) {
    return invalid_argument("document: larger than the limit of " + std::to_string(limit) +
                            " bytes");
  }
  // Stored first (the check needs a file), removed again if refused and new.
  auto stored = source ? source->store(*parts_.documents, limit)
                       : parts_.documents->store_bytes(req.document, limit);
  if (!stored.is_ok()) return stored.status();
  if (Status pdf = checked_document(stored->path, kind); !pdf.is_ok()) {
    if (!stored->was_stored) std::remove(stored->path.c_str());
    return Status(pdf.code(), "document: " + pdf.message());
  }
  return prepare_document_intake(
      req, origin, parts_.clock.now_ms(),
      AcceptedDocument{stored->sha256_hex, stored->size, named->file_name, named->title,
                       platform.empty() ? std::string() : *req.recipient, platform,
                       kind ? kind->deadline_days : uint16_t{0}});
}

Result<BusinessCaseAnswer> DepartmentCases::read_case(const std::string& department,
                                                      const GetBusinessCase& get) {
  if (!get.header.business_process_id) {
    return invalid_argument("header/businessProcessId is required for getBusinessCase");
  }
  const std::string& bpid = *get.header.business_process_id;
  auto found = parts_.journal.find_case(bpid);
  if (!found.is_ok()) return found.status();
  if (!*found) return not_found("header/businessProcessId '" + bpid + "' is not known");
  if ((*found)->department != department) {
    return permission_denied("header/businessProcessId '" + bpid +
                             "' belongs to another department");
  }
  auto at_portal = parts_.portal.read_case((*found)->business_case_id);
  if (!at_portal.is_ok()) {
    return at_portal.status().code() == StatusCode::kNotFound
               ? unavailable("the business case has not reached the portal yet")
               : at_portal.status();
  }
  BusinessCaseAnswer a{bpid,
                       (*found)->business_case_id,
                       (*found)->service_id,
                       (*found)->owner_id,
                       at_portal->title,
                       at_portal->status,
                       at_portal->status_text,
                       {}};
  for (const auto& h : at_portal->history) a.history.push_back({h.status, h.status_text, h.at_ms});
  return a;
}

Result<ReadAnswer> DepartmentCases::read(const DepartmentRequest& request,
                                         const CallOrigin& origin) {
  const std::string& department = origin.department->name;
  if (origin.nonce) {
    auto fresh = parts_.journal.remember_nonce(department, *origin.nonce);
    if (!fresh.is_ok()) return fresh.status();
    if (!*fresh) return permission_denied("WS-Security nonce was used before (replay)");
  }
  auto answer = [](auto result) -> Result<ReadAnswer> {
    if (!result.is_ok()) return result.status();
    return ReadAnswer{std::move(*result)};
  };
  if (const auto* get = std::get_if<GetBusinessCase>(&request)) {
    return answer(read_case(department, *get));
  }
  if (const auto* get = std::get_if<GetDelivery>(&request)) {
    return answer(
        describe_delivery(parts_.journal, department, get->delivery_id, parts_.registered_rule));
  }
  if (const auto* receipt = std::get_if<GetReceipt>(&request)) {
    return answer(read_receipt(parts_.journal, parts_.documents, department, receipt->receipt_id));
  }
  if (const auto* list = std::get_if<ListEvents>(&request)) {
    auto events = parts_.journal.events(department, list->after_seq, list->max_events);
    if (!events.is_ok()) return events.status();
    EventsAnswer a;
    for (const auto& e : *events) {
      a.events.push_back({e.seq, e.kind, e.business_process_id, e.at_ms, e.detail});
    }
    return ReadAnswer{std::move(a)};
  }
  if (const auto* ack = std::get_if<AckEvents>(&request)) {
    auto n = parts_.journal.ack_events(department, ack->seqs);
    if (!n.is_ok()) return n.status();
    // An acknowledged formSubmitted event releases its take-over: dispatch need not wait for
    // its next round to find it.
    if (*n > 0 && parts_.work_accepted) parts_.work_accepted();
    return ReadAnswer{AckAnswer{*n}};
  }
  if (const auto* get = std::get_if<GetSubmission>(&request)) {
    return answer(
        read_submission(parts_.journal, parts_.documents, department, get->application_id));
  }
  if (const auto* decide = std::get_if<DecideIdentityLink>(&request)) {
    if (!parts_.identity) return failed_precondition("identity links are not served");
    auto link = parts_.identity->decide(department, decide->link_id, decide->approve,
                                        decide->decided_by, decide->reason);
    // Name the field the error is about.
    if (!link.is_ok()) return Status(link.status().code(), "linkId: " + link.status().message());
    return ReadAnswer{IdentityLinkAnswer{link->link_id, link->state, link->account_id,
                                         link->service_id, link->person_ref_category,
                                         link->person_ref_id}};
  }
  return internal_error(std::string(operation_name(request)) + " is not a read");
}

void DepartmentCases::refused(const CallOrigin& origin, const std::string& claimed,
                              const std::string& operation, const std::string& business_process_id,
                              const Status& status) {
  journal::AuditEntry entry;
  entry.department = origin.department ? origin.department->name : claimed;
  entry.remote_address = origin.remote_address;
  entry.operation = operation;
  entry.business_process_id = business_process_id;
  entry.reason = status.message();
  entry.correlation_id = origin.correlation_id;
  if (Status s = parts_.journal.audit(entry); !s.is_ok()) {
    log::error("cannot write audit entry", {{"error", s.to_string()}});
  }
  log::warn("department request refused", {{"operation", entry.operation},
                                           {"department", entry.department},
                                           {"reason", entry.reason},
                                           {"correlation_id", entry.correlation_id}});
}

}  // namespace portier::cases
