#include "connectors/department/request_template.h"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace portier::department {
namespace {

std::string xml_escaped(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Boost.JSON writes the string with its quotes; the template supplies those itself.
std::string json_escaped(const std::string& v) {
  std::string quoted = boost::json::serialize(boost::json::string(v));
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace

Result<std::string> fill_template(const std::string& text,
                                  const std::map<std::string, std::string>& values,
                                  mapping::Endpoint::Kind kind) {
  std::string out;
  size_t at = 0;
  for (size_t open = text.find("${"); open != std::string::npos; open = text.find("${", at)) {
    size_t close = text.find('}', open + 2);
    if (close == std::string::npos) return invalid_argument("template: unclosed ${");
    out.append(text, at, open - at);
    const std::string name = text.substr(open + 2, close - open - 2);
    auto value = values.find(name);
    if (value == values.end()) {
      return invalid_argument("template: no value for ${" + name + "}");
    }
    out += kind == mapping::Endpoint::Kind::kRest ? json_escaped(value->second)
                                                  : xml_escaped(value->second);
    at = close + 1;
  }
  out.append(text, at, std::string::npos);
  return out;
}

}  // namespace portier::department
