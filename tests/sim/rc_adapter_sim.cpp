#include "tests/sim/rc_adapter_sim.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "core/base/digest.h"
#include "tests/sim/replies.h"

namespace portier::sim {
namespace {

namespace json = boost::json;

constexpr size_t kMaxBusinessProcessIdChars = 128;  // eCH-0058 businessProcessId
constexpr size_t kMaxClientRequestIdChars = 200;
constexpr size_t kMaxIdChars = 200;
constexpr size_t kMaxTitleChars = 255;
constexpr size_t kMaxDocumentKindChars = 100;
constexpr size_t kMaxFileNameChars = 255;
constexpr size_t kMaxParts = 16;
constexpr size_t kMaxPartHeaderBytes = 8 * 1024;

const std::set<std::string>& metadata_fields() {
  static const std::set<std::string> kFields = {
      "businessProcessId", "businessCaseId", "ownerId",  "serviceId", "title",
      "documentKind",      "fileName",       "language", "sha256",    "sizeBytes",
      "important",         "clientRequestId"};
  return kFields;
}

const std::set<std::string>& languages() {
  static const std::set<std::string> kLanguages = {"de", "fr", "it", "rm", "en"};
  return kLanguages;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

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

// The naming rule of issue 4 (ASCII letters, digits, '-', '_', '.'), ending in ".pdf".
bool is_document_file_name(std::string_view s) {
  if (s.size() < 5 || s.size() > kMaxFileNameChars || s.front() == '.') return false;
  bool plain = std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
  return plain && lower(std::string(s.substr(s.size() - 4))) == ".pdf";
}

// The media type of a Content-Type value, lower case, without parameters.
std::string media_type(std::string_view content_type) {
  return lower(std::string(trim(content_type.substr(0, content_type.find(';')))));
}

// The parameters of a header value such as `form-data; name="file"; filename="a.pdf"`, names
// in lower case, quoted values unquoted. Nothing if a quoted value is not closed.
std::optional<std::map<std::string, std::string>> header_params(std::string_view value) {
  std::map<std::string, std::string> params;
  size_t pos = value.find(';');
  while (pos != std::string_view::npos && pos < value.size()) {
    ++pos;  // past ';'
    size_t eq = value.find('=', pos);
    size_t semicolon = value.find(';', pos);
    if (eq == std::string_view::npos || (semicolon != std::string_view::npos && semicolon < eq)) {
      pos = semicolon;  // a parameter without value: skipped
      continue;
    }
    std::string name = lower(std::string(trim(value.substr(pos, eq - pos))));
    pos = eq + 1;
    while (pos < value.size() && (value[pos] == ' ' || value[pos] == '\t')) ++pos;
    std::string text;
    if (pos < value.size() && value[pos] == '"') {
      ++pos;
      bool closed = false;
      for (; pos < value.size(); ++pos) {
        if (value[pos] == '\\' && pos + 1 < value.size()) {
          text.push_back(value[++pos]);
        } else if (value[pos] == '"') {
          closed = true;
          ++pos;
          break;
        } else {
          text.push_back(value[pos]);
        }
      }
      if (!closed) return std::nullopt;
      pos = value.find(';', pos);
    } else {
      semicolon = value.find(';', pos);
      text = std::string(trim(value.substr(pos, semicolon - pos)));
      pos = semicolon;
    }
    params.try_emplace(std::move(name), std::move(text));
  }
  return params;
}

// One part of a multipart/form-data body; `data` points into the body.
struct FormPart {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
  std::string_view data;
};

// The boundary of a multipart/form-data Content-Type, or nothing if it is another type.
std::optional<std::string> form_boundary(std::string_view content_type) {
  if (media_type(content_type) != "multipart/form-data") return std::nullopt;
  auto params = header_params(content_type);
  if (!params) return std::nullopt;
  auto it = params->find("boundary");
  if (it == params->end() || it->second.empty() || it->second.size() > 70) return std::nullopt;
  return it->second;
}

// The parts of a multipart/form-data body (RFC 7578, RFC 2046 §5.1.1), or nothing if the body
// is malformed: no opening or closing delimiter, a part without a form-data name, too many parts.
std::optional<std::vector<FormPart>> parse_form(std::string_view body,
                                                const std::string& boundary) {
  const std::string delimiter = "--" + boundary;
  const std::string next = "\r\n" + delimiter;
  size_t pos = 0;
  if (!body.starts_with(delimiter)) {  // a preamble before the first delimiter
    pos = body.find(next);
    if (pos == std::string_view::npos) return std::nullopt;
    pos += 2;
  }
  pos += delimiter.size();
  std::vector<FormPart> parts;
  for (;;) {
    if (body.substr(pos, 2) == "--") return parts;  // the close delimiter
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n" || parts.size() == kMaxParts) return std::nullopt;
    pos += 2;
    size_t headers_end = body.substr(pos, 2) == "\r\n" ? pos : body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos || headers_end - pos > kMaxPartHeaderBytes) {
      return std::nullopt;
    }
    std::string_view headers = body.substr(pos, headers_end - pos);
    size_t data_start = headers_end + (headers_end == pos ? 2 : 4);
    size_t data_end = body.find(next, data_start);
    if (data_end == std::string_view::npos) return std::nullopt;

    FormPart part;
    part.data = body.substr(data_start, data_end - data_start);
    bool form_data = false;
    while (!headers.empty()) {
      size_t eol = headers.find("\r\n");
      std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) return std::nullopt;
      std::string name = lower(std::string(trim(line.substr(0, colon))));
      std::string_view value = trim(line.substr(colon + 1));
      if (name == "content-disposition") {
        if (media_type(value) != "form-data") return std::nullopt;
        auto params = header_params(value);
        if (!params || !params->contains("name")) return std::nullopt;
        form_data = true;
        part.name = (*params)["name"];
        if (auto f = params->find("filename"); f != params->end()) part.filename = f->second;
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    if (!form_data) return std::nullopt;
    parts.push_back(std::move(part));
    pos = data_end + next.size();
  }
}

void add_error(json::object& errors, std::string_view field, std::string_view message) {
  errors[field].emplace_array().emplace_back(json::string(message));
}

// A string member: required ones must be present and not empty; at most `max_chars`
// characters. Nothing (and an error naming the field, if invalid) otherwise.
std::optional<std::string> string_member(const json::object& o, const char* field, bool required,
                                         size_t max_chars, json::object& errors) {
  const json::value* v = o.if_contains(field);
  if (v == nullptr || v->is_null()) {
    if (required) add_error(errors, field, "is required");
  } else if (!v->is_string()) {
    add_error(errors, field, required ? "must be a string" : "must be a string or null");
  } else if (v->as_string().empty()) {
    add_error(errors, field, "must not be empty");
  } else if (utf8_length(v->as_string()) > max_chars) {
    add_error(errors, field, "must be at most " + std::to_string(max_chars) + " characters");
  } else {
    return std::string(v->as_string());
  }
  return std::nullopt;
}

// JSON answer with the Location of a delivery.
http::Response created_reply(unsigned status, const std::string& body, const std::string& id) {
  http::Response r = http::Response::json(status, body);
  r.headers.emplace_back("Location", std::string(RcAdapterSim::kDocumentsPath) + "/" + id);
  return r;
}

// The body of a control call as a JSON object (an empty body is {}), or nothing.
std::optional<json::object> control_body(const http::Request& request) {
  if (trim(request.body).empty()) return json::object();
  auto parsed = parse_json(request.body);
  if (!parsed || !parsed->is_object()) return std::nullopt;
  return std::move(parsed->as_object());
}

json::value optional_time(const std::optional<int64_t>& ms) {
  if (!ms) return nullptr;
  return json::string(format_utc(*ms));
}

json::value id_list(const std::optional<std::set<std::string>>& ids) {
  if (!ids) return nullptr;
  json::array a;
  for (const std::string& id : *ids) a.emplace_back(json::string(id));
  return a;
}

}  // namespace

// A checked upload, parsed outside the lock.
struct RcAdapterSim::Upload {
  json::object metadata;
  std::string client_request_id;
  std::string owner_id;
  std::string business_process_id;
  std::string claimed_sha256;  // lower case
  uint64_t claimed_size = 0;
  std::string file_name;
  std::string content;
  std::string sha256;  // of `content`
  std::string fingerprint;
};

RcAdapterSim::RcAdapterSim(RcAdapterSimOptions options, BearerCheck authorize, const Clock& clock)
    : options_(std::move(options)),
      authorize_(std::move(authorize)),
      clock_(clock),
      owner_ids_(options_.owner_ids),
      business_process_ids_(options_.business_process_ids) {
  if (!authorize_) throw std::logic_error("RcAdapterSim: a BearerCheck is required");
}

void RcAdapterSim::register_routes(http::Router& router) {
  router.add("POST", kDocumentsPath,
             [this](http::Request request, http::Respond respond) { upload(request, respond); });
  router.add("GET", std::string(kDocumentsPath) + "/",
             [this](http::Request request, http::Respond respond) { status(request, respond); });
}

void RcAdapterSim::register_control_routes(http::Router& router) {
  auto control = [this](void (RcAdapterSim::*handler)(const http::Request&, const http::Respond&)) {
    return [this, handler](http::Request request, http::Respond respond) {
      (this->*handler)(request, respond);
    };
  };
  router.add("POST", kStorePath, control(&RcAdapterSim::store_control));
  router.add("POST", kReadPath, control(&RcAdapterSim::read_control));
  router.add("POST", kRejectPath, control(&RcAdapterSim::reject_control));
  router.add("POST", kKnownPath, control(&RcAdapterSim::known_control));
  router.add("GET", kFilesPath, control(&RcAdapterSim::file_control));
}

void RcAdapterSim::upload(const http::Request& request, const http::Respond& respond) {
  if (auto denied = authorize_(request, kScope)) return respond(std::move(*denied));

  std::string content_type = request.header("Content-Type");
  std::optional<std::string> boundary = form_boundary(content_type);
  if (!boundary) {
    return respond(problem_reply(415, "Content-Type: must be multipart/form-data with a boundary"));
  }
  std::optional<std::vector<FormPart>> parts = parse_form(request.body, *boundary);
  if (!parts) return respond(problem_reply(400, "body: malformed multipart/form-data"));

  json::object errors;
  const FormPart* metadata_part = nullptr;
  const FormPart* file_part = nullptr;
  for (const FormPart& part : *parts) {
    const FormPart** slot = part.name == "metadata" ? &metadata_part
                            : part.name == "file"   ? &file_part
                                                    : nullptr;
    if (slot == nullptr) {
      add_error(errors, part.name, "is not a part of this call (metadata, file)");
    } else if (*slot != nullptr) {
      add_error(errors, part.name, "must appear once");
    } else {
      *slot = &part;
    }
  }
  if (metadata_part == nullptr) add_error(errors, "metadata", "is required");
  if (file_part == nullptr) add_error(errors, "file", "is required");
  std::optional<json::value> parsed;
  if (metadata_part != nullptr) {
    parsed = parse_json(metadata_part->data);
    if (!parsed || !parsed->is_object()) {
      add_error(errors, "metadata", "must be a JSON object");
      parsed.reset();
    }
  }
  if (!errors.empty() || !parsed) return respond(validation_problem(errors));

  // The metadata, field by field.
  Upload u;
  u.metadata = std::move(parsed->as_object());
  const json::object& m = u.metadata;
  for (const auto& member : m) {
    if (!metadata_fields().contains(std::string(member.key()))) {
      add_error(errors, member.key(), "is not a metadata field");
    }
  }
  if (auto v = string_member(m, "businessProcessId", true, kMaxBusinessProcessIdChars, errors)) {
    u.business_process_id = *v;
  }
  if (auto v = string_member(m, "businessCaseId", false, kMaxIdChars, errors); v && !is_uuid(*v)) {
    add_error(errors, "businessCaseId", "must be a UUID");
  }
  if (auto v = string_member(m, "ownerId", true, kMaxIdChars, errors)) u.owner_id = *v;
  if (const json::value* v = m.if_contains("serviceId"); v == nullptr || v->is_null()) {
    add_error(errors, "serviceId", "is required");
  } else if (!v->is_int64() || v->as_int64() < std::numeric_limits<int32_t>::min() ||
             v->as_int64() > std::numeric_limits<int32_t>::max()) {
    add_error(errors, "serviceId", "must be an integer (int32)");
  }
  string_member(m, "title", true, kMaxTitleChars, errors);
  string_member(m, "documentKind", true, kMaxDocumentKindChars, errors);
  if (auto v = string_member(m, "fileName", true, kMaxFileNameChars, errors)) {
    if (is_document_file_name(*v)) {
      u.file_name = *v;
    } else {
      add_error(errors, "fileName",
                "must be ASCII letters, digits, '-', '_' or '.' ending in .pdf");
    }
  }
  if (auto v = string_member(m, "language", false, 2, errors); v && !languages().contains(*v)) {
    add_error(errors, "language", "must be one of de, fr, it, rm, en");
  }
  if (auto v = string_member(m, "sha256", true, 64, errors)) {
    if (is_hex_digest(*v)) {
      u.claimed_sha256 = lower(*v);
    } else {
      add_error(errors, "sha256", "must be 64 hexadecimal digits");
    }
  }
  if (const json::value* v = m.if_contains("sizeBytes"); v == nullptr || v->is_null()) {
    add_error(errors, "sizeBytes", "is required");
  } else if ((v->is_int64() && v->as_int64() > 0) || (v->is_uint64() && v->as_uint64() > 0)) {
    u.claimed_size = v->to_number<uint64_t>();
  } else {
    add_error(errors, "sizeBytes", "must be a positive integer");
  }
  if (const json::value* v = m.if_contains("important"); v == nullptr || v->is_null()) {
    add_error(errors, "important", "is required");
  } else if (!v->is_bool()) {
    add_error(errors, "important", "must be true or false");
  }
  if (auto v = string_member(m, "clientRequestId", true, kMaxClientRequestIdChars, errors)) {
    u.client_request_id = *v;
  }

  // The file part.
  if (media_type(file_part->content_type) != "application/pdf") {
    add_error(errors, "file", "must have Content-Type: application/pdf");
  }
  if (file_part->filename && !u.file_name.empty() && *file_part->filename != u.file_name) {
    add_error(errors, "fileName", "differs from the file part's filename");
  }
  if (!file_part->data.starts_with("%PDF-")) add_error(errors, "file", "is not a PDF (%PDF-)");
  std::string key = request.header("Idempotency-Key");
  if (!key.empty() && !u.client_request_id.empty() && key != u.client_request_id) {
    add_error(errors, "clientRequestId", "differs from the Idempotency-Key header");
  }
  if (!errors.empty()) return respond(validation_problem(errors));

  if (u.claimed_size > options_.max_document_bytes ||
      file_part->data.size() > options_.max_document_bytes) {
    return respond(problem_reply(
        413, "file: a document may have at most " + std::to_string(options_.max_document_bytes) +
                 " bytes; this one has " +
                 std::to_string(std::max<uint64_t>(u.claimed_size, file_part->data.size()))));
  }

  u.content = std::string(file_part->data);
  u.sha256 = sha256_hex(u.content);
  u.fingerprint = sha256_hex(json::serialize(u.metadata) + '\n' + u.sha256);
  http::Response answer;
  {
    std::lock_guard lock(mutex_);
    answer = accept(u);
  }
  respond(std::move(answer));
}

http::Response RcAdapterSim::accept(Upload& u) {
  if (auto it = by_client_request_id_.find(u.client_request_id);
      it != by_client_request_id_.end()) {
    Delivery& d = deliveries_[it->second];
    ++d.received;
    if (d.fingerprint != u.fingerprint) {
      return validation_problem("clientRequestId",
                                "was already used for another document (" + d.id + ")");
    }
    http::Response r = created_reply(200, d.first_answer, d.id);
    r.headers.emplace_back("Idempotent-Replayed", "true");
    return r;
  }

  json::object errors;
  if (owner_ids_ && !owner_ids_->contains(u.owner_id)) {
    add_error(errors, "ownerId", "is not known to the RC adapter");
  }
  if (business_process_ids_ && !business_process_ids_->contains(u.business_process_id)) {
    add_error(errors, "businessProcessId", "is not known to the RC adapter");
  }
  if (!errors.empty()) return validation_problem(errors);

  if (u.sha256 != u.claimed_sha256) {
    add_error(errors, "sha256", "the file's SHA-256 is " + u.sha256);
  }
  if (u.content.size() != u.claimed_size) {
    add_error(errors, "sizeBytes", "the file has " + std::to_string(u.content.size()) + " bytes");
  }
  if (!errors.empty()) {
    std::string detail;
    for (const auto& [field, messages] : errors) {
      detail += (detail.empty() ? "" : "; ") + std::string(field) + ": " +
                std::string(messages.as_array().at(0).as_string());
    }
    return problem_reply(409, "the file does not match its metadata: " + detail,
                         {{"errors", errors}});
  }

  Delivery d;
  d.id = random_uuid();
  d.client_request_id = u.client_request_id;
  d.metadata = std::move(u.metadata);
  d.fingerprint = std::move(u.fingerprint);
  d.owner_id = std::move(u.owner_id);
  d.business_process_id = std::move(u.business_process_id);
  d.sha256 = std::move(u.sha256);
  d.file_name = std::move(u.file_name);
  d.content = std::move(u.content);
  d.accepted_ms = clock_.now_ms();
  d.first_answer = json::serialize(json::object{{"deliveryId", d.id}, {"status", "ACCEPTED"}});
  http::Response r = created_reply(201, d.first_answer, d.id);
  index_[d.id] = deliveries_.size();
  by_client_request_id_[d.client_request_id] = deliveries_.size();
  deliveries_.push_back(std::move(d));
  ++effects_;
  return r;
}

void RcAdapterSim::status(const http::Request& request, const http::Respond& respond) {
  if (auto denied = authorize_(request, nullptr)) return respond(std::move(*denied));
  std::string id = request.path.substr(std::string_view(kDocumentsPath).size() + 1);
  http::Response answer;
  {
    std::lock_guard lock(mutex_);
    const Delivery* d = id.find('/') == std::string::npos ? find(id) : nullptr;
    answer = d == nullptr ? problem_reply(404, "delivery " + id + " not found")
                          : json_reply(200, status_json(*d));
  }
  respond(std::move(answer));
}

void RcAdapterSim::store_control(const http::Request& request, const http::Respond& respond) {
  std::optional<json::object> body = control_body(request);
  if (!body) return respond(problem_reply(400, "body: must be a JSON object"));
  json::object errors;
  std::optional<std::string> id = string_member(*body, "deliveryId", false, kMaxIdChars, errors);
  if (!errors.empty()) return respond(validation_problem(errors));

  http::Response answer;
  {
    std::lock_guard lock(mutex_);
    int64_t now = clock_.now_ms();
    if (!id) {
      json::array stored;
      for (Delivery& d : deliveries_) {
        settle(d);
        if (d.status != "ACCEPTED") continue;
        d.status = "STORED_IN_INBOX";
        d.stored_ms = now;
        stored.emplace_back(json::string(d.id));
      }
      answer = json_reply(200, json::object{{"stored", std::move(stored)}});
    } else if (Delivery* d = find(*id); d == nullptr) {
      answer = problem_reply(404, "delivery " + *id + " not found");
    } else if (d->status == "REJECTED") {
      answer = problem_reply(409, "delivery " + *id + " was rejected");
    } else {
      if (d->status == "ACCEPTED") {
        d->status = "STORED_IN_INBOX";
        d->stored_ms = now;
      }
      answer = json_reply(200, status_json(*d));
    }
  }
  respond(std::move(answer));
}

void RcAdapterSim::read_control(const http::Request& request, const http::Respond& respond) {
  std::optional<json::object> body = control_body(request);
  if (!body) return respond(problem_reply(400, "body: must be a JSON object"));
  json::object errors;
  std::optional<std::string> id = string_member(*body, "deliveryId", true, kMaxIdChars, errors);
  if (!errors.empty()) return respond(validation_problem(errors));

  http::Response answer;
  {
    std::lock_guard lock(mutex_);
    Delivery* d = find(*id);
    if (d == nullptr) {
      answer = problem_reply(404, "delivery " + *id + " not found");
    } else if (d->status == "ACCEPTED" || d->status == "REJECTED") {
      answer = problem_reply(409, "delivery " + *id + " is " + d->status + ", not in the inbox");
    } else {
      if (d->status == "STORED_IN_INBOX") {  // only the first read counts
        d->status = "READ";
        d->read_ms = clock_.now_ms();
      }
      answer = json_reply(200, status_json(*d));
    }
  }
  respond(std::move(answer));
}

void RcAdapterSim::reject_control(const http::Request& request, const http::Respond& respond) {
  std::optional<json::object> body = control_body(request);
  if (!body) return respond(problem_reply(400, "body: must be a JSON object"));
  json::object errors;
  std::optional<std::string> id = string_member(*body, "deliveryId", true, kMaxIdChars, errors);
  std::optional<std::string> reason = string_member(*body, "reason", true, 1000, errors);
  if (!errors.empty()) return respond(validation_problem(errors));

  http::Response answer;
  {
    std::lock_guard lock(mutex_);
    Delivery* d = find(*id);
    if (d == nullptr) {
      answer = problem_reply(404, "delivery " + *id + " not found");
    } else if (d->status == "READ") {
      answer = problem_reply(409, "delivery " + *id + " was read already");
    } else {
      if (d->status != "REJECTED") {
        d->status = "REJECTED";
        d->reason = *reason;
        d->rejected_ms = clock_.now_ms();
      }
      answer = json_reply(200, status_json(*d));
    }
  }
  respond(std::move(answer));
}

void RcAdapterSim::known_control(const http::Request& request, const http::Respond& respond) {
  std::optional<json::object> body = control_body(request);
  if (!body) return respond(problem_reply(400, "body: must be a JSON object"));
  json::object errors;
  // Each member present replaces its list: an array of strings, or null for "any".
  auto read_list = [&](const char* field) -> std::optional<std::optional<std::set<std::string>>> {
    const json::value* v = body->if_contains(field);
    if (v == nullptr) return std::nullopt;
    if (v->is_null()) return std::optional<std::set<std::string>>();
    if (v->is_array() && std::all_of(v->as_array().begin(), v->as_array().end(),
                                     [](const json::value& id) { return id.is_string(); })) {
      std::set<std::string> ids;
      for (const json::value& id : v->as_array()) ids.emplace(id.as_string());
      return std::optional<std::set<std::string>>(std::move(ids));
    }
    add_error(errors, field, "must be an array of strings or null");
    return std::nullopt;
  };
  auto owners = read_list("ownerIds");
  auto processes = read_list("businessProcessIds");
  if (!errors.empty()) return respond(validation_problem(errors));

  json::object known;
  {
    std::lock_guard lock(mutex_);
    if (owners) owner_ids_ = std::move(*owners);
    if (processes) business_process_ids_ = std::move(*processes);
    known = {{"ownerIds", id_list(owner_ids_)},
             {"businessProcessIds", id_list(business_process_ids_)}};
  }
  respond(json_reply(200, known));
}

void RcAdapterSim::file_control(const http::Request& request, const http::Respond& respond) {
  std::string rest = request.path.substr(std::string_view(kFilesPath).size());
  constexpr std::string_view kSuffix = "/file";
  http::Response answer = problem_reply(404, "no such file: " + request.path);
  if (rest.ends_with(kSuffix)) {
    std::string id = rest.substr(0, rest.size() - kSuffix.size());
    std::lock_guard lock(mutex_);
    if (const Delivery* d = find(id)) {
      answer = http::Response::json(200, d->content, "application/pdf");
      answer.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"" + d->file_name + "\"");
    }
  }
  respond(std::move(answer));
}

void RcAdapterSim::settle(Delivery& d) const {
  if (d.status == "ACCEPTED" && clock_.now_ms() >= d.accepted_ms + options_.store_delay.count()) {
    d.status = "STORED_IN_INBOX";
    d.stored_ms = d.accepted_ms + options_.store_delay.count();
  }
}

RcAdapterSim::Delivery* RcAdapterSim::find(const std::string& id) const {
  auto it = index_.find(lower(id));
  if (it == index_.end()) return nullptr;
  Delivery& d = deliveries_[it->second];
  settle(d);
  return &d;
}

boost::json::value RcAdapterSim::status_json(const Delivery& d) {
  return json::object{
      {"deliveryId", d.id},
      {"clientRequestId", d.client_request_id},
      {"businessProcessId", d.business_process_id},
      {"status", d.status},
      {"reason", d.reason ? json::value(json::string(*d.reason)) : json::value(nullptr)},
      {"acceptedAt", format_utc(d.accepted_ms)},
      {"storedInInboxAt", optional_time(d.stored_ms)},
      {"readAt", optional_time(d.read_ms)},
      {"rejectedAt", optional_time(d.rejected_ms)},
  };
}

boost::json::value RcAdapterSim::inspect() const {
  std::lock_guard lock(mutex_);
  json::array deliveries;
  for (Delivery& d : deliveries_) {
    settle(d);
    json::object o = status_json(d).as_object();
    o["metadata"] = d.metadata;
    o["sha256"] = d.sha256;
    o["sizeBytes"] = d.content.size();
    o["fileName"] = d.file_name;
    o["received"] = d.received;
    deliveries.emplace_back(std::move(o));
  }
  return json::object{
      {"deliveries", std::move(deliveries)},
      {"effects", effects_},
      {"known", json::object{{"ownerIds", id_list(owner_ids_)},
                             {"businessProcessIds", id_list(business_process_ids_)}}},
  };
}

void RcAdapterSim::reset() {
  std::lock_guard lock(mutex_);
  deliveries_.clear();
  index_.clear();
  by_client_request_id_.clear();
  owner_ids_ = options_.owner_ids;
  business_process_ids_ = options_.business_process_ids;
  effects_ = 0;
}

}  // namespace portier::sim
