#include "adapters/soap/xml_guard.h"

#include <algorithm>
#include <cctype>

namespace portier::soap_adapter {
namespace {

GuardVerdict refuse(std::string rule, std::string detail) {
  return {false, std::move(rule), std::move(detail)};
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool ends_name(char c) { return is_space(c) || c == '/' || c == '>' || c == '='; }

// Case-insensitive search for the declared encoding in an XML declaration.
bool declares_other_than_utf8(std::string_view decl) {
  std::string lower(decl);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  size_t at = lower.find("encoding");
  if (at == std::string::npos) return false;
  size_t quote = lower.find_first_of("\"'", at);
  if (quote == std::string::npos) return false;
  size_t end = lower.find(lower[quote], quote + 1);
  std::string value = lower.substr(quote + 1, end - quote - 1);
  return value != "utf-8" && value != "utf8";
}

}  // namespace

GuardVerdict check_xml_shape(std::string_view x, const GuardLimits& limits) {
  if (x.size() > limits.max_bytes) {
    return refuse("size", "document larger than " + std::to_string(limits.max_bytes) + " bytes");
  }
  uint32_t depth = 0;
  uint32_t namespaces_total = 0;
  size_t i = 0;
  const size_t n = x.size();
  auto skip_past = [&](std::string_view end) {
    size_t at = x.find(end, i);
    i = at == std::string_view::npos ? n : at + end.size();
  };
  while (i < n) {
    size_t lt = x.find('<', i);
    if (lt == std::string_view::npos) break;
    i = lt + 1;
    if (i >= n) break;
    if (x.substr(lt, 4) == "<!--") {
      skip_past("-->");
    } else if (x.substr(lt, 9) == "<![CDATA[") {
      skip_past("]]>");
    } else if (x[i] == '!') {
      return refuse("doctype", "DTDs and entity declarations (<!DOCTYPE, <!ENTITY) are not allowed");
    } else if (x[i] == '?') {
      size_t start = i;
      skip_past("?>");
      std::string_view pi = x.substr(start, i - start);
      if (pi.size() > 4 && pi.starts_with("?xml") && is_space(pi[4]) &&
          declares_other_than_utf8(pi)) {
        return refuse("encoding", "only UTF-8 documents are accepted");
      }
    } else if (x[i] == '/') {
      if (depth > 0) --depth;
      skip_past(">");
    } else {
      size_t name_start = i;
      while (i < n && !ends_name(x[i])) ++i;
      if (i - name_start > limits.max_name_length) {
        return refuse("name length", "an element name is longer than " +
                                         std::to_string(limits.max_name_length) + " characters");
      }
      uint32_t attributes = 0;
      uint32_t namespaces = 0;
      bool self_closing = false;
      while (i < n) {
        while (i < n && is_space(x[i])) ++i;
        if (i >= n) break;
        if (x[i] == '>') {
          ++i;
          break;
        }
        if (x[i] == '/') {
          self_closing = true;
          ++i;
          continue;
        }
        size_t attr_start = i;
        while (i < n && !ends_name(x[i])) ++i;
        std::string_view attr = x.substr(attr_start, i - attr_start);
        if (attr.empty()) {
          ++i;  // stray character: the parser will report it
          continue;
        }
        if (attr.size() > limits.max_name_length) {
          return refuse("name length", "an attribute name is longer than " +
                                           std::to_string(limits.max_name_length) + " characters");
        }
        if (++attributes > limits.max_attributes_per_element) {
          return refuse("attributes", "an element has more than " +
                                          std::to_string(limits.max_attributes_per_element) +
                                          " attributes");
        }
        if (attr == "xmlns" || attr.starts_with("xmlns:")) {
          if (++namespaces > limits.max_namespaces_per_element) {
            return refuse("namespaces", "an element declares more than " +
                                            std::to_string(limits.max_namespaces_per_element) +
                                            " namespaces");
          }
          if (++namespaces_total > limits.max_namespaces_total) {
            return refuse("namespaces", "the document declares more than " +
                                            std::to_string(limits.max_namespaces_total) +
                                            " namespaces");
          }
        }
        while (i < n && is_space(x[i])) ++i;
        if (i < n && x[i] == '=') {
          ++i;
          while (i < n && is_space(x[i])) ++i;
          if (i < n && (x[i] == '"' || x[i] == '\'')) {
            size_t close = x.find(x[i], i + 1);
            i = close == std::string_view::npos ? n : close + 1;
          }
        }
      }
      if (!self_closing && ++depth > limits.max_depth) {
        return refuse("depth", "elements nested deeper than " + std::to_string(limits.max_depth));
      }
    }
  }
  return {};
}

}  // namespace portier::soap_adapter
