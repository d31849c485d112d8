#include "connectors/afs/submission_event.h"

#include <boost/json.hpp>

namespace portier::afs {

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

}  // namespace portier::afs
