#pragma once
// What every request must satisfy before any use case looks at it, whatever protocol carried
// it: required texts not empty, lengths and ranges as the published contracts
// state them, a document's date a real calendar day. The first problem found is returned as
// kInvalidArgument naming the field as "element '<operation>/<path>'". A protocol whose parser
// checks a schema already finds most of this; the checks then find nothing new. Pure; any thread.
#include <string>

#include "core/base/status.h"
#include "core/cases/requests.h"

namespace portier::cases {

// Every rule: emptiness, then lengths and ranges, then formats.
Status check_request(const DepartmentRequest& request);

// Only the required texts that must not be empty, for a protocol whose schema reading checks
// everything else but lets an empty element pass.
Status check_required_texts(const DepartmentRequest& request);

}  // namespace portier::cases
