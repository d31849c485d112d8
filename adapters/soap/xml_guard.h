#pragma once
// The shape guard: one linear pass over an XML document, before any XML parser sees it, that
// refuses what would make a parser slow or dangerous. Both gSOAP and libxml2 are quadratic in
// attributes and namespace declarations per element, and neither refuses a DOCTYPE on its own
// (see DESIGN.md, "Hard-won specifics"). The guard is not a parser: it only counts, and leaves
// well-formedness to the parser that runs after it. Pure function; any thread.
#include <cstdint>
#include <string>
#include <string_view>

namespace portier::soap_adapter {

struct GuardLimits {
  uint64_t max_bytes = 1 << 20;
  uint32_t max_depth = 64;
  uint32_t max_attributes_per_element = 64;
  uint32_t max_namespaces_per_element = 32;
  uint32_t max_namespaces_total = 256;
  uint32_t max_name_length = 256;
};

struct GuardVerdict {
  bool ok = true;
  std::string rule;     // which rule refused it: "size", "doctype", "depth", ...
  std::string detail;   // for the Fault, e.g. "nesting deeper than 64 elements"
};

GuardVerdict check_xml_shape(std::string_view xml, const GuardLimits& limits);

}  // namespace portier::soap_adapter
