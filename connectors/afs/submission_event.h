#pragma once
// The "formSubmitted" event that offers a submission to a department that pulls its forms
// (<forms delivery="pull">): what listEvents shows before the department reads the submission
// with getSubmission. Its detail names the application, the form, the Business Process ID and
// the mapped fields; values only of fields the mapping does not mark personal, because events
// are listed in bulk and end up in the department's logs. Pure; any thread.
#include "core/journal/journal.h"
#include "core/mapping/mapping.h"
#include "core/model/codec.h"

namespace portier::afs {

// `submission` carries the mapped fields and its Business Process ID is `business_process_id`.
journal::DepartmentEvent form_submitted_event(const model::FormSubmission& submission,
                                              const std::string& business_process_id,
                                              const mapping::DepartmentMapping& department);

}  // namespace portier::afs
