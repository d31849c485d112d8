#pragma once
// Reads a department's answer to an identity check by its mapping's <answer> paths: XPath 1.0
// into a SOAP envelope (libxml2; a document with a DTD is refused before any value is read, so
// no entity is ever expanded) or JSON Pointers into a JSON body (Boost.JSON, depth-limited).
// Pure functions; any thread.
#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"
#include "core/mapping/mapping.h"
#include "core/xml/shape_guard.h"

namespace portier::department {

struct AnswerFields {
  std::string result;                  // as the department wrote it
  std::string person_id;
  std::string person_id_category;
  std::vector<std::string> matched_on;
};

// kInvalidArgument if the body cannot be read or a path is malformed; missing values are empty.
// The shape guard (`limits`, but at most 1 MiB) runs before the parser.
Result<AnswerFields> read_xml_answer(std::string_view body, const mapping::IdentityAnswer& rules,
                                     const xml::GuardLimits& limits = {});
Result<AnswerFields> read_json_answer(std::string_view body, const mapping::IdentityAnswer& rules);

}  // namespace portier::department
