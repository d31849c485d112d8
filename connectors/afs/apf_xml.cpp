#include "connectors/afs/apf_xml.h"

#include <libxml/parser.h>
#include <libxml/xpathInternals.h>
#include <openssl/evp.h>

namespace portier::afs {
namespace {

const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
const xmlChar* x(const std::string& s) { return x(s.c_str()); }

// An element without a namespace (xmlNewChild would give it its parent's), as SOAP 1.1 wants
// faultcode, faultstring and detail.
xmlNode* unqualified(xmlNode* parent, const char* name, const std::string* text) {
  xmlNode* node = xmlNewDocNode(parent->doc, nullptr, x(name), nullptr);
  if (text != nullptr) xmlNodeAddContent(node, x(*text));
  return xmlAddChild(parent, node);
}

}  // namespace

EnvelopeWriter::EnvelopeWriter(const std::string& operation) {
  doc_ = xmlNewDoc(x("1.0"));
  xmlNode* envelope = xmlNewNode(nullptr, x("Envelope"));
  xmlNs* soap = xmlNewNs(envelope, x(kSoapNamespace), x("soap"));
  xmlSetNs(envelope, soap);
  apf_ = xmlNewNs(envelope, x(kApfNamespace), x("apf"));
  xmlDocSetRootElement(doc_, envelope);
  header_ = xmlNewChild(envelope, soap, x("Header"), nullptr);
  xmlNode* body = xmlNewChild(envelope, soap, x("Body"), nullptr);
  if (!operation.empty()) operation_ = xmlNewChild(body, apf_, x(operation), nullptr);
}

EnvelopeWriter::~EnvelopeWriter() { xmlFreeDoc(doc_); }

xmlNode* EnvelopeWriter::add(const std::string& name, const std::string& text, xmlNode* parent) {
  return xmlNewTextChild(parent != nullptr ? parent : operation_, apf_, x(name),
                         text.empty() ? nullptr : x(text));
}

void EnvelopeWriter::username_token(const std::string& user, const std::string& password) {
  xmlNode* security = xmlNewChild(header_, nullptr, x("Security"), nullptr);
  xmlNs* wsse = xmlNewNs(security, x(kWsseNamespace), x("wsse"));
  xmlSetNs(security, wsse);
  xmlNode* token = xmlNewChild(security, wsse, x("UsernameToken"), nullptr);
  xmlNewTextChild(token, wsse, x("Username"), x(user));
  xmlNewTextChild(token, wsse, x("Password"), x(password));
}

std::string EnvelopeWriter::fault(bool client, const std::string& code, const std::string& text) {
  EnvelopeWriter w("");
  xmlNode* body = xmlLastElementChild(xmlDocGetRootElement(w.doc_));
  xmlNode* fault = xmlNewChild(body, body->ns, x("Fault"), nullptr);
  const std::string fault_code = client ? "soap:Client" : "soap:Server";
  unqualified(fault, "faultcode", &fault_code);
  unqualified(fault, "faultstring", &text);
  xmlNode* detail = unqualified(fault, "detail", nullptr);
  xmlNode* apf_fault = xmlNewChild(detail, w.apf_, x("fault"), nullptr);
  xmlNewTextChild(apf_fault, w.apf_, x("code"), x(code));
  return w.serialize();
}

std::string EnvelopeWriter::serialize() const {
  xmlChar* bytes = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc_, &bytes, &size, "UTF-8");
  std::string out(reinterpret_cast<const char*>(bytes), static_cast<size_t>(size));
  xmlFree(bytes);
  return out;
}

Result<EnvelopeReader> EnvelopeReader::parse(std::string_view body,
                                             const xml::GuardLimits& limits) {
  if (body.size() > kMaxEnvelopeBytes) return invalid_argument("SOAP envelope too large");
  xml::GuardLimits bounded = limits;
  bounded.max_bytes = kMaxEnvelopeBytes;
  if (Status s = xml::check_untrusted_xml(body, bounded, "the answer"); !s.is_ok()) return s;
  EnvelopeReader r;
  // No NOENT, no DTD loading, no network; XML_PARSE_HUGE for large base64 text nodes.
  r.doc_ =
      xmlReadMemory(body.data(), static_cast<int>(body.size()), "apf.xml", nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
  if (r.doc_ == nullptr) return invalid_argument("the answer is not well-formed XML");
  if (r.doc_->intSubset != nullptr) return invalid_argument("the answer has a DOCTYPE; refused");
  r.xpath_ = xmlXPathNewContext(r.doc_);
  xmlXPathRegisterNs(r.xpath_, x("soap"), x(kSoapNamespace));
  xmlXPathRegisterNs(r.xpath_, x("apf"), x(kApfNamespace));
  xmlXPathRegisterNs(r.xpath_, x("wsse"), x(kWsseNamespace));
  if (r.nodes("/soap:Envelope/soap:Body/*").size() != 1) {
    return invalid_argument("not a SOAP 1.1 envelope with one Body element");
  }
  return r;
}

EnvelopeReader::EnvelopeReader(EnvelopeReader&& o) noexcept : doc_(o.doc_), xpath_(o.xpath_) {
  o.doc_ = nullptr;
  o.xpath_ = nullptr;
}

EnvelopeReader& EnvelopeReader::operator=(EnvelopeReader&& o) noexcept {
  std::swap(doc_, o.doc_);
  std::swap(xpath_, o.xpath_);
  return *this;
}

EnvelopeReader::~EnvelopeReader() {
  if (xpath_ != nullptr) xmlXPathFreeContext(xpath_);
  if (doc_ != nullptr) xmlFreeDoc(doc_);
}

std::string EnvelopeReader::operation() const {
  auto body = nodes("/soap:Envelope/soap:Body/*");
  if (body.empty()) return "";
  const xmlNode* op = body.front();
  bool ours = op->ns != nullptr && xmlStrcmp(op->ns->href, x(kApfNamespace)) == 0;
  return ours ? reinterpret_cast<const char*>(op->name) : "";
}

bool EnvelopeReader::is_fault() const {
  return !nodes("/soap:Envelope/soap:Body/soap:Fault").empty();
}

std::string EnvelopeReader::text(const std::string& xpath, xmlNode* context) const {
  xpath_->node = context != nullptr ? context : xmlDocGetRootElement(doc_);
  xmlXPathObject* found = xmlXPathEvalExpression(x(xpath), xpath_);
  if (found == nullptr) return "";
  xmlChar* value = xmlXPathCastToString(found);
  std::string out = value != nullptr ? reinterpret_cast<const char*>(value) : "";
  xmlFree(value);
  xmlXPathFreeObject(found);
  return out;
}

std::vector<xmlNode*> EnvelopeReader::nodes(const std::string& xpath, xmlNode* context) const {
  xpath_->node = context != nullptr ? context : xmlDocGetRootElement(doc_);
  std::vector<xmlNode*> out;
  xmlXPathObject* found = xmlXPathEvalExpression(x(xpath), xpath_);
  if (found == nullptr) return out;
  if (found->type == XPATH_NODESET && found->nodesetval != nullptr) {
    for (int i = 0; i < found->nodesetval->nodeNr; ++i)
      out.push_back(found->nodesetval->nodeTab[i]);
  }
  xmlXPathFreeObject(found);
  return out;
}

}  // namespace portier::afs
