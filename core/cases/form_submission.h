#pragma once
// The use case "a citizen submitted a web form" as the AFS mailbox poller records it: one
// journal intake, keyed by the submission (vocabulary.h submission_key), that either hands the
// submission on or parks it with its reason (never taken over in the APF):
//   whole:  [portal: open the business case, unless the form names an existing one of the
//            department]
//           department: the submission (FormSubmission with the mapped fields), pushed, or
//           offered as a formSubmitted event held until acknowledged (delivery="pull")
//           afs:<mailbox>: take it over once the others are done
//   not:    afs:<mailbox> parked with the reason
//
// The "formSubmitted" event that offers a submission to a department that pulls its forms
// (<forms delivery="pull">): what listEvents shows before the department reads the submission
// with getSubmission. Its detail names the application, the form, the Business Process ID and
// the mapped fields; values only of fields the mapping does not mark personal, because events
// are listed in bulk and end up in the department's logs. Pure; any thread.
#include <string>

#include "core/journal/journal.h"
#include "core/mapping/form_fields.h"
#include "core/mapping/mapping.h"
#include "core/model/codec.h"

namespace portier::cases {

// `submission` carries the mapped fields and its Business Process ID is `business_process_id`.
journal::DepartmentEvent form_submitted_event(const model::FormSubmission& submission,
                                              const std::string& business_process_id,
                                              const mapping::DepartmentMapping& department);

// What the poller found out about one submission.
struct PolledSubmission {
  std::string key;                   // submission_key(mailbox, applicationId)
  model::FormSubmission submission;  // mailbox, ids, form, the digests of its kept bytes
  std::string account_owner;         // the APF's portal account of the submitter, if any
  std::string problem;               // why it cannot be handed on as it is ("" if it can)
  const mapping::DepartmentMapping* department = nullptr;  // the mapping that takes the form
  const mapping::FormRule* rule = nullptr;
  mapping::FormFields fields;        // mapped from its form data
};

struct FormIntake {
  journal::Intake intake;
  std::string business_process_id;  // of the case it opens or names; "" if parked at once
  std::string problem;              // the reason it is parked at once; "" otherwise
};

// The intake for `polled`. Its answer says whether it was parked (see was_parked), because a
// form naming a business case of another department is only found parked in the transaction.
FormIntake record_form_submission(PolledSubmission polled, int64_t now_ms);
bool was_parked(const std::string& stored_answer);

}  // namespace portier::cases
