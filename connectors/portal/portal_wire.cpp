#include "connectors/portal/portal_wire.h"

#include <boost/json.hpp>
#include <ctime>
#include <limits>

#include "connectors/http/http_client.h"
#include "core/base/clock.h"

namespace portier::portal {
namespace json = boost::json;

namespace {

// A string member, or nothing if absent, null or of another type.
std::optional<std::string> string_member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

// An integer member, or nothing if absent or not an integer.
std::optional<int64_t> int_member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v->as_uint64());
  }
  return std::nullopt;
}

// The body as a JSON object, or nothing.
std::optional<json::object> object_of(const std::string& body) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

Status malformed(std::string_view what, std::string_view why) {
  return unavailable("the portal sent a malformed " + std::string(what) + ": " + std::string(why));
}

}  // namespace

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
    json::object o{
        {"status", name == model::_CaseStatus_VALUES_TO_NAMES.end() ? "" : name->second}};
    if (s.__isset.statusText) o["statusText"] = s.statusText;
    return PortalRequest{"PATCH", "/businesscases/" + s.businessCaseId, json::serialize(o)};
  }
  if (m.__isset.activity) {
    // The real egov4 field names, in the order of the docs; the portal assigns id, createdBy
    // and creationStamp.
    const model::Activity& a = m.activity;
    json::object o{{"ownerId", a.ownerId}, {"title", a.title}, {"body", a.body}, {"type", a.type}};
    if (a.__isset.target) o["target"] = a.target;
    if (a.__isset.event) o["event"] = a.event;
    if (a.__isset.moduleName) o["module"] = a.moduleName;
    if (a.__isset.objectId) o["objectId"] = a.objectId;
    if (!a.businessCaseId.empty()) o["businessCaseId"] = a.businessCaseId;
    if (a.__isset.serviceId) o["serviceId"] = a.serviceId;
    if (a.__isset.relatedProfileId) o["relatedProfileId"] = a.relatedProfileId;
    if (a.__isset.displayStampMs) o["displayStamp"] = format_utc(a.displayStampMs);
    return PortalRequest{"POST", "/activities", json::serialize(o)};
  }
  if (m.__isset.notification) {
    const model::Notification& n = m.notification;
    json::object o{{"ownerId", n.ownerId}};
    if (n.__isset.businessCaseId) o["businessCaseId"] = n.businessCaseId;
    o["subject"] = n.subject;
    o["body"] = n.body;
    o["important"] = n.important;
    return PortalRequest{"POST", "/notifications", json::serialize(o)};
  }
  if (m.__isset.inboxMessage) {
    const model::InboxMessage& im = m.inboxMessage;
    json::object o{{"ownerId", im.ownerId}};
    if (!im.businessCaseId.empty()) o["businessCaseId"] = im.businessCaseId;
    o["subject"] = im.subject;
    o["body"] = im.body;
    o["important"] = im.important;
    o["documents"] = json::array();  // documents go by the RC adapter, not with the message
    return PortalRequest{"POST", "/messages", json::serialize(o)};
  }
  return std::nullopt;
}

PortalRequest case_request(const std::string& business_case_id) {
  return PortalRequest{"GET", "/businesscases/" + outbound::url_encode(business_case_id), ""};
}

PortalRequest events_request(int64_t cursor, int limit) {
  return PortalRequest{
      "GET",
      "/notifications/feed?after=" + std::to_string(cursor) + "&limit=" + std::to_string(limit),
      ""};
}

Result<query::PortalCase> parse_case(const std::string& body) {
  std::optional<json::object> o = object_of(body);
  if (!o) return malformed("business case", "not a JSON object");
  query::PortalCase c;
  std::optional<std::string> id = string_member(*o, "businessCaseId");
  std::optional<std::string> status = string_member(*o, "status");
  if (!id || !status) return malformed("business case", "businessCaseId or status missing");
  c.business_case_id = *id;
  c.status = *status;
  c.status_text = string_member(*o, "statusText").value_or("");
  c.owner_id = string_member(*o, "ownerId").value_or("");
  c.title = string_member(*o, "title").value_or("");
  c.business_process_id = string_member(*o, "businessProcessId").value_or("");
  if (auto service = int_member(*o, "serviceId")) {
    if (*service < std::numeric_limits<int32_t>::min() ||
        *service > std::numeric_limits<int32_t>::max()) {
      return malformed("business case", "serviceId is not an int32");
    }
    c.service_id = static_cast<int32_t>(*service);
  }
  if (const json::value* history = o->if_contains("history");
      history != nullptr && !history->is_null()) {
    if (!history->is_array()) return malformed("business case", "history is not an array");
    for (const json::value& h : history->as_array()) {
      if (!h.is_object()) return malformed("business case", "a history entry is not an object");
      const json::object& entry = h.as_object();
      std::optional<std::string> entry_status = string_member(entry, "status");
      std::optional<std::string> at = string_member(entry, "at");
      std::optional<int64_t> at_ms = at ? parse_rfc3339(*at) : std::nullopt;
      if (!entry_status || !at_ms) {
        return malformed("business case", "a history entry lacks status or an RFC 3339 at");
      }
      c.history.push_back({*entry_status, string_member(entry, "statusText").value_or(""), *at_ms});
    }
  }
  return c;
}

Result<std::vector<query::PortalEvent>> parse_events(const std::string& body) {
  std::optional<json::object> o = object_of(body);
  const json::value* events = o ? o->if_contains("events") : nullptr;
  if (events == nullptr || !events->is_array()) return malformed("event feed", "no events array");
  std::vector<query::PortalEvent> out;
  out.reserve(events->as_array().size());
  for (const json::value& e : events->as_array()) {
    if (!e.is_object()) return malformed("event feed", "an event is not an object");
    const json::object& event = e.as_object();
    std::optional<int64_t> cursor = int_member(event, "cursor");
    std::optional<std::string> kind = string_member(event, "kind");
    std::optional<std::string> at = string_member(event, "at");
    std::optional<int64_t> at_ms = at ? parse_rfc3339(*at) : std::nullopt;
    if (!cursor || !kind || !at_ms) {
      return malformed("event feed", "an event lacks cursor, kind or an RFC 3339 at");
    }
    query::PortalEvent p;
    p.cursor = *cursor;
    p.kind = *kind;
    p.message_id = string_member(event, "messageId").value_or("");
    p.business_case_id = string_member(event, "businessCaseId").value_or("");
    p.at_ms = *at_ms;
    out.push_back(std::move(p));
  }
  return out;
}


}  // namespace portier::portal
