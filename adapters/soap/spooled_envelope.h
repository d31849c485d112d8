#pragma once
// A SOAP request too large for memory (an http::SpooledBody), read with libxml2's SAX2 push
// parser in pieces so that memory does not grow with it. Only deliverDocument/document can be
// large; everything else in a request is small. Two passes:
//
//  1. read_spooled_envelope: every piece goes through the shape guard (XmlShapeStream, the
//     rules of check_xml_shape) before the parser sees it, so a DTD, deep nesting or an
//     attribute flood is refused as in memory. The envelope is written out again with the text
//     of deliverDocument/document replaced by a stand-in, small enough for the gSOAP codec,
//     authentication and the checks of the request. The stand-in keeps what the codec would
//     say about the text: empty stays empty, text with a character outside base64 stays such.
//  2. SpooledDocumentText: once the request is accepted that far, the document's base64 text
//     again, piece by piece, for DocumentStore::store_base64_stream.
//
// The root part of an MTOM request (mtom_package.h) is read the same way, from a ByteSource.
// There, and only there, deliverDocument/document may instead hold one xop:Include as its only
// content: the envelope gets the stand-in, the Include's href is returned, and an Include
// anywhere else is refused.
//
// No DTD reaches the parser (the guard refuses it, the parser stops at one too), entities are
// only the predefined ones, and the network is never used.
// Threads: blocking file reads; call on worker threads. Each object belongs to one thread.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/spooled_body.h"
#include "adapters/soap/byte_source.h"
#include "core/xml/shape_guard.h"
#include "core/base/status.h"

namespace portier::soap_adapter {

struct SpooledEnvelope {
  std::string envelope;         // the request, with the document's text replaced
  bool has_document = false;    // deliverDocument/document held base64 text (or an xop:Include)
  uint64_t document_size = 0;   // the bytes that text decodes to
  std::string body_sha256;      // hex, of the bytes read
  std::optional<std::string> xop_href;  // the href of deliverDocument/document's xop:Include
};

// Reads `body` from its start; keeps it alive.
std::unique_ptr<ByteSource> body_bytes(std::shared_ptr<const http::SpooledBody> body);

// kInvalidArgument "XML refused (<rule>): <detail>" for the shape guard, "malformed XML: ..."
// for the parser; kUnavailable if the body cannot be read. `rule` gets the guard's rule, or
// "malformed" for a parser error, or "xop" for a misplaced xop:Include (for the log).
// `xop_include`: the envelope is an MTOM root part, whose document may be an xop:Include;
// otherwise an xop:Include is just an element (and gSOAP refuses it in p:document).
Result<SpooledEnvelope> read_spooled_envelope(ByteSource& bytes, const xml::GuardLimits& limits,
                                              std::string& rule, bool xop_include = false);
Result<SpooledEnvelope> read_spooled_envelope(const http::SpooledBody& body,
                                              const xml::GuardLimits& limits, std::string& rule);

class SpooledEnvelopeReader;  // one pass of the push parser

// The base64 text of deliverDocument/document, as a ChunkSource: next() gives the following
// piece, "" at the end.
class SpooledDocumentText {
 public:
  explicit SpooledDocumentText(std::shared_ptr<const http::SpooledBody> body);
  explicit SpooledDocumentText(std::unique_ptr<ByteSource> bytes);
  ~SpooledDocumentText();
  SpooledDocumentText(const SpooledDocumentText&) = delete;
  SpooledDocumentText& operator=(const SpooledDocumentText&) = delete;

  Result<std::string_view> next();

 private:
  std::unique_ptr<ByteSource> bytes_;
  std::unique_ptr<SpooledEnvelopeReader> reader_;
  std::vector<char> piece_;
  bool done_ = false;
};

}  // namespace portier::soap_adapter
