#pragma once
// SOAP 1.1 envelopes of the APF web service (docs/contracts/afs-apf.md), written and read with
// libxml2 only: a small writer that builds the Body's one element, and a reader that parses an
// envelope (refusing DTDs, no network, no entity substitution) and answers namespace-aware
// XPath questions. Shared by the connector and the APF simulator, so both speak one contract.
// Value types; one object per thread.
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/base64.h"
#include "core/base/status.h"
#include "core/xml/shape_guard.h"

namespace portier::afs {

inline constexpr char kApfNamespace[] = "urn:portier:afs:apf:1";
inline constexpr char kSoapNamespace[] = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr char kWsseNamespace[] =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
// Responses (base64 PDFs and attachments included) larger than this are refused.
inline constexpr size_t kMaxEnvelopeBytes = 64u << 20;

// Base64 by Portier's one set of rules (core/base/base64.h); line breaks in the text are skipped.
using portier::base64_decode;
using portier::base64_encode;

// Builds one envelope: the Body's operation element in the APF namespace, children appended
// under it (or under a child returned by add()). Text is escaped by libxml2.
class EnvelopeWriter {
 public:
  explicit EnvelopeWriter(const std::string& operation);
  ~EnvelopeWriter();
  EnvelopeWriter(const EnvelopeWriter&) = delete;
  EnvelopeWriter& operator=(const EnvelopeWriter&) = delete;

  xmlNode* operation() { return operation_; }
  // <apf:name>text</apf:name> under `parent` (the operation element if null).
  xmlNode* add(const std::string& name, const std::string& text = {}, xmlNode* parent = nullptr);
  // A WS-Security UsernameToken (PasswordText; the channel is TLS in production).
  void username_token(const std::string& user, const std::string& password);
  // A SOAP 1.1 Fault instead of an operation: faultcode soap:Client or soap:Server, with
  // <detail><apf:fault><apf:code>CODE</apf:code></apf:fault></detail>.
  static std::string fault(bool client, const std::string& code, const std::string& text);
  std::string serialize() const;

 private:
  xmlDoc* doc_ = nullptr;
  xmlNode* header_ = nullptr;
  xmlNode* operation_ = nullptr;
  xmlNs* apf_ = nullptr;
};

// A parsed envelope. Prefixes in queries: soap, apf, wsse.
class EnvelopeReader {
 public:
  // kInvalidArgument: not XML, a DOCTYPE, too large, or no SOAP Body with one element.
  // The shape guard (`limits`, but at most kMaxEnvelopeBytes) runs before the parser.
  static Result<EnvelopeReader> parse(std::string_view body, const xml::GuardLimits& limits = {});
  EnvelopeReader(EnvelopeReader&&) noexcept;
  EnvelopeReader& operator=(EnvelopeReader&&) noexcept;
  ~EnvelopeReader();

  // Local name of the Body's first element and whether it is in the APF namespace.
  std::string operation() const;
  bool is_fault() const;
  // The string value of `xpath` (relative to `context`, the document if null); "" if none.
  std::string text(const std::string& xpath, xmlNode* context = nullptr) const;
  std::vector<xmlNode*> nodes(const std::string& xpath, xmlNode* context = nullptr) const;

 private:
  EnvelopeReader() = default;
  xmlDoc* doc_ = nullptr;
  xmlXPathContext* xpath_ = nullptr;
};

}  // namespace portier::afs
