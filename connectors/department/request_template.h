#pragma once
// Fills a mapping's request template (core/mapping: ${name} placeholders) with values, each
// escaped for the body it lands in: XML character data for SOAP endpoints, the inside of a
// JSON string for REST ones. A placeholder without a value is an error naming it, so a typo in
// a mapping parks the call instead of sending a half-filled request. Pure; any thread.
#include <map>
#include <string>

#include "core/base/status.h"
#include "core/mapping/mapping.h"

namespace portier::department {

Result<std::string> fill_template(const std::string& text,
                                  const std::map<std::string, std::string>& values,
                                  mapping::Endpoint::Kind kind);

}  // namespace portier::department
