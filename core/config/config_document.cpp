#include "core/config/config_document.h"

#include <libxml/SAX2.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include "core/config/schema.h"

namespace portier::config {
namespace {

// Safe options for a file people edit: never the network, never expand entities or load a
// DTD (XML_PARSE_NOENT, XML_PARSE_DTDLOAD stay off), no XInclude, no huge-document mode.
// Line numbers above 65535 are kept too.
constexpr int kParseOptions = XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_BIG_LINES;

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// "Element 'x', attribute 'port': ..." -> "port".
std::string attribute_named_in(const std::string& message) {
  static constexpr std::string_view kMarker = "attribute '";
  size_t at = message.find(kMarker);
  if (at == std::string::npos) return {};
  at += kMarker.size();
  size_t end = message.find('\'', at);
  if (end == std::string::npos) return {};
  return message.substr(at, end - at);
}

// Receives every libxml2 error raised on this thread while a file is read.
struct ErrorSink {
  std::vector<Finding>* findings = nullptr;
  const ConfigDocument* document = nullptr;  // for attribute lines
  const DocumentSchema* schema = nullptr;    // for the namespace and the secret attributes
  bool doctype_refused = false;
  bool in_schema_validation = false;
  std::string generic_text;  // unstructured messages, collected piecewise

  void add(const xmlError& error) {
    // After a refused DOCTYPE the parser is stopped; what it says then is noise.
    if (doctype_refused && error.domain == XML_FROM_PARSER) return;
    Finding finding;
    finding.from_schema = in_schema_validation;
    finding.message = trim(error.message != nullptr ? error.message : "unknown XML error");
    if (schema != nullptr) replace_all(finding.message, "{" + schema->namespace_uri() + "}", "");
    finding.attribute = attribute_named_in(finding.message);
    if (schema != nullptr && schema->is_secret_attribute(finding.attribute) &&
        finding.message.find("is required but missing") == std::string::npos) {
      finding.message = "attribute '" + finding.attribute +
                        "': not a secret reference env:NAME or file:PATH (the value is not shown)";
    }
    const auto* node = static_cast<const xmlNode*>(error.node);
    if (node != nullptr && node->type == XML_ELEMENT_NODE && document != nullptr) {
      finding.line = finding.attribute.empty() ? document->line_of(node)
                                               : document->line_of(node, finding.attribute);
    } else {
      finding.line = std::max(error.line, 0);
    }
    findings->push_back(std::move(finding));
  }
};

void on_structured_error(void* data, xmlErrorPtr error) {
  if (error != nullptr) static_cast<ErrorSink*>(data)->add(*error);
}

void on_generic_error(void* data, const char* format, ...) {
  char buffer[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  static_cast<ErrorSink*>(data)->generic_text += buffer;
}

// Routes libxml2's error reporting of the calling thread (libxml2 keeps these handlers per
// thread) to an ErrorSink, and restores the previous handlers on destruction.
class ErrorCapture {
 public:
  explicit ErrorCapture(ErrorSink& sink)
      : old_structured_(xmlStructuredError),
        old_structured_context_(xmlStructuredErrorContext),
        old_generic_(xmlGenericError),
        old_generic_context_(xmlGenericErrorContext) {
    xmlSetStructuredErrorFunc(&sink, on_structured_error);
    xmlSetGenericErrorFunc(&sink, on_generic_error);
  }
  ~ErrorCapture() {
    xmlSetStructuredErrorFunc(old_structured_context_, old_structured_);
    xmlSetGenericErrorFunc(old_generic_context_, old_generic_);
  }
  ErrorCapture(const ErrorCapture&) = delete;
  ErrorCapture& operator=(const ErrorCapture&) = delete;

 private:
  xmlStructuredErrorFunc old_structured_;
  void* old_structured_context_;
  xmlGenericErrorFunc old_generic_;
  void* old_generic_context_;
};

// What the SAX callbacks need; reached through the parser context's _private.
struct ParseState {
  ConfigDocument* document;
  ErrorSink* sink;
};

int count_newlines(const xmlChar* begin, const xmlChar* end) {
  return static_cast<int>(std::count(begin, end, '\n'));
}

bool is_space(xmlChar c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Records the line of each attribute in the start tag [begin, end), whose '<' is on `line`.
// The parser has already checked the tag, so this only needs to find the names.
void record_attribute_lines(const xmlChar* begin, const xmlChar* end, int line,
                            ConfigDocument::AttributeLines& lines) {
  const xmlChar* p = begin + 1;
  while (p < end && !is_space(*p) && *p != '/' && *p != '>') ++p;  // element name
  while (p < end) {
    while (p < end && is_space(*p)) {
      if (*p == '\n') ++line;
      ++p;
    }
    if (p >= end || *p == '/' || *p == '>') return;
    const xmlChar* name = p;
    while (p < end && !is_space(*p) && *p != '=') ++p;
    lines.emplace(std::string(reinterpret_cast<const char*>(name), p - name), line);
    while (p < end && *p != '"' && *p != '\'') {
      if (*p == '\n') ++line;
      ++p;
    }
    if (p >= end) return;
    const xmlChar quote = *p++;
    while (p < end && *p != quote) {
      if (*p == '\n') ++line;
      ++p;
    }
    ++p;
  }
}

// libxml2 stamps an element with the line where its start tag ends; people look for the line
// where it begins, and for the line of the attribute that is wrong.
void on_start_element(void* context, const xmlChar* local_name, const xmlChar* prefix,
                      const xmlChar* uri, int namespace_count, const xmlChar** namespaces,
                      int attribute_count, int defaulted_count, const xmlChar** attributes) {
  xmlSAX2StartElementNs(context, local_name, prefix, uri, namespace_count, namespaces,
                        attribute_count, defaulted_count, attributes);
  auto* parser = static_cast<xmlParserCtxtPtr>(context);
  auto* state = static_cast<ParseState*>(parser->_private);
  xmlNode* node = parser->node;
  xmlParserInputPtr input = parser->input;
  if (node == nullptr || input == nullptr || input->cur == nullptr || input->base == nullptr ||
      !xmlStrEqual(node->name, local_name)) {
    return;
  }
  // The parser stands at the end of the start tag, which holds no '<' but its first byte.
  const xmlChar* begin = input->cur;
  while (begin > input->base && *begin != '<') --begin;
  if (*begin != '<') return;
  const int line = input->line - count_newlines(begin, input->cur);
  if (line <= 0) return;
  if (line < 65535) node->line = static_cast<unsigned short>(line);
  record_attribute_lines(begin, input->cur, line, state->document->attribute_lines[node]);
}

// Any DOCTYPE is refused before its internal subset is even read: a configuration file has
// no use for one, and entity declarations are how XML bombs start.
void on_doctype(void* context, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* parser = static_cast<xmlParserCtxtPtr>(context);
  auto* state = static_cast<ParseState*>(parser->_private);
  state->sink->findings->push_back({parser->input != nullptr ? parser->input->line : 0, "",
                                    "a DOCTYPE is not allowed in a " + state->sink->schema->kind() +
                                        " file; remove the <!DOCTYPE ...> declaration",
                                    false});
  state->sink->doctype_refused = true;
  xmlStopParser(parser);
}

}  // namespace

DocumentSchema::DocumentSchema(std::string_view xsd, std::string namespace_uri, std::string kind,
                               std::vector<std::string> secret_attributes)
    : namespace_uri_(std::move(namespace_uri)),
      kind_(std::move(kind)),
      secret_attributes_(std::move(secret_attributes)) {
  xmlInitParser();
  ErrorSink sink;
  std::vector<Finding> findings;
  sink.findings = &findings;
  ErrorCapture capture(sink);
  xmlSchemaParserCtxtPtr parser =
      xmlSchemaNewMemParserCtxt(xsd.data(), static_cast<int>(xsd.size()));
  if (parser != nullptr) {
    xmlSchemaSetParserStructuredErrors(parser, on_structured_error, &sink);
    compiled_ = xmlSchemaParse(parser);
    xmlSchemaFreeParserCtxt(parser);
  }
  if (compiled_ == nullptr) {
    error_ = "internal error: the built-in " + kind_ + " schema does not compile";
    if (!findings.empty()) error_ += ": " + findings.front().message;
  }
}

DocumentSchema::~DocumentSchema() {
  if (compiled_ != nullptr) xmlSchemaFree(compiled_);
}

bool DocumentSchema::is_secret_attribute(std::string_view name) const {
  return std::find(secret_attributes_.begin(), secret_attributes_.end(), name) !=
         secret_attributes_.end();
}

const DocumentSchema& config_schema() {
  static const DocumentSchema schema(schema_text(), kNamespace, "configuration",
                                     {"clientSecret", "passphrase"});
  return schema;
}

ConfigDocument ConfigDocument::read(std::string_view text, const std::string& file_name,
                                    const DocumentSchema& schema, std::vector<Finding>& findings) {
  xmlInitParser();
  ConfigDocument document;
  ErrorSink sink;
  sink.findings = &findings;
  sink.document = &document;
  sink.schema = &schema;
  ErrorCapture capture(sink);

  xmlParserCtxtPtr parser = xmlCreateMemoryParserCtxt(text.data(), static_cast<int>(text.size()));
  if (parser == nullptr) {
    findings.push_back({0, "", "cannot start the XML parser (out of memory?)", false});
    return document;
  }
  ParseState state{&document, &sink};
  parser->_private = &state;
  xmlCtxtUseOptions(parser, kParseOptions);
  parser->sax->startElementNs = on_start_element;
  parser->sax->internalSubset = on_doctype;
  if (parser->input != nullptr && parser->input->filename == nullptr) {
    parser->input->filename = reinterpret_cast<char*>(xmlStrdup(BAD_CAST file_name.c_str()));
  }
  xmlParseDocument(parser);
  document.doc_.reset(parser->myDoc);
  parser->myDoc = nullptr;
  const bool well_formed = parser->wellFormed != 0;
  xmlFreeParserCtxt(parser);

  if (!sink.generic_text.empty()) {
    findings.push_back({0, "", trim(sink.generic_text), false});
    sink.generic_text.clear();
  }
  if (!well_formed || sink.doctype_refused || document.doc_ == nullptr) {
    document.doc_.reset();
    return document;
  }
  if (document.doc_->intSubset != nullptr || document.doc_->extSubset != nullptr) {
    findings.push_back({0, "", "a DOCTYPE is not allowed in a " + schema.kind() + " file", false});
    document.doc_.reset();
    return document;
  }

  if (schema.compiled() == nullptr) {
    findings.push_back({0, "", schema.error(), false});
    return document;
  }
  xmlSchemaValidCtxtPtr validation = xmlSchemaNewValidCtxt(schema.compiled());
  if (validation == nullptr) {
    findings.push_back({0, "", "cannot start schema validation (out of memory?)", false});
    return document;
  }
  xmlSchemaSetValidStructuredErrors(validation, on_structured_error, &sink);
  sink.in_schema_validation = true;
  const size_t before = findings.size();
  const int result = xmlSchemaValidateDoc(validation, document.doc_.get());
  sink.in_schema_validation = false;
  xmlSchemaFreeValidCtxt(validation);
  if (!sink.generic_text.empty()) findings.push_back({0, "", trim(sink.generic_text), true});
  document.schema_valid_ = result == 0;
  if (result != 0 && findings.size() == before) {
    findings.push_back(
        {0, "", "the file is not valid against the " + schema.kind() + " schema", true});
  }
  return document;
}

xmlNode* ConfigDocument::root() const {
  return doc_ != nullptr ? xmlDocGetRootElement(doc_.get()) : nullptr;
}

int ConfigDocument::line_of(const xmlNode* element) const {
  return static_cast<int>(xmlGetLineNo(element));
}

int ConfigDocument::line_of(const xmlNode* element, std::string_view attribute) const {
  auto lines = attribute_lines.find(element);
  if (lines != attribute_lines.end()) {
    auto line = lines->second.find(attribute);
    if (line != lines->second.end()) return line->second;
  }
  return line_of(element);
}

}  // namespace portier::config
