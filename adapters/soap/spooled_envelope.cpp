#include "adapters/soap/spooled_envelope.h"

#include <libxml/parser.h>
#include <libxml/xmlwriter.h>
#include <openssl/evp.h>

#include <cstring>
#include <vector>

#include "core/base/base64.h"
#include "core/base/digest.h"

namespace portier::soap_adapter {
namespace {

constexpr size_t kPiece = 64 * 1024;  // bytes of the body read and parsed at a time
constexpr char kOurs[] = "urn:portier:department:1";
constexpr char kXop[] = "http://www.w3.org/2004/08/xop/include";
// Stand-ins for the document's text in the envelope written for the codec: valid base64 (the
// real text follows in the second pass), or a character gSOAP refuses in base64, so that its
// Fault names the element just as for a request read in memory.
constexpr char kValidStandIn[] = "AA==";
constexpr char kInvalidStandIn[] = "*";

bool is_soap_envelope_ns(const xmlChar* uri) {
  return uri && (xmlStrEqual(uri, BAD_CAST "http://schemas.xmlsoap.org/soap/envelope/") ||
                 xmlStrEqual(uri, BAD_CAST "http://www.w3.org/2003/05/soap-envelope"));
}

// Whether the element at `depth` (the root is 1) continues the path
// Envelope/Body/deliverDocument/document.
bool on_document_path(int depth, const xmlChar* local, const xmlChar* uri) {
  auto ours = [&](const char* name) {
    return uri && xmlStrEqual(uri, BAD_CAST kOurs) && xmlStrEqual(local, BAD_CAST name);
  };
  switch (depth) {
    case 1: return is_soap_envelope_ns(uri) && xmlStrEqual(local, BAD_CAST "Envelope");
    case 2: return is_soap_envelope_ns(uri) && xmlStrEqual(local, BAD_CAST "Body");
    case 3: return ours("deliverDocument");
    case 4: return ours("document");
    default: return false;
  }
}

bool is_xml_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string qualified(const xmlChar* prefix, const xmlChar* local) {
  std::string name;
  if (prefix) name.append(reinterpret_cast<const char*>(prefix)).push_back(':');
  name.append(reinterpret_cast<const char*>(local));
  return name;
}

const xmlChar* x(const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); }

}  // namespace

