#pragma once
// What every request must satisfy before any use case looks at it, whatever protocol carried
// it: required texts not empty, lengths and ranges as the published contracts (WSDL, Thrift IDL)
// state them, a document's date a real calendar day. The first problem found is returned as
// kInvalidArgument naming the field as "element '<operation>/<path>'". A SOAP request meets most
// of this already in gSOAP's strict schema reading; the checks then find nothing new. Pure; any
// thread.
#include <string>

#include "core/base/status.h"
#include "core/cases/requests.h"

namespace portier::cases {

// Every rule: emptiness, then lengths and ranges, then formats.
Status check_request(const DepartmentRequest& request);

// Only the required texts that must not be empty (gSOAP checks minLength only on elements with
// content, so a SOAP codec asks for this part alone).
Status check_required_texts(const DepartmentRequest& request);

}  // namespace portier::cases
