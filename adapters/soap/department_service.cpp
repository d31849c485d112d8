#include "adapters/soap/department_service.h"

#include <boost/asio/post.hpp>
#include <openssl/evp.h>
#include <strings.h>

#include <cstdio>

#include "core/base/digest.h"
#include "core/base/log.h"
#include "core/cases/errors.h"

std::string_view portier_department_wsdl();  // embedded at build time

namespace portier::soap_adapter {
namespace {

const char* content_type(SoapVersion v) {
  return v == SoapVersion::k12 ? "application/soap+xml; charset=utf-8" : "text/xml; charset=utf-8";
}

SoapVersion version_hint(const http::Request& r) {
  return strncasecmp(r.header("Content-Type").c_str(), "application/soap+xml", 20) == 0
             ? SoapVersion::k12
             : SoapVersion::k11;
}

// SOAPAction as sent: the 1.1 header, or the action parameter of a 1.2 Content-Type.
std::string soap_action(const http::Request& r) {
  std::string action = r.header("SOAPAction");
  if (action.empty()) {
    std::string ct = r.header("Content-Type");
    size_t at = ct.find("action=");
    if (at != std::string::npos) {
      action = ct.substr(at + 7);
      size_t end = action.find(';');
      if (end != std::string::npos) action.resize(end);
    }
  }
  if (action.size() >= 2 && action.front() == '"' && action.back() == '"') {
    action = action.substr(1, action.size() - 2);
  }
  return action;
}

DepartmentCodec& thread_codec() {
  thread_local DepartmentCodec codec;
  return codec;
}

using cases::header_of;

http::Response soap_response(SoapVersion version, std::string body, unsigned status = 200) {
  http::Response r;
  r.status = status;
  r.content_type = content_type(version);
  r.body = std::move(body);
  return r;
}

// Until its package is read, an MTOM request's SOAP version shows only in its start-info.
SoapVersion mtom_version_hint(const http::Request& r) {
  return r.header("Content-Type").find("application/soap+xml") != std::string::npos
             ? SoapVersion::k12
             : SoapVersion::k11;
}

// SHA-256 (hex) of the body as received, for the evidence.
Result<std::string> received_sha256(const http::Request& r) {
  if (!r.spooled_body) return sha256_hex(r.body);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> hash(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!hash || EVP_DigestInit_ex(hash.get(), EVP_sha256(), nullptr) != 1) {
    return internal_error("SHA-256 unavailable (OpenSSL)");
  }
  std::string piece(64 * 1024, '\0');
  for (uint64_t offset = 0;;) {
    auto got = r.spooled_body->read_at(offset, piece.data(), piece.size());
    if (!got.is_ok()) return got.status();
    if (*got == 0) break;
    EVP_DigestUpdate(hash.get(), piece.data(), *got);
    offset += *got;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(hash.get(), digest, &len) != 1) {
    return internal_error("SHA-256 failed (OpenSSL)");
  }
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), len));
}

// The SOAP answer of an operation that queued work.
std::string write_intake_answer(DepartmentCodec& codec, SoapVersion version,
                                const cases::IntakeAnswer& answer) {
  return std::visit([&](const auto& a) { return codec.write(version, a); }, answer);
}

}  // namespace

struct DepartmentService::Spooled {
  bool has_document = false;   // the document's text stays in request.spooled_body (or `mtom`)
  uint64_t document_size = 0;  // decoded (0 for an MTOM part: its size shows as it is read)
  std::string body_sha256;     // of the body as received, for the evidence
  // An MTOM request: the document is the `attachment` part, else base64 text in the root part.
  std::shared_ptr<MtomPackage> mtom;
  std::optional<MtomPackage::Attachment> attachment;
};

struct DepartmentService::Call {
  http::Request request;
  http::Respond respond;
  ParsedRequest parsed;
  std::shared_ptr<const mapping::MappingSet> mappings;  // the set this request started under
  Caller caller;
  std::shared_ptr<const Spooled> spooled;  // null: the request was read in memory
  cases::CallOrigin origin;                // once authenticated
};

FaultReply to_fault(const Status& status, SoapVersion version) {
  const cases::CaseError e = cases::describe_error(status);
  if (e.blame == cases::CaseError::Blame::kCaller) {
    return {{true, e.reason}, version == SoapVersion::k12 ? 400u : 500u, std::nullopt};
  }
  if (e.retry_after_s) return {{false, e.reason}, 503u, e.retry_after_s};
  return {{false, e.reason}, 500u, std::nullopt};
}

