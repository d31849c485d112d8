#include "tests/sim/afs_sim.h"

#include <algorithm>

#include "connectors/afs/apf_wire.h"
#include "core/base/digest.h"
#include "tests/sim/replies.h"

namespace portier::sim {
namespace {

namespace json = boost::json;
using afs::EnvelopeReader;
using afs::EnvelopeWriter;

constexpr char kServicePath[] = "/afs/apf/v1";
constexpr char kSubmitPath[] = "/_sim/afs/applications";
constexpr char kOptionsPath[] = "/_sim/afs/options";
constexpr char kCountsPath[] = "/_sim/afs/counts";

http::Response soap(unsigned status, std::string body) {
  return http::Response::json(status, std::move(body), "text/xml; charset=utf-8");
}

http::Response fault(bool client, const std::string& code, const std::string& text) {
  return soap(500, EnvelopeWriter::fault(client, code, text));
}

std::string str(const json::object& o, const char* key, std::string fallback = "") {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : fallback;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string page_token(int64_t ms, int64_t seq) {
  return std::to_string(ms) + "-" + std::to_string(seq);
}

std::optional<std::pair<int64_t, int64_t>> parse_token(const std::string& token) {
  size_t dash = token.find('-');
  if (dash == std::string::npos) return std::nullopt;
  try {
    return std::make_pair(std::stoll(token.substr(0, dash)), std::stoll(token.substr(dash + 1)));
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace

AfsSim::AfsSim(AfsSimOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock), max_page_size_(options_.max_page_size) {}

void AfsSim::register_routes(http::Router& router) {
  router.add("POST", kServicePath,
             [this](http::Request request, http::Respond respond) { respond(serve(request)); });
}

void AfsSim::register_control_routes(http::Router& router) {
  router.add("POST", kSubmitPath, [this](http::Request request, http::Respond respond) {
    submit_control(request, respond);
  });
  router.add("POST", kOptionsPath, [this](http::Request request, http::Respond respond) {
    options_control(request, respond);
  });
  router.add("GET", kCountsPath, [this](http::Request, http::Respond respond) {
    std::map<std::string, int64_t> counts{
        {"NEW", 0}, {"TAKEN", 0}, {"IN_PROGRESS", 0}, {"DONE", 0}};
    {
      std::lock_guard lock(mutex_);
      for (const auto& [id, a] : applications_) ++counts[a.status];
    }
    json::object o;
    for (const auto& [status, n] : counts) o[status] = n;
    respond(json_reply(200, o));
  });
}

http::Response AfsSim::serve(const http::Request& request) {
  auto in = EnvelopeReader::parse(request.body);
  if (!in.is_ok()) return fault(true, "MALFORMED", in.status().message());
  const std::string who = in->text(
      "string(/soap:Envelope/soap:Header/wsse:Security/"
      "wsse:UsernameToken/wsse:Username)");
  const std::string password = in->text(
      "string(/soap:Envelope/soap:Header/wsse:Security/"
      "wsse:UsernameToken/wsse:Password)");
  if (who != options_.user || password != options_.password) {
    return fault(true, "NOT_AUTHORISED", "unknown user or wrong password");
  }
  const std::string op = in->operation();
  if (op == "ListApplications") return list(*in, who);
  if (op == "GetApplication") return get(*in, who);
  if (op == "TakeOver") return take_over(*in, who);
  if (op == "SetStatus") return set_status(*in, who);
  if (op == "GetAccessLog") return access_log(*in);
  return fault(true, "UNKNOWN_OPERATION", "no operation '" + op + "'");
}

http::Response AfsSim::list(const EnvelopeReader& in, const std::string&) {
  const std::string base = "/soap:Envelope/soap:Body/apf:ListApplications/";
  const std::string mailbox = in.text("string(" + base + "apf:mailbox)");
  const std::string status = in.text("string(" + base + "apf:status)");
  const std::string since = in.text("string(" + base + "apf:since)");
  const std::string token = in.text("string(" + base + "apf:pageToken)");
  int size = 100;
  try {
    std::string given = in.text("string(" + base + "apf:pageSize)");
    if (!given.empty()) size = std::stoi(given);
  } catch (...) {
    return fault(true, "INVALID", "pageSize is not a number");
  }
  if (size < 1) return fault(true, "INVALID", "pageSize must be positive");
  std::optional<int64_t> since_ms;
  if (!since.empty()) {
    since_ms = afs::parse_utc(since);
    if (!since_ms) return fault(true, "INVALID", "since is not a UTC time");
  }
  std::optional<std::pair<int64_t, int64_t>> after;
  if (!token.empty()) {
    after = parse_token(token);
    if (!after) return fault(true, "INVALID", "pageToken is not ours");
  }
  EnvelopeWriter w("ListApplicationsResponse");
  {
    std::lock_guard lock(mutex_);
    ++list_calls_;
    if (unauthorised_mailboxes_.contains(mailbox)) {
      return fault(true, "MAILBOX_NOT_AUTHORISED", "mailbox " + mailbox + " is not yours");
    }
    size = std::min(size, max_page_size_);
    auto it = order_.begin();
    if (after) {
      it = order_.lower_bound(*after);
      // The real paging is unknown; the simulator may hand out the previous page's last one
      // again.
      if (!duplicate_across_pages_ && it != order_.end() && it->first == *after) ++it;
    } else if (since_ms) {
      it = order_.lower_bound({*since_ms, 0});
    }
    int count = 0;
    std::pair<int64_t, int64_t> last{};
    bool more = false;
    for (; it != order_.end(); ++it) {
      const Application& a = applications_.at(it->second);
      if (a.mailbox != mailbox || (!status.empty() && a.status != status)) continue;
      if (since_ms && a.submitted_ms < *since_ms) continue;
      if (count == size) {
        more = true;
        break;
      }
      xmlNode* app = w.add("application");
      w.add("applicationId", a.id, app);
      w.add("formId", a.form_id, app);
      w.add("formVersion", a.form_version, app);
      w.add("mandant", "SO", app);
      w.add("mailbox", a.mailbox, app);
      w.add("submittedAt", afs::format_utc(a.submitted_ms), app);
      w.add("status", a.status, app);
      xmlNode* sig = w.add("inboundSignature", "", app);
      w.add("algorithm", "SHA-256", sig);
      w.add("value", a.signature, sig);
      w.add("signedAt", afs::format_utc(a.submitted_ms), sig);
      last = it->first;
      ++count;
    }
    if (more) w.add("nextPageToken", page_token(last.first, last.second));
  }
  return soap(200, w.serialize());
}

http::Response AfsSim::get(const EnvelopeReader& in, const std::string& who) {
  const std::string id =
      in.text("string(/soap:Envelope/soap:Body/apf:GetApplication/apf:applicationId)");
  EnvelopeWriter w("GetApplicationResponse");
  {
    std::lock_guard lock(mutex_);
    ++get_calls_;
    auto found = applications_.find(id);
    if (found == applications_.end()) return fault(true, "NOT_FOUND", "no application " + id);
    Application& a = found->second;
    ++a.gets;
    a.access_log.push_back({who, clock_.now_ms(), "GET"});
    xmlNode* app = w.add("application");
    w.add("applicationId", a.id, app);
    w.add("formId", a.form_id, app);
    w.add("formVersion", a.form_version, app);
    w.add("mandant", "SO", app);
    w.add("mailbox", a.mailbox, app);
    w.add("submittedAt", afs::format_utc(a.submitted_ms), app);
    w.add("status", a.status, app);
    xmlNode* sig = w.add("inboundSignature", "", app);
    w.add("algorithm", "SHA-256", sig);
    w.add("value", a.signature, sig);
    w.add("signedAt", afs::format_utc(a.submitted_ms), sig);
    w.add("formData", afs::base64_encode(a.form_data), app);
    auto file = [&](const File& f, const char* element) {
      xmlNode* node = w.add(element, "", app);
      w.add("name", f.name, node);
      w.add("mimeType", f.mime_type, node);
      w.add("sha256", f.sha256, node);
      w.add("content", afs::base64_encode(f.content), node);
    };
    if (a.pdf) file(*a.pdf, "pdf");
    for (const File& f : a.attachments) file(f, "attachment");
    xmlNode* portal = w.add("portal", "", app);
    if (!a.owner_id.empty()) w.add("ownerId", a.owner_id, portal);
    if (!a.business_case_id.empty()) w.add("businessCaseId", a.business_case_id, portal);
  }
  return soap(200, w.serialize());
}

http::Response AfsSim::take_over(const EnvelopeReader& in, const std::string& who) {
  const std::string base = "/soap:Envelope/soap:Body/apf:TakeOver/";
  const std::string id = in.text("string(" + base + "apf:applicationId)");
  const std::string reference = in.text("string(" + base + "apf:externalReference)");
  if (reference.empty()) return fault(true, "INVALID", "externalReference is required");
  std::lock_guard lock(mutex_);
  ++take_over_calls_;
  auto found = applications_.find(id);
  if (found == applications_.end()) return fault(true, "NOT_FOUND", "no application " + id);
  Application& a = found->second;
  if (!a.external_reference.empty() && a.external_reference != reference) {
    return fault(true, "ALREADY_TAKEN", "taken over as " + a.external_reference);
  }
  a.access_log.push_back({who, clock_.now_ms(), "TAKE_OVER"});
  if (a.external_reference.empty()) {
    a.external_reference = reference;
    a.status = "TAKEN";
    ++a.take_overs;
  }
  EnvelopeWriter w("TakeOverResponse");
  w.add("status", a.status);
  return soap(200, w.serialize());
}

http::Response AfsSim::set_status(const EnvelopeReader& in, const std::string& who) {
  const std::string base = "/soap:Envelope/soap:Body/apf:SetStatus/";
  const std::string id = in.text("string(" + base + "apf:applicationId)");
  const std::string status = in.text("string(" + base + "apf:status)");
  const std::string comment = in.text("string(" + base + "apf:comment)");
  if (status != "IN_PROGRESS" && status != "DONE") {
    return fault(true, "INVALID", "status must be IN_PROGRESS or DONE");
  }
  std::lock_guard lock(mutex_);
  ++set_status_calls_;
  auto found = applications_.find(id);
  if (found == applications_.end()) return fault(true, "NOT_FOUND", "no application " + id);
  Application& a = found->second;
  if (a.external_reference.empty()) return fault(true, "NOT_TAKEN", "take it over first");
  a.access_log.push_back({who, clock_.now_ms(), "SET_STATUS " + status});
  if (a.status != status) a.status_history.emplace_back(status, comment);
  a.status = status;
  EnvelopeWriter w("SetStatusResponse");
  w.add("status", a.status);
  return soap(200, w.serialize());
}

http::Response AfsSim::access_log(const EnvelopeReader& in) {
  const std::string id =
      in.text("string(/soap:Envelope/soap:Body/apf:GetAccessLog/apf:applicationId)");
  EnvelopeWriter w("GetAccessLogResponse");
  std::lock_guard lock(mutex_);
  auto found = applications_.find(id);
  if (found == applications_.end()) return fault(true, "NOT_FOUND", "no application " + id);
  for (const Access& e : found->second.access_log) {
    xmlNode* entry = w.add("entry");
    w.add("who", e.who, entry);
    w.add("when", afs::format_utc(e.at_ms), entry);
    w.add("action", e.action, entry);
  }
  return soap(200, w.serialize());
}

void AfsSim::submit_control(const http::Request& request, const http::Respond& respond) {
  auto body = parse_json(request.body);
  if (!body || !body->is_object())
    return respond(problem_reply(400, "body: expected a JSON object"));
  const json::object& o = body->as_object();
  const std::string mailbox = str(o, "mailbox");
  const std::string form_id = str(o, "formId");
  const std::string form_data = str(o, "formData");
  if (mailbox.empty() || form_id.empty()) {
    return respond(validation_problem("mailbox", "mailbox and formId are required"));
  }
  int64_t count = 1;
  if (const json::value* c = o.if_contains("count"); c != nullptr && c->is_int64()) {
    count = c->as_int64();
  }
  if (count < 1 || count > 100'000) return respond(validation_problem("count", "1..100000"));
  const std::string corrupt = str(o, "corrupt");
  std::optional<File> pdf;
  if (o.contains("pdf")) {
    auto bytes = afs::base64_decode(str(o, "pdf"));
    if (!bytes) return respond(validation_problem("pdf", "not base64"));
    pdf = File{"antrag.pdf", "application/pdf", sha256_hex(*bytes), *bytes};
  }
  std::vector<File> attachments;
  if (const json::value* list = o.if_contains("attachments"); list != nullptr && list->is_array()) {
    for (const json::value& v : list->as_array()) {
      if (!v.is_object()) return respond(validation_problem("attachments", "objects expected"));
      auto bytes = afs::base64_decode(str(v.as_object(), "content"));
      if (!bytes) return respond(validation_problem("attachments", "content is not base64"));
      attachments.push_back({str(v.as_object(), "name", "beilage.bin"),
                             str(v.as_object(), "mimeType", "application/octet-stream"),
                             sha256_hex(*bytes), *bytes});
    }
  }
  if (corrupt == "attachmentDigest" || corrupt == "missingAttachment") {
    if (attachments.empty()) return respond(validation_problem("corrupt", "needs an attachment"));
    if (corrupt == "attachmentDigest") attachments.front().sha256 = sha256_hex("something else");
    if (corrupt == "missingAttachment") attachments.front().content.clear();
  } else if (!corrupt.empty() && corrupt != "signature") {
    return respond(
        validation_problem("corrupt", "signature, attachmentDigest or missingAttachment"));
  }
  json::array ids;
  {
    std::lock_guard lock(mutex_);
    const int64_t now = clock_.now_ms();
    for (int64_t n = 1; n <= count; ++n) {
      Application a;
      a.id = random_uuid();
      a.seq = next_seq_++;
      a.mailbox = mailbox;
      a.form_id = form_id;
      a.form_version = str(o, "formVersion", "1.0");
      // Bulk submissions arrive one millisecond apart, the last one now.
      a.submitted_ms = now - (count - n);
      a.form_data = replace_all(form_data, "${n}", std::to_string(n));
      a.signature = sha256_hex(corrupt == "signature" ? a.form_data + "x" : a.form_data);
      a.pdf = pdf;
      a.attachments = attachments;
      a.owner_id = str(o, "ownerId");
      a.business_case_id = str(o, "businessCaseId");
      order_.emplace(std::make_pair(a.submitted_ms, a.seq), a.id);
      ids.push_back(json::value(a.id));
      applications_.emplace(a.id, std::move(a));
    }
  }
  respond(json_reply(201, json::object{{"applicationIds", std::move(ids)}}));
}

void AfsSim::options_control(const http::Request& request, const http::Respond& respond) {
  auto body = parse_json(request.body);
  if (!body || !body->is_object())
    return respond(problem_reply(400, "body: expected a JSON object"));
  const json::object& o = body->as_object();
  std::lock_guard lock(mutex_);
  if (const json::value* v = o.if_contains("duplicateAcrossPages"); v != nullptr && v->is_bool()) {
    duplicate_across_pages_ = v->as_bool();
  }
  if (const json::value* v = o.if_contains("maxPageSize"); v != nullptr && v->is_int64()) {
    max_page_size_ = static_cast<int>(std::clamp<int64_t>(v->as_int64(), 1, 10'000));
  }
  if (const json::value* v = o.if_contains("unauthorisedMailboxes");
      v != nullptr && v->is_array()) {
    unauthorised_mailboxes_.clear();
    for (const json::value& m : v->as_array()) {
      if (m.is_string()) unauthorised_mailboxes_.insert(std::string(m.as_string()));
    }
  }
  respond(json_reply(200, json::object{{"duplicateAcrossPages", duplicate_across_pages_},
                                       {"maxPageSize", max_page_size_}}));
}

boost::json::value AfsSim::inspect() const {
  std::lock_guard lock(mutex_);
  json::array apps;
  std::map<std::string, int64_t> counts{{"NEW", 0}, {"TAKEN", 0}, {"IN_PROGRESS", 0}, {"DONE", 0}};
  for (const auto& [key, id] : order_) {
    const Application& a = applications_.at(id);
    ++counts[a.status];
    json::array history;
    for (const auto& [status, comment] : a.status_history) {
      history.push_back(json::object{{"status", status}, {"comment", comment}});
    }
    json::array log;
    for (const Access& e : a.access_log) {
      log.push_back(
          json::object{{"who", e.who}, {"when", afs::format_utc(e.at_ms)}, {"action", e.action}});
    }
    apps.push_back(json::object{{"applicationId", a.id},
                                {"mailbox", a.mailbox},
                                {"formId", a.form_id},
                                {"submittedAt", afs::format_utc(a.submitted_ms)},
                                {"status", a.status},
                                {"externalReference", a.external_reference},
                                {"takeOvers", a.take_overs},
                                {"gets", a.gets},
                                {"statusHistory", std::move(history)},
                                {"accessLog", std::move(log)}});
  }
  json::object c;
  for (const auto& [status, n] : counts) c[status] = n;
  return json::object{{"applications", std::move(apps)},
                      {"counts", std::move(c)},
                      {"calls", json::object{{"list", list_calls_},
                                             {"get", get_calls_},
                                             {"takeOver", take_over_calls_},
                                             {"setStatus", set_status_calls_}}}};
}

void AfsSim::reset() {
  std::lock_guard lock(mutex_);
  applications_.clear();
  order_.clear();
  duplicate_across_pages_ = false;
  unauthorised_mailboxes_.clear();
  max_page_size_ = options_.max_page_size;
  list_calls_ = get_calls_ = take_over_calls_ = set_status_calls_ = 0;
}

}  // namespace portier::sim
