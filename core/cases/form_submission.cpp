#include "core/cases/form_submission.h"

#include <boost/json.hpp>

#include "core/base/digest.h"
#include "core/cases/vocabulary.h"

namespace portier::cases {

journal::DepartmentEvent form_submitted_event(const model::FormSubmission& submission,
                                              const std::string& business_process_id,
                                              const mapping::DepartmentMapping& department) {
  boost::json::object detail;
  detail["applicationId"] = submission.submissionId;
  detail["formId"] = submission.formId;
  detail["mailbox"] = submission.mailbox;
  detail["businessProcessId"] = business_process_id;
  boost::json::array names;
  boost::json::object values;
  for (const auto& [name, value] : submission.fields) {
    names.emplace_back(name);
    if (!department.personal_fields.contains(name)) values[name] = value;
  }
  detail["fields"] = std::move(names);
  detail["values"] = std::move(values);
  journal::DepartmentEvent event;
  event.department = department.name;
  event.kind = journal::kFormSubmittedEvent;
  event.business_process_id = business_process_id;
  event.detail = boost::json::serialize(detail);
  return event;
}

namespace {

constexpr char kOperation[] = "afs:submission";
constexpr char kParked[] = "{\"outcome\":\"parked\"}";
constexpr char kRecorded[] = "{\"outcome\":\"recorded\"}";

}  // namespace

bool was_parked(const std::string& stored_answer) {
  return stored_answer.find("parked") != std::string::npos;
}

std::string takeover_destination(const std::string& mailbox) { return "afs:" + mailbox; }

std::string submission_key(const std::string& mailbox, const std::string& application_id) {
  return "afs/" + mailbox + "/" + application_id;
}

FormIntake record_form_submission(PolledSubmission polled, int64_t now_ms) {
  model::FormSubmission& submission = polled.submission;
  std::string owner = polled.account_owner;
  std::string bpid;
  std::string problem = polled.problem;
  if (problem.empty()) {
    if (auto f = polled.fields.find("ownerId"); f != polled.fields.end() && !f->second.empty()) {
      owner = f->second;
    }
    if (auto f = polled.fields.find("businessProcessId"); f != polled.fields.end()) {
      bpid = f->second;
    }
    if (owner.empty() && bpid.empty())
      problem = "no portal account (ownerId) for the business case";
  }
  submission.__set_ownerId(owner);

  FormIntake out;
  journal::Intake& in = out.intake;
  in.idempotency_key = polled.key;
  in.department = polled.department != nullptr ? polled.department->name : "";
  in.correlation_id = random_uuid();
  in.operation = kOperation;
  in.request_sha256 =
      submission.payloadSha256.empty() ? sha256_hex(polled.key) : submission.payloadSha256;
  const std::string takeover = takeover_destination(submission.mailbox);
  if (!problem.empty()) {
    out.problem = problem;
    in.build = [submission, takeover,
                why = problem](journal::IntakeTransaction& txn) -> Result<std::string> {
      model::Message m;
      m.__set_formSubmission(submission);
      txn.enqueue_parked(takeover, m, "submission parked: " + why);
      return std::string(kParked);
    };
    return out;
  }
  const mapping::DepartmentMapping& department = *polled.department;
  const bool existing_case = !bpid.empty();
  if (!existing_case) bpid = "bp-" + random_uuid();
  in.business_process_id = bpid;
  out.business_process_id = bpid;
  submission.__set_fields(polled.fields);
  submission.fields["businessProcessId"] = bpid;
  submission.__set_serviceId(polled.rule->service_id);
  journal::BusinessCaseRecord record{bpid,  random_uuid(), department.name, polled.rule->service_id,
                                     owner, now_ms};
  // A department that pulls is offered the submission as an event that holds the take-over
  // until it is acknowledged; one that takes pushes gets it sent, and the take-over follows.
  std::optional<journal::DepartmentEvent> offer;
  if (department.forms->delivery == mapping::Forms::Delivery::kPull) {
    offer = form_submitted_event(submission, bpid, department);
  }
  in.build = [submission, record, existing_case, takeover, offer, title = polled.rule->title](
                 journal::IntakeTransaction& txn) mutable -> Result<std::string> {
    model::Message m;
    if (existing_case) {
      auto c = txn.find_case(record.business_process_id);
      if (!c || c->department != record.department) {
        m.__set_formSubmission(submission);
        txn.enqueue_parked(takeover, m,
                           "submission parked: the form names Business Process ID " +
                               record.business_process_id + ", not a business case of " +
                               record.department);
        return std::string(kParked);
      }
      record = *c;
    } else {
      txn.open_case(record);
      model::BusinessCase bc;
      bc.businessCaseId = record.business_case_id;
      bc.serviceId = record.service_id;
      bc.ownerId = record.owner_id;
      bc.title = title;
      bc.__set_ourBusinessReferenceId(submission.submissionId);
      model::Message open;
      open.__set_businessCase(bc);
      txn.enqueue(kPortalDestination, open);
    }
    submission.__set_businessCaseId(record.business_case_id);
    if (submission.ownerId.empty()) submission.__set_ownerId(record.owner_id);
    m.__set_formSubmission(submission);
    if (offer) {
      txn.hold_until_acknowledged(
          takeover, m, "waiting for " + record.department + " to acknowledge formSubmitted", *offer,
          submission.submissionId);
    } else {
      txn.enqueue(kDepartmentDestination, m);
      txn.enqueue(takeover, m);
    }
    return std::string(kRecorded);
  };
  return out;
}

}  // namespace portier::cases