std::string served_wsdl(std::string_view host, bool tls) {
  std::string wsdl(portier_department_wsdl());
  const std::string placeholder = "http://localhost:8080/soap/v1";
  std::string location = std::string(tls ? "https://" : "http://") + std::string(host) + "/soap/v1";
  for (size_t at = wsdl.find(placeholder); at != std::string::npos;
       at = wsdl.find(placeholder, at + location.size())) {
    wsdl.replace(at, placeholder.size(), location);
  }
  return wsdl;
}

DepartmentService::DepartmentService(DepartmentServiceParts parts, xml::GuardLimits limits,
                                     unsigned threads)
    : parts_(std::move(parts)), limits_(limits), pool_(std::max(1u, threads)) {
  parts_.metrics.describe("portier_soap_requests_total", "counter",
                          "Department SOAP requests by operation and outcome");
}

DepartmentService::~DepartmentService() { shutdown(); }

void DepartmentService::shutdown() { pool_.join(); }

void DepartmentService::handle(http::Request request, http::Respond respond) {
  if (request.method == "GET") {
    if (strcasecmp(request.query.c_str(), "wsdl") != 0) {
      respond(http::Response::text(404, "the WSDL is at /soap/v1?wsdl\n"));
      return;
    }
    http::Response r;
    r.content_type = "text/xml; charset=utf-8";
    r.body = served_wsdl(request.header("Host"), request.tls);
    respond(std::move(r));
    return;
  }
  if (MtomPackage::announced_by(request.header("Content-Type"))) {
    boost::asio::post(pool_, [this, request = std::move(request), respond]() mutable {
      serve_mtom(std::move(request), respond);
    });
    return;
  }
  if (request.spooled_body) {
    boost::asio::post(pool_, [this, request = std::move(request), respond]() mutable {
      serve_spooled(std::move(request), respond);
    });
    return;
  }
  serve(request, respond);
}

void DepartmentService::serve_spooled(http::Request request, const http::Respond& respond) {
  std::string rule;
  auto read = read_spooled_envelope(*request.spooled_body, limits_, rule);
  if (!read.is_ok()) {
    log::warn("spooled SOAP request refused",
              {{"rule", rule}, {"correlation_id", request.correlation_id}});
    answer_fault(respond, version_hint(request), read.status(), "unknown");
    return;
  }
  auto spooled = std::make_shared<Spooled>(
      Spooled{read->has_document, read->document_size, std::move(read->body_sha256), {}, {}});
  request.body = std::move(read->envelope);
  serve(request, respond, std::move(spooled));
}

void DepartmentService::serve_mtom(http::Request request, const http::Respond& respond) {
  const std::string content_type = request.header("Content-Type");
  auto refused = [&](const std::string& rule, const Status& status) {
    log::warn("MTOM request refused", {{"rule", rule}, {"correlation_id", request.correlation_id}});
    answer_fault(respond, mtom_version_hint(request), status, "unknown");
  };
  auto package = request.spooled_body ? MtomPackage::read(content_type, request.spooled_body)
                                      : MtomPackage::read(content_type, request.body);
  if (!package.is_ok()) return refused("mime", package.status());
  auto spooled = std::make_shared<Spooled>();
  spooled->mtom = std::move(*package);
  std::string rule;
  auto root = spooled->mtom->root();
  auto read = read_spooled_envelope(*root, limits_, rule, true);
  if (!read.is_ok()) return refused(rule, read.status());
  spooled->has_document = read->has_document;
  spooled->document_size = read->document_size;
  if (read->xop_href) {
    auto attachment = spooled->mtom->attachment(*read->xop_href);
    if (!attachment.is_ok()) return refused("xop", attachment.status());
    spooled->attachment = *attachment;
    spooled->document_size = 0;  // known once the part is read; the limit is applied then
  }
  auto digest = received_sha256(request);
  if (!digest.is_ok()) return refused("read", digest.status());
  spooled->body_sha256 = std::move(*digest);
  // From here the root part is served as if it had come alone: its SOAP version from its own
  // media type, the action from the package's Content-Type.
  std::string media = spooled->mtom->soap_media_type();
  if (media.empty()) media = "text/xml";
  if (!spooled->mtom->action().empty()) media += "; action=\"" + spooled->mtom->action() + "\"";
  request.headers.insert_or_assign("Content-Type", media);
  request.body = std::move(read->envelope);
  serve(request, respond, std::move(spooled));
}