// One pass of the SAX2 push parser over a spooled body. Pass 1 (`rewrite`) writes the envelope
// out again and counts the document's text; pass 2 collects that text.
class SpooledEnvelopeReader {
 public:
  explicit SpooledEnvelopeReader(bool rewrite, bool xop = false) : rewrite_(rewrite), xop_(xop) {
    if (rewrite_) {
      // The envelope is written again by libxml2's writer, which escapes text and attribute
      // values (tabs, line feeds and carriage returns in attributes included).
      buffer_ = xmlBufferCreate();
      if (buffer_) writer_ = xmlNewTextWriterMemory(buffer_, 0);
    }
    xmlSAXHandler sax;
    std::memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = &SpooledEnvelopeReader::on_start;
    sax.endElementNs = &SpooledEnvelopeReader::on_end;
    sax.characters = &SpooledEnvelopeReader::on_text;
    sax.cdataBlock = &SpooledEnvelopeReader::on_text;
    sax.internalSubset = &SpooledEnvelopeReader::on_dtd;
    sax.externalSubset = &SpooledEnvelopeReader::on_dtd;
    sax.entityDecl = &SpooledEnvelopeReader::on_entity_declaration;
    sax.serror = &SpooledEnvelopeReader::on_error;
    ctxt_ = xmlCreatePushParserCtxt(&sax, this, nullptr, 0, nullptr);
    if (ctxt_) {
      // NOENT: attribute values come fully decoded (there are no entities but the predefined
      // ones: no DTD gets this far). NONET: nothing is ever fetched.
      xmlCtxtUseOptions(ctxt_, XML_PARSE_NONET | XML_PARSE_NOENT | XML_PARSE_NOERROR |
                                   XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    }
  }
  ~SpooledEnvelopeReader() {
    if (ctxt_) xmlFreeParserCtxt(ctxt_);
    if (writer_) xmlFreeTextWriter(writer_);
    if (buffer_) xmlBufferFree(buffer_);
  }

  // Parses the next piece ("" and last = true at the end).
  Status parse(std::string_view piece, bool last) {
    if (!ctxt_) return internal_error("libxml2 push parser unavailable");
    if (rewrite_ && !writer_) return internal_error("libxml2 text writer unavailable");
    xmlParseChunk(ctxt_, piece.data(), static_cast<int>(piece.size()), last ? 1 : 0);
    if (!refusal_.is_ok()) return refusal_;
    if (!error_.empty()) return invalid_argument("malformed XML: " + error_);
    if (last && !ctxt_->wellFormed) return invalid_argument("malformed XML");
    return Status::ok();
  }

  // Pass 1: the envelope written so far; pass 2: the document's text of the last piece.
  std::string& out() {
    if (writer_ && xmlTextWriterFlush(writer_) >= 0) {
      out_.assign(reinterpret_cast<const char*>(xmlBufferContent(buffer_)),
                  static_cast<size_t>(xmlBufferLength(buffer_)));
    }
    return out_;
  }
  bool document_seen() const { return base64_chars_ > 0 || other_chars_ > 0 || xop_href_; }
  const std::optional<std::string>& xop_href() const { return xop_href_; }
  bool refused_for_xop() const { return refused_for_xop_; }
  bool document_valid() const { return other_chars_ == 0; }
  uint64_t document_size() const { return base64_chars_ * 3 / 4; }

 private:
  static SpooledEnvelopeReader& self(void* ctx) { return *static_cast<SpooledEnvelopeReader*>(ctx); }

  static void on_start(void* ctx, const xmlChar* local, const xmlChar* prefix, const xmlChar* uri,
                       int nb_namespaces, const xmlChar** namespaces, int nb_attributes, int,
                       const xmlChar** attributes) {
    SpooledEnvelopeReader& r = self(ctx);
    const int depth = static_cast<int>(r.path_.size()) + 1;
    const bool parent_on_path = r.path_.empty() || r.path_.back();
    if (r.xop_) {
      const bool in_document = depth == 5 && parent_on_path;  // a child of the document
      const bool is_include = uri && xmlStrEqual(uri, BAD_CAST kXop);
      if (r.in_include_) {
        return r.refuse_xop("document: xop:Include must be empty");
      }
      if (in_document && (r.xop_href_ || (is_include && (r.document_seen() ||
                                                         r.document_children_ > 0)))) {
        return r.refuse_xop(r.xop_href_ && is_include
                                ? "document: more than one xop:Include"
                                : "document: an xop:Include must be its only content");
      }
      if (in_document) ++r.document_children_;
      if (is_include) {
        if (!in_document || !xmlStrEqual(local, BAD_CAST "Include")) {
          return r.refuse_xop("xop:" + std::string(reinterpret_cast<const char*>(local)) +
                              " is accepted only as the only content of "
                              "deliverDocument/document");
        }
        std::string href;
        bool has_href = false;
        for (int i = 0; i < nb_attributes; ++i) {
          const xmlChar** a = attributes + 5 * i;
          if (!a[2] && xmlStrEqual(a[0], BAD_CAST "href")) {
            href.assign(reinterpret_cast<const char*>(a[3]), static_cast<size_t>(a[4] - a[3]));
            has_href = true;
          }
        }
        if (!has_href) return r.refuse_xop("document: xop:Include without an href");
        r.xop_href_ = std::move(href);
        r.in_include_ = true;
        r.path_.push_back(false);
        r.in_document_ = false;
        return;  // not written out: the document's stand-in takes its place
      }
    }
    r.path_.push_back(parent_on_path && on_document_path(depth, local, uri));
    r.in_document_ = depth == 4 && r.path_.back();
    if (!r.rewrite_ || !r.writer_) return;
    xmlTextWriterStartElement(r.writer_, x(qualified(prefix, local)));
    for (int i = 0; i < nb_namespaces; ++i) {
      const xmlChar* ns_prefix = namespaces[2 * i];
      const xmlChar* ns_uri = namespaces[2 * i + 1];
      const std::string name = ns_prefix ? qualified(BAD_CAST "xmlns", ns_prefix) : "xmlns";
      xmlTextWriterWriteAttribute(r.writer_, x(name), ns_uri ? ns_uri : BAD_CAST "");
    }
    for (int i = 0; i < nb_attributes; ++i) {
      const xmlChar** a = attributes + 5 * i;  // local name, prefix, URI, value, value end
      const std::string value(reinterpret_cast<const char*>(a[3]), static_cast<size_t>(a[4] - a[3]));
      xmlTextWriterWriteAttribute(r.writer_, x(qualified(a[1], a[0])), x(value));
    }
  }

  static void on_end(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
    SpooledEnvelopeReader& r = self(ctx);
    if (r.in_include_) {
      // Back inside the document, whose text must stay empty now.
      r.in_include_ = false;
      r.path_.pop_back();
      r.in_document_ = true;
      return;
    }
    if (r.rewrite_ && r.writer_) {
      if (r.in_document_ && r.document_seen()) {
        xmlTextWriterWriteString(r.writer_,
                                 BAD_CAST(r.document_valid() ? kValidStandIn : kInvalidStandIn));
      }
      xmlTextWriterFullEndElement(r.writer_);
    }
    r.in_document_ = false;
    if (!r.path_.empty()) r.path_.pop_back();
  }

  static void on_text(void* ctx, const xmlChar* text, int len) {
    SpooledEnvelopeReader& r = self(ctx);
    if (r.in_include_ || (r.in_document_ && r.xop_href_)) {
      for (int i = 0; i < len; ++i) {
        if (!is_xml_space(text[i])) {
          return r.refuse_xop(r.in_include_ ? "document: xop:Include must be empty"
                                            : "document: an xop:Include must be its only content");
        }
      }
      return;
    }
    if (!r.in_document_) {
      if (r.rewrite_ && r.writer_) {
        const std::string piece(reinterpret_cast<const char*>(text), static_cast<size_t>(len));
        xmlTextWriterWriteString(r.writer_, x(piece));
      }
      return;
    }
    if (!r.rewrite_) {
      r.out_.append(reinterpret_cast<const char*>(text), static_cast<size_t>(len));
      return;
    }
    for (int i = 0; i < len; ++i) {
      if (is_base64_char(text[i])) {
        ++r.base64_chars_;
      } else if (text[i] != '=' && !is_xml_space(text[i])) {
        ++r.other_chars_;
      }
    }
  }

  static void on_dtd(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
    self(ctx).refuse("XML refused (doctype): DTDs and entity declarations are not allowed");
  }
  static void on_entity_declaration(void* ctx, const xmlChar*, int, const xmlChar*,
                                    const xmlChar*, xmlChar*) {
    self(ctx).refuse("XML refused (doctype): DTDs and entity declarations are not allowed");
  }

  static void on_error(void* ctx, xmlErrorPtr error) {
    SpooledEnvelopeReader& r = self(ctx);
    if (!error || error->level < XML_ERR_ERROR || !r.error_.empty()) return;
    std::string message = error->message ? error->message : "parser error";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    r.error_ = message + " (line " + std::to_string(error->line) + ")";
  }

  void refuse(const std::string& why) {
    if (refusal_.is_ok()) refusal_ = invalid_argument(why);
    xmlStopParser(ctxt_);
  }
  void refuse_xop(const std::string& why) {
    if (refusal_.is_ok()) refused_for_xop_ = true;
    refuse(why);
  }

  bool rewrite_;
  bool xop_;                // an MTOM root part: the document may be an xop:Include
  bool in_include_ = false;
  int document_children_ = 0;  // elements in deliverDocument/document (MTOM root part only)
  std::optional<std::string> xop_href_;
  bool refused_for_xop_ = false;
  xmlParserCtxtPtr ctxt_ = nullptr;
  std::vector<bool> path_;  // per open element: on the path to deliverDocument/document
  bool in_document_ = false;
  xmlBuffer* buffer_ = nullptr;      // pass 1: where writer_ writes the envelope
  xmlTextWriter* writer_ = nullptr;
  std::string out_;         // pass 1: the envelope; pass 2: the document's text of one piece
  uint64_t base64_chars_ = 0;
  uint64_t other_chars_ = 0;
  Status refusal_;
  std::string error_;
};

namespace {

class SpooledBodyBytes final : public ByteSource {
 public:
  SpooledBodyBytes(const http::SpooledBody& body, std::shared_ptr<const http::SpooledBody> keep)
      : body_(body), keep_(std::move(keep)) {}
  Result<size_t> read(char* out, size_t n) override {
    auto got = body_.read_at(offset_, out, n);
    if (got.is_ok()) offset_ += *got;
    return got;
  }

