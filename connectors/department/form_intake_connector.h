#pragma once
// The dispatch connector of the "department" destination: hands a form submission to the
// department application its mapping names, through the mapping's <forms> endpoint and
// template (template-driven SOAP or REST call). Placeholders: ${businessProcessId},
// ${businessCaseId}, ${applicationId}, ${formId}, ${mailbox}, ${ownerId}, ${submittedAt},
// ${pdfSha256}, ${pdfBase64}, ${field.NAME}, and ${personId} and ${personIdCategory}: the
// department's own person reference for the owner and the form's service once an identity check
// has linked them (core/identity/linked_person.h), empty otherwise. Every attempt carries the work item's
// Idempotency-Key and the Business Process ID as headers, so the department can drop a repeat.
// 2xx: delivered; 408, 425, 429, 5xx and transport errors: retried; other statuses or a mapping
// that no longer takes the form: refused (parked). The loader has checked that every
// placeholder of the template is one of these (core/mapping), so each has a value.
//
// Threads: deliver() on dispatch workers, concurrently. The mapping set is read per call, so a
// reload applies to the next attempt.
#include <functional>
#include <memory>

#include "core/base/status.h"
#include "core/dispatch/connector.h"
#include "core/identity/person.h"
#include "core/mapping/mapping.h"

namespace portier::department {

class FormIntakeConnector final : public dispatch::Connector {
 public:
  using Mappings = std::function<std::shared_ptr<const mapping::MappingSet>()>;
  // `path_of`: the file of a stored document (core/documents), for ${pdfBase64}.
  using DocumentPath = std::function<Result<std::string>(const std::string& sha256_hex)>;
  // `linked_person`: the person reference of the owner's active link for the department and
  // service, if any; asked only when the template uses it. An error is retried.
  using LinkedPerson = std::function<Result<std::optional<identity::PersonId>>(
      const std::string& department, const std::string& owner_id, int32_t service_id)>;
  FormIntakeConnector(Mappings mappings, DocumentPath path_of, LinkedPerson linked_person)
      : mappings_(std::move(mappings)),
        path_of_(std::move(path_of)),
        linked_person_(std::move(linked_person)) {}
  dispatch::DeliveryResult deliver(const model::WorkItem& item) override;

 private:
  Mappings mappings_;
  DocumentPath path_of_;
  LinkedPerson linked_person_;
};

}  // namespace portier::department
