#include "connectors/rc_adapter/rc_wire.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <set>
#include <utility>

namespace portier::rc_adapter {
namespace json = boost::json;

namespace {

constexpr size_t kMaxBusinessProcessIdChars = 128;  // eCH-0058 businessProcessId

// Characters, not bytes, of UTF-8 text.
size_t utf8_length(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

bool is_hex_digest(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The body as a JSON object, or nothing.
std::optional<json::object> object_of(const std::string& body) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// A non-empty string member, or nothing.
std::optional<std::string> string_member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || !v->is_string() || v->as_string().empty()) return std::nullopt;
  return std::string(v->as_string());
}

Status malformed(std::string_view what, std::string_view why) {
  return unavailable("the RC adapter sent a malformed " + std::string(what) + ": " +
                     std::string(why));
}

}  // namespace

Result<std::string> metadata_json(const model::WorkItem& item) {
  const model::Message& m = item.message;
  if (!m.__isset.documentDelivery) {
    return invalid_argument("the RC adapter takes no " + model::kind_of(m) + " messages");
  }
  const model::DocumentDelivery& d = m.documentDelivery;
  if (d.channel != model::DeliveryChannel::INBOX) {
    return invalid_argument("channel: the RC adapter delivers to the e-account inbox only");
  }
  std::vector<std::string> problems;
  auto require = [&problems](bool ok, const char* why) {
    if (!ok) problems.emplace_back(why);
  };
  require(!item.businessProcessId.empty(), "businessProcessId: is required");
  require(utf8_length(item.businessProcessId) <= kMaxBusinessProcessIdChars,
          "businessProcessId: must be at most 128 characters");
  require(d.__isset.ownerId && !d.ownerId.empty(), "ownerId: is required");
  require(d.__isset.serviceId, "serviceId: is required");
  require(!d.title.empty(), "title: is required");
  require(!d.documentKind.empty(), "documentKind: is required");
  require(!d.fileName.empty(), "fileName: is required");
  require(is_hex_digest(d.documentSha256), "documentSha256: must be 64 hexadecimal digits");
  require(d.sizeBytes > 0, "sizeBytes: must be positive");
  require(!item.idempotencyKey.empty(), "idempotencyKey: is required (the clientRequestId)");
  if (!problems.empty()) {
    std::string why;
    for (const std::string& p : problems) why += (why.empty() ? "" : "; ") + p;
    return invalid_argument("document delivery " + d.deliveryId + ": " + why);
  }

  json::object o;
  o["businessProcessId"] = item.businessProcessId;
  if (d.__isset.businessCaseId && !d.businessCaseId.empty()) {
    o["businessCaseId"] = d.businessCaseId;
  }
  o["ownerId"] = d.ownerId;
  o["serviceId"] = d.serviceId;
  o["title"] = d.title;
  o["documentKind"] = d.documentKind;
  o["fileName"] = d.fileName;
  o["sha256"] = lower(d.documentSha256);
  o["sizeBytes"] = d.sizeBytes;
  o["important"] = d.important;
  o["clientRequestId"] = item.idempotencyKey;
  return json::serialize(o);
}

std::vector<outbound::FormPart> upload_parts(std::string metadata,
                                             const model::DocumentDelivery& delivery,
                                             const std::string& file_path) {
  std::vector<outbound::FormPart> parts(2);
  parts[0].name = "metadata";
  parts[0].content_type = "application/json";
  parts[0].data = std::move(metadata);
  parts[1].name = "file";
  parts[1].content_type = "application/pdf";
  parts[1].file_path = file_path;
  parts[1].file_name = delivery.fileName;
  return parts;
}

Result<Accepted> parse_accepted(const std::string& body) {
  std::optional<json::object> o = object_of(body);
  if (!o) return malformed("upload answer", "not a JSON object");
  std::optional<std::string> id = string_member(*o, "deliveryId");
  if (!id) return malformed("upload answer", "no deliveryId");
  return Accepted{std::move(*id), string_member(*o, "status").value_or("")};
}

std::string status_path(const std::string& delivery_id) {
  return std::string(kDocumentsPath) + "/" + outbound::url_encode(delivery_id);
}

Result<DeliveryStatus> parse_status(const std::string& body) {
  static const std::set<std::string> kStatuses = {"ACCEPTED", "STORED_IN_INBOX", "READ",
                                                  "REJECTED"};
  std::optional<json::object> o = object_of(body);
  if (!o) return malformed("delivery status", "not a JSON object");
  DeliveryStatus s;
  std::optional<std::string> id = string_member(*o, "deliveryId");
  std::optional<std::string> status = string_member(*o, "status");
  if (!id) return malformed("delivery status", "no deliveryId");
  if (!status || !kStatuses.contains(*status)) {
    return malformed(
        "delivery status",
        "status is not one of " + std::string("ACCEPTED, STORED_IN_INBOX, READ, REJECTED"));
  }
  s.delivery_id = std::move(*id);
  s.status = std::move(*status);
  if (s.status == "REJECTED") s.reason = string_member(*o, "reason").value_or("");
  return s;
}


}  // namespace portier::rc_adapter
