#pragma once
// The configuration file as a libxml2 tree: parsed with safe options (no network, no entity
// expansion, no DTD: a DOCTYPE is refused), validated against the embedded XSD, with the line
// of every element and of every attribute kept so that each finding can point at it.
// Internal to core/config. Any thread may read a file; one ConfigDocument is used by one
// thread at a time. libxml2's error handlers are redirected for the calling thread while a
// file is read, so nothing is printed to stderr.
#include <libxml/tree.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace portier::config {

inline constexpr char kNamespace[] = "urn:portier:config:1";

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
  // Parses and validates `text`, read from `file_name` (used in libxml2's own messages only).
  // Every problem found is appended to `findings`.
  static ConfigDocument read(std::string_view text, const std::string& file_name,
                             std::vector<Finding>& findings);

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
