#pragma once
// A file people edit (the configuration, a mapping file) as a libxml2 tree: parsed with safe
// options (no network, no entity expansion, no DTD: a DOCTYPE is refused), validated against an
// XSD compiled into the binary, with the line of every element and of every attribute kept so
// that each finding can point at it.
// Used by core/config and core/mapping. Any thread may read a file; one ConfigDocument is used
// by one thread at a time; a DocumentSchema is immutable once built and shared by all threads.
// libxml2's error handlers are redirected for the calling thread while a file is read, so
// nothing is printed to stderr.
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace portier::config {

inline constexpr char kNamespace[] = "urn:portier:config:1";

// One kind of document: its XSD (compiled once, when the DocumentSchema is built), the
// namespace of its elements, the word that names it in messages ("configuration", "mapping")
// and the attributes that hold secret references (libxml2 quotes attribute values in its
// messages, and an invalid reference may be the secret itself, so those are never passed on).
// Build each one once, as a function-local static.
class DocumentSchema {
 public:
  DocumentSchema(std::string_view xsd, std::string namespace_uri, std::string kind,
                 std::vector<std::string> secret_attributes);
  ~DocumentSchema();
  DocumentSchema(const DocumentSchema&) = delete;
  DocumentSchema& operator=(const DocumentSchema&) = delete;

  const std::string& namespace_uri() const { return namespace_uri_; }
  const std::string& kind() const { return kind_; }
  bool is_secret_attribute(std::string_view name) const;
  // Null if the XSD does not compile (a build error); then error() says why.
  xmlSchemaPtr compiled() const { return compiled_; }
  const std::string& error() const { return error_; }

 private:
  std::string namespace_uri_;
  std::string kind_;
  std::vector<std::string> secret_attributes_;
  xmlSchemaPtr compiled_ = nullptr;
  std::string error_;
};

// The configuration schema (config/portier.xsd, namespace kNamespace).
const DocumentSchema& config_schema();

// A problem before it gets its file name. `attribute` is set when the problem is about one
// attribute; a loader finding then replaces the schema's finding for the same attribute.
struct Finding {
  int line = 0;
  std::string attribute;
  std::string message;
  bool from_schema = false;
};

class ConfigDocument {
 public:
  // Parses and validates `text` against `schema`; `file_name` is used in libxml2's own
  // messages only. Every problem found is appended to `findings`.
  static ConfigDocument read(std::string_view text, const std::string& file_name,
                             const DocumentSchema& schema, std::vector<Finding>& findings);
  // The same against the configuration schema.
  static ConfigDocument read(std::string_view text, const std::string& file_name,
                             std::vector<Finding>& findings) {
    return read(text, file_name, config_schema(), findings);
  }

  // The root element if the text was well-formed XML without a DOCTYPE, else null.
  xmlNode* root() const;
  // True if the document is well-formed and valid against the schema.
  bool schema_valid() const { return schema_valid_; }

  // Where an element starts (its '<'), and where one of its attributes is written.
  int line_of(const xmlNode* element) const;
  int line_of(const xmlNode* element, std::string_view attribute) const;

  ConfigDocument(ConfigDocument&&) = default;
  ConfigDocument& operator=(ConfigDocument&&) = default;

  // Line bookkeeping while parsing; public only for the SAX callback.
  using AttributeLines = std::map<std::string, int, std::less<>>;
  std::map<const xmlNode*, AttributeLines> attribute_lines;

 private:
  ConfigDocument() = default;

  struct FreeDoc {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
  };
  std::unique_ptr<xmlDoc, FreeDoc> doc_;
  bool schema_valid_ = false;
};

}  // namespace portier::config
