#include "connectors/http/problem.h"

#include <boost/json.hpp>

namespace portier::outbound {

std::string describe_problem(const std::string& body) {
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (!ec && v.is_object()) {
    const boost::json::object& o = v.as_object();
    std::string out;
    if (auto* t = o.if_contains("title"); t && t->is_string()) out = std::string(t->as_string());
    if (auto* d = o.if_contains("detail"); d && d->is_string()) {
      out += (out.empty() ? "" : ": ") + std::string(d->as_string());
    }
    if (!out.empty()) return out;
  }
  return body.substr(0, 200);
}

}  // namespace portier::outbound
