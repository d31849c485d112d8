// A department's answer to an identity check (connectors/department/answer_reader.h): SOAP
// answers by namespace-aware XPath (libxml2), REST answers by JSON Pointer (Boost.JSON).
#include <cstdint>
#include <string_view>

#include "connectors/department/answer_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace portier;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  mapping::IdentityAnswer xml;
  xml.result = "//st:ergebnis";
  xml.person_id = "//st:nr";
  xml.category = "CH.SO.STEUERNR";
  xml.matched_on = "//st:abgeglichen";
  xml.namespaces = {{"st", "urn:st"}};
  department::read_xml_answer(body, xml).ignore();
  mapping::IdentityAnswer json;
  json.result = "/result";
  json.person_id = "/ref/id";
  json.person_id_category = "/ref/cat";
  json.matched_on = "/matched";
  department::read_json_answer(body, json).ignore();
  return 0;
}
