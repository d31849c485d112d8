#include "connectors/department/request_template.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <cstdio>
#include <memory>

namespace portier::department {
namespace {

constexpr char kFragmentOpen[] = "<portier-template>";
constexpr char kFragmentClose[] = "</portier-template>";
constexpr char kSoapOpen[] =
    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>";
constexpr char kSoapClose[] = "</soap:Body></soap:Envelope>";

// The string's JSON form without its quotes, by Boost.JSON's own serializer.
std::string escape_json(std::string_view s) {
  std::string quoted = boost::json::serialize(boost::json::string(s));
  return quoted.substr(1, quoted.size() - 2);
}

// Replaces every ${name} in `text`; `on_value` turns a value into what is written.
template <class OnValue>
std::string substitute(std::string_view text, const TemplateValues& values, OnValue on_value) {
  std::string out;
  size_t at = 0;
  for (;;) {
    size_t open = text.find("${", at);
    size_t close = open == std::string_view::npos ? open : text.find('}', open + 2);
    if (close == std::string_view::npos) {
      out.append(text.substr(at));
      return out;
    }
    out.append(text.substr(at, open - at));
    auto found = values.find(std::string(text.substr(open + 2, close - open - 2)));
    if (found != values.end()) out += on_value(found->second);
    at = close + 1;
  }
}

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct BufferFree {
  void operator()(xmlBuffer* b) const { xmlBufferFree(b); }
};

// Replaces the placeholders in every text, CDATA and attribute value below `node`.
void fill_tree(xmlNode* node, const TemplateValues& values) {
  for (xmlNode* n = node; n != nullptr; n = n->next) {
    if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content) {
      const std::string_view text(reinterpret_cast<const char*>(n->content));
      if (text.find("${") != std::string_view::npos) {
        const std::string filled = substitute(text, values, [](const std::string& v) { return v; });
        // Text nodes take their content as it is: no entity is parsed, the writer escapes it.
        xmlNodeSetContentLen(n, reinterpret_cast<const xmlChar*>(filled.data()),
                             static_cast<int>(filled.size()));
      }
    }
    if (n->type == XML_ELEMENT_NODE) {
      for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
        fill_tree(a->children, values);
      }
      fill_tree(n->children, values);
    }
  }
}

}  // namespace

std::string fill_json_template(std::string_view text, const TemplateValues& values) {
  return substitute(text, values, [](const std::string& v) { return escape_json(v); });
}

std::string forbidden_xml_character(std::string_view value) {
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && u != '\t' && u != '\n' && u != '\r') {
      char name[8];
      std::snprintf(name, sizeof name, "U+%04X", u);
      return name;
    }
  }
  return {};
}

Result<std::string> fill_xml_template(std::string_view text, const TemplateValues& values,
                                      XmlFrame frame) {
  for (const auto& [name, value] : values) {
    if (text.find("${" + name + "}") == std::string_view::npos) continue;
    if (std::string bad = forbidden_xml_character(value); !bad.empty()) {
      return invalid_argument("${" + name + "}: the value holds the control character " + bad +
                              ", which XML cannot carry");
    }
  }
  const bool soap = frame == XmlFrame::kSoap11Body;
  const std::string framed = std::string(soap ? kSoapOpen : kFragmentOpen) + std::string(text) +
                             (soap ? kSoapClose : kFragmentClose);
  // Trusted text from the mapping file, still parsed without network or entity substitution.
  std::unique_ptr<xmlDoc, DocFree> doc(
      xmlReadMemory(framed.data(), static_cast<int>(framed.size()), "template.xml", "UTF-8",
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc || !xmlDocGetRootElement(doc.get())) {
    return invalid_argument("the request template is not well-formed XML");
  }
  xmlNode* root = xmlDocGetRootElement(doc.get());
  fill_tree(root->children, values);
  if (soap) {
    xmlChar* bytes = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(doc.get(), &bytes, &size, "UTF-8");
    if (bytes == nullptr) return internal_error("libxml2 could not write the request");
    std::string out(reinterpret_cast<const char*>(bytes), static_cast<size_t>(size));
    xmlFree(bytes);
    return out;
  }
  std::unique_ptr<xmlBuffer, BufferFree> buffer(xmlBufferCreate());
  if (!buffer) return internal_error("libxml2 could not write the request");
  for (xmlNode* n = root->children; n != nullptr; n = n->next) {
    if (xmlNodeDump(buffer.get(), doc.get(), n, 0, 0) < 0) {
      return internal_error("libxml2 could not write the request");
    }
  }
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer.get())),
                     static_cast<size_t>(xmlBufferLength(buffer.get())));
}

}  // namespace portier::department
