#pragma once
// getSubmission: a web form submission offered to a department that pulls its forms, read from
// its held take-over (journal: the formSubmitted event and the FormSubmission it holds) and the
// document store (form data, PDF, attachments, by the digests recorded when it was polled).
// Only the department the event is for may read it; reading changes nothing, so the department
// may read it as often as it needs before it acknowledges the event.
// Threads: blocking; on a worker pool.
#include <string>

#include "core/cases/requests.h"
#include "core/base/status.h"
#include "core/documents/document_store.h"
#include "core/journal/journal.h"

namespace portier::cases {

// kNotFound (unknown applicationId), kPermissionDenied (another department's), both naming the
// field; kFailedPrecondition if documents are not configured.
Result<SubmissionAnswer> read_submission(journal::Journal& journal,
                                         const documents::DocumentStore* documents,
                                         const std::string& department,
                                         const std::string& application_id);

}  // namespace portier::cases
