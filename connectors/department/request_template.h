#pragma once
// Fills a mapping's request template: every ${name} becomes its value, escaped for where it
// lands (XML text for SOAP endpoints, JSON string content for REST ones). Placeholders without
// a value become empty. Pure functions; any thread.
#include <map>
#include <string>
#include <string_view>

namespace portier::department {

enum class Escaping { kXml, kJson };

std::string fill_template(std::string_view text, const std::map<std::string, std::string>& values,
                          Escaping escaping);

}  // namespace portier::department
