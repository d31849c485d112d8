#include "connectors/department/request_template.h"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace portier::department {
namespace {

std::string escape_xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

// The string's JSON form without its quotes, by Boost.JSON's own serializer.
std::string escape_json(std::string_view s) {
  std::string quoted = boost::json::serialize(boost::json::string(s));
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace

std::string fill_template(std::string_view text, const std::map<std::string, std::string>& values,
                          Escaping escaping) {
  std::string out;
  size_t at = 0;
  for (;;) {
    size_t open = text.find("${", at);
    size_t close = open == std::string_view::npos ? open : text.find('}', open + 2);
    if (close == std::string_view::npos) {
      out.append(text.substr(at));
      return out;
    }
    out.append(text.substr(at, open - at));
    auto found = values.find(std::string(text.substr(open + 2, close - open - 2)));
    if (found != values.end()) {
      out += escaping == Escaping::kXml ? escape_xml(found->second) : escape_json(found->second);
    }
    at = close + 1;
  }
}

}  // namespace portier::department
