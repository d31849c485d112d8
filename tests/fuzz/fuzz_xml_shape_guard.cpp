// The linear shape guard that runs before any XML parser (core/xml/shape_guard.h): whole
// documents, and the same bytes fed in two pieces to the streaming form must agree.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/xml/shape_guard.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace portier::xml;
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  GuardLimits limits;
  limits.max_depth = 16;
  limits.max_attributes_per_element = 8;
  limits.max_namespaces_per_element = 4;
  limits.max_namespaces_total = 16;
  limits.max_name_length = 32;
  const GuardVerdict whole = check_xml_shape(xml, limits);
  XmlShapeStream stream(limits);
  const size_t cut = size / 2;
  stream.feed(xml.substr(0, cut));
  stream.feed(xml.substr(cut));
  const GuardVerdict& pieces = stream.finish();
  if (whole.ok != pieces.ok) std::abort();  // one set of rules, however the bytes arrive
  return 0;
}
