#pragma once
// A web form's data (the XML an AFS form produced, untrusted: it comes from the citizen) mapped
// to the named fields of the department's intake request, as the department's mapping declares
// them (<forms>/<form>/<field select="XPath"/>). Shared by the APF poller and the test vectors.
//
// The form data is parsed by libxml2 without network access, entity substitution or DTD
// loading, and a document with a DOCTYPE is refused outright (an entity defined there would be
// expanded when a value is read). Each field's XPath 1.0 expression is evaluated with the
// form's namespace prefixes; its string value, trimmed, is the field's value. A required field
// that is missing or blank, or a value its table does not list, is an error naming the field.
// Errors are kInvalidArgument: the submission can never be handed on as it is.
// Thread-safe: no state.
#include <map>
#include <string>
#include <string_view>

#include "core/base/status.h"
#include "core/mapping/mapping.h"
#include "core/xml/shape_guard.h"

namespace portier::mapping {

// Form data larger than this is refused before it is parsed.
inline constexpr size_t kMaxFormDataBytes = 1 << 20;

// field name -> value; optional fields that are missing map to "".
using FormFields = std::map<std::string, std::string>;

// The shape guard (`limits`, but at most kMaxFormDataBytes) runs before the parser.
Result<FormFields> map_form_fields(const Forms& forms, const FormRule& rule,
                                   std::string_view form_data, const xml::GuardLimits& limits = {});

// Whether `expression` is a valid XPath 1.0 expression (checked when a mapping is loaded);
// "" if it is, else libxml2's reason.
std::string xpath_problem(const std::string& expression);

}  // namespace portier::mapping
