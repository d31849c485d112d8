#include "connectors/department/answer_reader.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <boost/json.hpp>
#include <memory>

namespace portier::department {
namespace {

constexpr size_t kMaxAnswerBytes = 1 << 20;
constexpr int kMaxJsonDepth = 32;

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct ContextFree {
  void operator()(xmlXPathContext* c) const { xmlXPathFreeContext(c); }
};
struct ObjectFree {
  void operator()(xmlXPathObject* o) const { xmlXPathFreeObject(o); }
};

// The string value of `expression` (XPath's string()), or an error if it is not XPath.
Result<std::string> xpath_string(xmlXPathContext* ctx, const std::string& expression) {
  std::unique_ptr<xmlXPathObject, ObjectFree> obj(
      xmlXPathEvalExpression(BAD_CAST expression.c_str(), ctx));
  if (!obj) return invalid_argument("XPath \"" + expression + "\" cannot be evaluated");
  xmlChar* s = xmlXPathCastToString(obj.get());
  std::string out = s ? reinterpret_cast<const char*>(s) : "";
  xmlFree(s);
  return out;
}

Result<std::vector<std::string>> xpath_strings(xmlXPathContext* ctx, const std::string& expression) {
  std::unique_ptr<xmlXPathObject, ObjectFree> obj(
      xmlXPathEvalExpression(BAD_CAST expression.c_str(), ctx));
  if (!obj) return invalid_argument("XPath \"" + expression + "\" cannot be evaluated");
  std::vector<std::string> out;
  if (obj->type == XPATH_NODESET && obj->nodesetval) {
    for (int i = 0; i < obj->nodesetval->nodeNr; ++i) {
      xmlChar* s = xmlXPathCastNodeToString(obj->nodesetval->nodeTab[i]);
      if (s && *s) out.emplace_back(reinterpret_cast<const char*>(s));
      xmlFree(s);
    }
  }
  return out;
}

std::string json_text(const boost::json::value& root, const std::string& pointer) {
  if (pointer.empty()) return {};
  boost::system::error_code ec;
  const boost::json::value* v = root.find_pointer(pointer, ec);
  if (!v || ec) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  return {};
}

}  // namespace

Result<AnswerFields> read_xml_answer(std::string_view body, const mapping::IdentityAnswer& rules,
                                     const xml::GuardLimits& limits) {
  if (body.size() > kMaxAnswerBytes) return invalid_argument("the answer is too large");
  xml::GuardLimits bounded = limits;
  bounded.max_bytes = kMaxAnswerBytes;
  if (Status s = xml::check_untrusted_xml(body, bounded, "the answer"); !s.is_ok()) return s;
  std::unique_ptr<xmlDoc, DocFree> doc(xmlReadMemory(
      body.data(), static_cast<int>(body.size()), nullptr, nullptr,
      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA));
  if (!doc) return invalid_argument("the answer is not well-formed XML");
  if (doc->intSubset || doc->extSubset) return invalid_argument("the answer carries a DTD");
  std::unique_ptr<xmlXPathContext, ContextFree> ctx(xmlXPathNewContext(doc.get()));
  if (!ctx) return internal_error("no XPath context");
  for (const auto& [prefix, uri] : rules.namespaces) {
    xmlXPathRegisterNs(ctx.get(), BAD_CAST prefix.c_str(), BAD_CAST uri.c_str());
  }
  AnswerFields f;
  auto result = xpath_string(ctx.get(), rules.result);
  if (!result.is_ok()) return result.status();
  f.result = *result;
  auto id = xpath_string(ctx.get(), rules.person_id);
  if (!id.is_ok()) return id.status();
  f.person_id = *id;
  if (!rules.person_id_category.empty()) {
    auto category = xpath_string(ctx.get(), rules.person_id_category);
    if (!category.is_ok()) return category.status();
    f.person_id_category = *category;
  }
  if (!rules.matched_on.empty()) {
    auto matched = xpath_strings(ctx.get(), rules.matched_on);
    if (!matched.is_ok()) return matched.status();
    f.matched_on = *matched;
  }
  return f;
}

Result<AnswerFields> read_json_answer(std::string_view body, const mapping::IdentityAnswer& rules) {
  if (body.size() > kMaxAnswerBytes) return invalid_argument("the answer is too large");
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(body, ec, {}, options);
  if (ec) return invalid_argument("the answer is not JSON: " + ec.message());
  AnswerFields f;
  f.result = json_text(root, rules.result);
  f.person_id = json_text(root, rules.person_id);
  f.person_id_category = json_text(root, rules.person_id_category);
  if (!rules.matched_on.empty()) {
    const boost::json::value* list = root.find_pointer(rules.matched_on, ec);
    if (list && !ec && list->is_array()) {
      for (const auto& item : list->as_array()) {
        if (item.is_string()) f.matched_on.emplace_back(item.as_string());
      }
    }
  }
  return f;
}

}  // namespace portier::department
