#include "core/cases/submissions.h"

#include "core/cases/deliveries.h"

namespace portier::cases {

Result<SubmissionAnswer> read_submission(journal::Journal& journal,
                                         const documents::DocumentStore* documents,
                                         const std::string& department,
                                         const std::string& application_id) {
  auto held = journal.held_item(journal::kFormSubmittedEvent, application_id);
  if (!held.is_ok()) return held.status();
  if (!*held || !(*held)->item.item.message.__isset.formSubmission) {
    return not_found("applicationId '" + application_id + "' is not known");
  }
  if ((*held)->event.department != department) {
    return permission_denied("applicationId '" + application_id +
                             "' belongs to another department");
  }
  if (!documents) return failed_precondition("documents are not configured");
  const model::FormSubmission& f = (*held)->item.item.message.formSubmission;
  SubmissionAnswer a;
  a.application_id = f.submissionId;
  a.form_id = f.formId;
  a.mailbox = f.mailbox;
  a.business_process_id = (*held)->event.business_process_id;
  a.business_case_id = f.businessCaseId;
  a.submitted_ms = f.__isset.submittedAtMs ? f.submittedAtMs : 0;
  a.fields.assign(f.fields.begin(), f.fields.end());
  a.acknowledged = (*held)->acknowledged;
  auto file = [&](const std::string& sha) -> Result<SubmittedFile> {
    auto bytes = read_stored(*documents, sha);
    if (!bytes.is_ok()) return bytes.status();
    return SubmittedFile{sha, std::move(*bytes)};
  };
  auto form_data = file(f.payloadSha256);
  if (!form_data.is_ok()) return form_data.status();
  a.form_data = std::move(*form_data);
  if (f.__isset.pdfSha256 && !f.pdfSha256.empty()) {
    auto pdf = file(f.pdfSha256);
    if (!pdf.is_ok()) return pdf.status();
    a.pdf = std::move(*pdf);
  }
  for (const std::string& sha : f.attachmentSha256s) {
    auto attachment = file(sha);
    if (!attachment.is_ok()) return attachment.status();
    a.attachments.push_back(std::move(*attachment));
  }
  return a;
}

}  // namespace portier::cases