 private:
  const http::SpooledBody& body_;
  std::shared_ptr<const http::SpooledBody> keep_;
  uint64_t offset_ = 0;
};

}  // namespace

std::unique_ptr<ByteSource> body_bytes(std::shared_ptr<const http::SpooledBody> body) {
  const http::SpooledBody& ref = *body;
  return std::make_unique<SpooledBodyBytes>(ref, std::move(body));
}

Result<SpooledEnvelope> read_spooled_envelope(const http::SpooledBody& body,
                                              const xml::GuardLimits& limits, std::string& rule) {
  SpooledBodyBytes bytes(body, nullptr);
  return read_spooled_envelope(bytes, limits, rule);
}

Result<SpooledEnvelope> read_spooled_envelope(ByteSource& bytes, const xml::GuardLimits& limits,
                                              std::string& rule, bool xop_include) {
  xml::XmlShapeStream guard(limits);
  SpooledEnvelopeReader reader(true, xop_include);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> hash(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!hash || EVP_DigestInit_ex(hash.get(), EVP_sha256(), nullptr) != 1) {
    return internal_error("SHA-256 unavailable (OpenSSL)");
  }
  std::vector<char> piece(kPiece);
  for (;;) {
    auto got = bytes.read(piece.data(), piece.size());
    if (!got.is_ok()) return got.status();
    std::string_view read(piece.data(), *got);
    const bool last = *got == 0;
    // The guard judges every byte before the parser sees it.
    const xml::GuardVerdict& verdict = last ? guard.finish() : guard.feed(read);
    if (!verdict.ok) {
      rule = verdict.rule;
      return invalid_argument("XML refused (" + verdict.rule + "): " + verdict.detail);
    }
    EVP_DigestUpdate(hash.get(), read.data(), read.size());
    if (Status s = reader.parse(read, last); !s.is_ok()) {
      rule = reader.refused_for_xop()                 ? "xop"
             : s.message().starts_with("XML refused") ? "doctype"
                                                      : "malformed";
      return s;
    }
    if (last) break;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(hash.get(), digest, &len) != 1) {
    return internal_error("SHA-256 failed (OpenSSL)");
  }
  SpooledEnvelope out;
  out.envelope = std::move(reader.out());
  out.has_document = reader.document_seen();
  out.document_size = reader.document_size();
  out.xop_href = reader.xop_href();
  out.body_sha256 = to_hex(std::string_view(reinterpret_cast<const char*>(digest), len));
  return out;
}

SpooledDocumentText::SpooledDocumentText(std::shared_ptr<const http::SpooledBody> body)
    : SpooledDocumentText(body_bytes(std::move(body))) {}

SpooledDocumentText::SpooledDocumentText(std::unique_ptr<ByteSource> bytes)
    : bytes_(std::move(bytes)),
      reader_(std::make_unique<SpooledEnvelopeReader>(false)),
      piece_(kPiece) {}

SpooledDocumentText::~SpooledDocumentText() = default;

Result<std::string_view> SpooledDocumentText::next() {
  while (!done_) {
    reader_->out().clear();
    auto got = bytes_->read(piece_.data(), piece_.size());
    if (!got.is_ok()) return got.status();
    done_ = *got == 0;
    if (Status s = reader_->parse(std::string_view(piece_.data(), *got), done_); !s.is_ok()) {
      return s;
    }
    if (!reader_->out().empty()) return std::string_view(reader_->out());
  }
  return std::string_view();
}

}  // namespace portier::soap_adapter
