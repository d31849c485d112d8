#pragma once
// Reading a validated ConfigDocument into values, the part the configuration loader and the
// mapping loader share: attributes read defensively (libxml2 stops validating a parent's
// children after the first misplaced element, so every value is checked again here, and a user
// still sees every problem at once), each problem a Finding on the line of its attribute,
// relative paths resolved against the file's folder, secrets resolved and never repeated.
// Internal to core/config and core/mapping. One reader per file and thread.
#include <libxml/tree.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "core/config/config_document.h"
#include "core/config/outbound_tls.h"

namespace portier::config {

std::string_view trim_space(std::string_view text);
bool is_http_url(std::string_view url);

class DocumentReader {
 public:
  DocumentReader(const ConfigDocument& document, const DocumentSchema& schema,
                 std::filesystem::path folder, std::vector<Finding>& findings)
      : document_(document), schema_(schema), folder_(std::move(folder)), findings_(findings) {}

  static std::string name_of(const xmlNode* element) {
    return reinterpret_cast<const char*>(element->name);
  }
  // An element of the schema's namespace.
  bool is_ours(const xmlNode* node) const;
  // The element children of `parent` in the schema's namespace; others are the schema's.
  std::vector<xmlNode*> children_of(const xmlNode* parent) const;

  int line(const xmlNode* element) const { return document_.line_of(element); }
  int line(const xmlNode* element, std::string_view attribute) const {
    return document_.line_of(element, attribute);
  }
  // A problem on the line of `attribute` (of the element if empty).
  void problem(const xmlNode* element, std::string attribute, std::string message);

  // `<listener> port="80x80"`: how a problem names the value it is about.
  static std::string show(const xmlNode* element, const char* attribute, std::string_view value);
  static std::optional<std::string> text(const xmlNode* element, const char* attribute);
  // The value; a problem (and "") if it is missing or blank.
  std::string required(const xmlNode* element, const char* attribute);
  // Unknown attributes without a namespace; namespaced ones (xsi:schemaLocation, for editors)
  // are left to the schema.
  void check_attributes(const xmlNode* element, std::initializer_list<std::string_view> allowed);

  // A whole number from `min` to T's maximum; `out` keeps its default when absent or wrong.
  template <class T>
  void number(const xmlNode* element, const char* attribute, T& out, uint64_t min = 1) {
    auto value = text(element, attribute);
    if (!value) return;
    std::string_view digits = trim_space(*value);
    if (digits.starts_with('+')) digits.remove_prefix(1);
    const uint64_t max = std::numeric_limits<T>::max();
    uint64_t parsed = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() ||
        parsed < min || parsed > max) {
      problem(element, attribute,
              show(element, attribute, *value) + ": expected a whole number from " +
                  std::to_string(min) + " to " + std::to_string(max));
      return;
    }
    out = static_cast<T>(parsed);
  }
  void millis(const xmlNode* element, const char* attribute, std::chrono::milliseconds& out);
  void boolean(const xmlNode* element, const char* attribute, bool& out);
  // A required http(s) URL without spaces.
  std::string url(const xmlNode* element, const char* attribute);
  // Relative paths are relative to the file's folder, not to the working folder.
  std::string resolve(const std::string& path) const;
  // Resolves a path and checks that the file can be read now, so that a typo stops the start
  // and not the first call that needs it. Empty stays empty ("none").
  std::string readable_file(const xmlNode* element, const char* attribute,
                            const std::string& value);
  // Resolves a required secret reference now; messages name the variable or file, never a
  // value, and never repeat an inline secret.
  std::string secret(const xmlNode* element, const char* attribute);
  // An outbound endpoint's TLS (core/config/outbound_tls.h): `element`'s caFile attribute and
  // its <clientCertificate> child, files readable, the key opening and matching the
  // certificate. The caller lists "caFile" among the element's attributes.
  OutboundTls outbound_tls(const xmlNode* element);

 protected:
  const ConfigDocument& document_;
  const DocumentSchema& schema_;
  const std::filesystem::path folder_;
  std::vector<Finding>& findings_;
};

// Reads a whole file of at most `max_bytes`; false with `error` set if it cannot.
bool read_document_file(const std::string& path, size_t max_bytes, const std::string& kind,
                        std::string& text, std::string& error);

// A loader finding about an attribute says it better than the schema's message about the same
// attribute (which may also have been redacted); keeps one message per attribute.
void drop_superseded(std::vector<Finding>& findings);

// Sorts findings by line and names them after `file`.
std::vector<Problem> to_problems(const std::string& file, std::vector<Finding> findings);

}  // namespace portier::config