http::Response DepartmentService::refuse(const http::Request& partial, unsigned status,
                                         const std::string& detail) {
  SoapVersion version = version_hint(partial);
  parts_.metrics.increment("portier_soap_requests_total",
                           {{"operation", "unknown"}, {"outcome", "rejected"}});
  return soap_response(version, thread_codec().write(version, Fault{true, detail}), status);
}

void DepartmentService::answer_fault(const http::Respond& respond, SoapVersion version,
                                     const Status& status, const std::string& operation) {
  FaultReply reply = to_fault(status, version);
  parts_.metrics.increment("portier_soap_requests_total",
                           {{"operation", operation},
                            {"outcome", reply.fault.sender ? "rejected" : "failed"}});
  http::Response r =
      soap_response(version, thread_codec().write(version, reply.fault), reply.http_status);
  if (reply.retry_after_s) r.headers.emplace_back("Retry-After", std::to_string(*reply.retry_after_s));
  respond(std::move(r));
}

void DepartmentService::fail(std::shared_ptr<Call> call, const Status& status) {
  if (status.code() != StatusCode::kPermissionDenied) {
    answer_fault(call->respond, call->parsed.version, status, call->parsed.operation);
    return;
  }
  boost::asio::post(pool_, [this, call, status] {
    const MessageHeader& h = header_of(call->parsed.request);
    cases::CallOrigin origin = call->origin;
    origin.department = call->caller.department;
    origin.remote_address = call->request.remote_address;
    origin.correlation_id = call->request.correlation_id;
    parts_.cases.refused(origin, h.sender_id, call->parsed.operation,
                         h.business_process_id.value_or(""), status);
    answer_fault(call->respond, call->parsed.version, status, call->parsed.operation);
  });
}

void DepartmentService::serve(const http::Request& request, const http::Respond& respond,
                              std::shared_ptr<const Spooled> spooled) {
  SoapVersion version = version_hint(request);
  xml::GuardVerdict guard = xml::check_xml_shape(request.body, limits_);
  if (!guard.ok) {
    log::warn("SOAP request refused by the XML guard",
              {{"rule", guard.rule}, {"correlation_id", request.correlation_id}});
    answer_fault(respond, version,
                 invalid_argument("XML refused (" + guard.rule + "): " + guard.detail), "unknown");
    return;
  }
  auto parsed = thread_codec().parse(request.body, version);
  if (auto* fault = std::get_if<Fault>(&parsed)) {
    answer_fault(respond, version, invalid_argument(fault->reason), "unknown");
    return;
  }
  auto call = std::make_shared<Call>(
      Call{request, respond, std::get<ParsedRequest>(parsed), {}, {}, std::move(spooled), {}});
  const std::string& operation = call->parsed.operation;
  std::string action = soap_action(request);
  if (!action.empty() && action != "urn:portier:department:1#" + operation) {
    answer_fault(respond, version,
                 invalid_argument("SOAPAction '" + action +
                                  "' does not match the Body's operation '" + operation + "'"),
                 operation);
    return;
  }
  call->mappings = parts_.mappings.current();
  auto caller = authenticate(request, header_of(call->parsed.request), *call->mappings,
                             parts_.clock.now_ms(), call->caller.department);
  if (!caller.is_ok()) return fail(call, caller.status());
  call->caller = *caller;
  if (Status admitted = parts_.cases.admit(*call->caller.department); !admitted.is_ok()) {
    answer_fault(respond, version, admitted, operation);
    return;
  }
  cases::CallOrigin& origin = call->origin;
  origin.department = call->caller.department;
  origin.nonce = call->caller.nonce;
  origin.correlation_id = request.correlation_id;
  origin.remote_address = request.remote_address;
  parts_.cases.note(call->parsed.request, origin, "soap");
  if (cases::queues_work(call->parsed.request)) {
    accept_work(std::move(call));
  } else if (std::holds_alternative<DeliverDocument>(call->parsed.request)) {
    boost::asio::post(pool_, [this, call] { accept_document(call); });
  } else {
    boost::asio::post(pool_, [this, call] { answer_read(call); });
  }
}

void DepartmentService::accept_work(std::shared_ptr<Call> call) {
  call->origin.request_sha256 = sha256_hex(call->request.body);
  auto prepared = parts_.cases.prepare(call->parsed.request, call->origin);
  if (!prepared.is_ok()) return fail(call, prepared.status());
  commit(std::move(call), std::move(*prepared));
}

