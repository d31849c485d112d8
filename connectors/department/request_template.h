#pragma once
// Fills a mapping's request template: every ${name} becomes its value. Placeholders without a
// value become empty.
//  * JSON (REST endpoints): the value is written as JSON string content by Boost.JSON.
//  * XML (SOAP endpoints): the template (trusted, from the mapping file) is parsed by libxml2,
//    the placeholders in its text and attribute values are replaced in the tree, and libxml2
//    writes the result, escaping what needs it; no value is ever pasted into XML text. A value
//    with a character that XML 1.0 cannot carry (a control character other than tab, line feed
//    and carriage return) is refused with kInvalidArgument naming the placeholder, as is a
//    template that is not well-formed XML.
// Pure functions; any thread.
#include <map>
#include <string>
#include <string_view>

#include "core/base/status.h"

namespace portier::department {

using TemplateValues = std::map<std::string, std::string>;

std::string fill_json_template(std::string_view text, const TemplateValues& values);

enum class XmlFrame {
  kFragment,    // the filled template alone, without an XML declaration
  kSoap11Body,  // inside a SOAP 1.1 Envelope's Body, with an XML declaration (UTF-8)
};
Result<std::string> fill_xml_template(std::string_view text, const TemplateValues& values,
                                      XmlFrame frame);

// The first character of `value` that XML 1.0 cannot carry, as "U+0001", or "" if none.
std::string forbidden_xml_character(std::string_view value);

}  // namespace portier::department
