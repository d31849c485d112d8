#include "core/mapping/form_fields.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <memory>

namespace portier::mapping {
namespace {

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct ContextFree {
  void operator()(xmlXPathContext* c) const { xmlXPathFreeContext(c); }
};
struct ObjectFree {
  void operator()(xmlXPathObject* o) const { xmlXPathFreeObject(o); }
};
struct ParserFree {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

const xmlChar* x(const std::string& s) { return reinterpret_cast<const xmlChar*>(s.c_str()); }

std::string trim(std::string s) {
  const char* space = " \t\r\n";
  size_t first = s.find_first_not_of(space);
  if (first == std::string::npos) return "";
  size_t last = s.find_last_not_of(space);
  return s.substr(first, last - first + 1);
}

void ignore_errors(void*, const char*, ...) {}
void ignore_structured(void*, xmlErrorPtr) {}

}  // namespace

Result<FormFields> map_form_fields(const Forms& forms, const FormRule& rule,
                                   std::string_view form_data, const xml::GuardLimits& limits) {
  if (form_data.size() > kMaxFormDataBytes) {
    return invalid_argument("form data: " + std::to_string(form_data.size()) +
                            " bytes, more than the " + std::to_string(kMaxFormDataBytes) +
                            " allowed");
  }
  xml::GuardLimits bounded = limits;
  bounded.max_bytes = kMaxFormDataBytes;
  if (Status s = xml::check_untrusted_xml(form_data, bounded, "form data"); !s.is_ok()) return s;
  std::unique_ptr<xmlParserCtxt, ParserFree> parser(xmlNewParserCtxt());
  if (!parser) return Status(StatusCode::kInternal, "form data: no parser context");
  // No NOENT (entities stay references), no DTDLOAD, no network: nothing is fetched.
  std::unique_ptr<xmlDoc, DocFree> doc(xmlCtxtReadMemory(
      parser.get(), form_data.data(), static_cast<int>(form_data.size()), "form.xml", nullptr,
      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) {
    const xmlError* e = xmlCtxtGetLastError(parser.get());
    std::string why = e != nullptr && e->message != nullptr ? trim(e->message) : "unreadable";
    int line = e != nullptr ? e->line : 0;
    return invalid_argument("form data is not well-formed XML (line " + std::to_string(line) +
                            "): " + why);
  }
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
    return invalid_argument("form data has a DOCTYPE, which forms never need; refused");
  }
  std::unique_ptr<xmlXPathContext, ContextFree> ctx(xmlXPathNewContext(doc.get()));
  if (!ctx) return Status(StatusCode::kInternal, "form data: no XPath context");
  for (const auto& [prefix, uri] : rule.namespaces) {
    xmlXPathRegisterNs(ctx.get(), x(prefix), x(uri));
  }
  FormFields fields;
  for (const FormField& f : rule.fields) {
    std::unique_ptr<xmlXPathObject, ObjectFree> found(
        xmlXPathEvalExpression(x(f.select), ctx.get()));
    if (!found) {
      return invalid_argument("field '" + f.name + "': cannot evaluate " + f.select);
    }
    xmlChar* text = xmlXPathCastToString(found.get());
    std::string value = trim(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    xmlFree(text);
    if (value.empty()) {
      if (f.required) {
        return invalid_argument("required field '" + f.name + "' (" + f.select +
                                ") is missing or empty");
      }
      fields[f.name] = "";
      continue;
    }
    if (!f.table.empty()) {
      auto table = forms.tables.find(f.table);
      auto entry =
          table == forms.tables.end() ? decltype(table->second.end()){} : table->second.find(value);
      if (table == forms.tables.end() || entry == table->second.end()) {
        return invalid_argument("field '" + f.name + "': value '" + value + "' is not in table '" +
                                f.table + "'");
      }
      value = entry->second;
    }
    fields[f.name] = std::move(value);
  }
  return fields;
}

std::string xpath_problem(const std::string& expression) {
  // libxml2 prints XPath syntax errors; keep them off stderr, and put back whatever handlers
  // the caller (e.g. the schema validation's) had installed.
  xmlGenericErrorFunc generic = xmlGenericError;
  void* generic_context = xmlGenericErrorContext;
  xmlStructuredErrorFunc structured = xmlStructuredError;
  void* structured_context = xmlStructuredErrorContext;
  xmlSetGenericErrorFunc(nullptr, ignore_errors);
  xmlSetStructuredErrorFunc(nullptr, ignore_structured);
  xmlXPathCompExprPtr compiled = xmlXPathCompile(x(expression));
  xmlSetGenericErrorFunc(generic_context, generic);
  xmlSetStructuredErrorFunc(structured_context, structured);
  if (compiled == nullptr) return "not a valid XPath 1.0 expression";
  xmlXPathFreeCompExpr(compiled);
  return "";
}

}  // namespace portier::mapping