void DepartmentService::accept_document(std::shared_ptr<Call> call) {
  const auto& req = std::get<DeliverDocument>(call->parsed.request);
  const bool spooled = call->spooled && call->spooled->has_document;
  // The evidence names the request as received, not the envelope read from its spool.
  call->origin.request_sha256 =
      call->spooled ? call->spooled->body_sha256 : sha256_hex(call->request.body);
  cases::DocumentSource source;
  if (spooled) {
    source.known_size = call->spooled->document_size;
    source.store = [this, call](const documents::DocumentStore& store, uint64_t limit) {
      return store_spooled_document(call, store, limit);
    };
  }
  auto prepared = parts_.cases.prepare_document(req, call->origin, spooled ? &source : nullptr);
  if (!prepared.is_ok()) return fail(call, prepared.status());
  commit(std::move(call), std::move(*prepared));
}

Result<documents::StoredDocument> DepartmentService::store_spooled_document(
    const std::shared_ptr<Call>& call, const documents::DocumentStore& store, uint64_t limit) {
  const Spooled& spooled = *call->spooled;
  Result<documents::StoredDocument> stored = internal_error("no document");
  if (spooled.mtom && spooled.attachment) {
    auto part = spooled.mtom->bytes_of(*spooled.attachment);
    std::vector<char> piece(64 * 1024);
    uint64_t size = 0;
    stored = store.store_stream(
        [&]() -> Result<std::string_view> {
          auto got = part->read(piece.data(), piece.size());
          if (!got.is_ok()) return got.status();
          size += *got;
          // The words of the check of a document whose size is known before it is stored.
          if (size > limit) {
            return invalid_argument("document: larger than the limit of " +
                                    std::to_string(limit) + " bytes");
          }
          return std::string_view(piece.data(), *got);
        },
        limit);
  } else {
    SpooledDocumentText text(spooled.mtom ? spooled.mtom->root()
                                          : body_bytes(call->request.spooled_body));
    stored = store.store_base64_stream([&text] { return text.next(); }, limit);
  }
  if (!stored.is_ok() && stored.status().code() == StatusCode::kInvalidArgument &&
      !stored.status().message().starts_with("document: ")) {
    return invalid_argument("document: " + stored.status().message());
  }
  return stored;
}

void DepartmentService::commit(std::shared_ptr<Call> call, cases::PreparedIntake prepared) {
  // Written now, sent only if the commit succeeds and the key was new.
  http::Response ok = soap_response(
      call->parsed.version, write_intake_answer(thread_codec(), call->parsed.version,
                                                prepared.answer));
  parts_.cases.commit(
      std::move(prepared),
      [this, call, ok = std::move(ok)](Result<journal::IntakeOutcome> r) mutable {
        if (r.is_ok() && !r->duplicate) {
          parts_.metrics.increment("portier_soap_requests_total",
                                   {{"operation", call->parsed.operation}, {"outcome", "accepted"}});
          call->respond(std::move(ok));
          return;
        }
        // Rare paths (a replayed messageId, an error) are written on the service's pool, not on
        // the journal's writer thread.
        boost::asio::post(pool_, [this, call, r = std::move(r)] {
          if (!r.is_ok()) return fail(call, r.status());
          auto answer = cases::DepartmentCases::repeated_answer(call->parsed.request, *r);
          if (!answer.is_ok()) return fail(call, answer.status());
          parts_.metrics.increment("portier_soap_requests_total",
                                   {{"operation", call->parsed.operation}, {"outcome", "duplicate"}});
          call->respond(soap_response(
              call->parsed.version,
              write_intake_answer(thread_codec(), call->parsed.version, *answer)));
        });
      });
}

void DepartmentService::answer_read(std::shared_ptr<Call> call) {
  auto answer = parts_.cases.read(call->parsed.request, call->origin);
  if (!answer.is_ok()) return fail(call, answer.status());
  const SoapVersion version = call->parsed.version;
  std::string body =
      std::visit([&](const auto& a) { return thread_codec().write(version, a); }, *answer);
  parts_.metrics.increment("portier_soap_requests_total",
                           {{"operation", call->parsed.operation}, {"outcome", "answered"}});
  call->respond(soap_response(version, std::move(body)));
}

}  // namespace portier::soap_adapter
