#include "connectors/portal/portal_wire.h"

#include <boost/json.hpp>

namespace portier::portal {
namespace json = boost::json;

std::optional<PortalRequest> to_portal_request(const model::WorkItem& item) {
  const model::Message& m = item.message;
  if (m.__isset.businessCase) {
    const model::BusinessCase& bc = m.businessCase;
    json::object o{{"businessCaseId", bc.businessCaseId},
                   {"ownerId", bc.ownerId},
                   {"serviceId", bc.serviceId},
                   {"title", bc.title},
                   {"businessProcessId", item.businessProcessId}};
    if (bc.__isset.ourBusinessReferenceId) o["externalReference"] = bc.ourBusinessReferenceId;
    return PortalRequest{"POST", "/businesscases", json::serialize(o)};
  }
  if (m.__isset.statusUpdate) {
    const model::StatusUpdate& s = m.statusUpdate;
    auto name = model::_CaseStatus_VALUES_TO_NAMES.find(s.status);
    json::object o{{"status", name == model::_CaseStatus_VALUES_TO_NAMES.end() ? "" : name->second}};
    if (s.__isset.statusText) o["statusText"] = s.statusText;
    return PortalRequest{"PATCH", "/businesscases/" + s.businessCaseId, json::serialize(o)};
  }
  return std::nullopt;
}

std::string describe_problem(const std::string& body) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    const json::object& o = v.as_object();
    std::string out;
    if (auto* t = o.if_contains("title"); t && t->is_string()) out = std::string(t->as_string());
    if (auto* d = o.if_contains("detail"); d && d->is_string()) {
      out += (out.empty() ? "" : ": ") + std::string(d->as_string());
    }
    if (!out.empty()) return out;
  }
  return body.substr(0, 200);
}

}  // namespace portier::portal
