#pragma once
// The shape guard: one linear pass over an XML document, before any XML parser sees it, that
// refuses what would make a parser slow or dangerous. Both gSOAP and libxml2 are quadratic in
// attributes and namespace declarations per element, and neither refuses a DOCTYPE on its own
// (see DESIGN.md, "Hard-won specifics"). The guard is not a parser: it only counts, and leaves
// well-formedness to the parser that runs after it.
//
// check_xml_shape judges a document in memory; XmlShapeStream judges one that arrives in pieces
// of any size (a spooled request body, before each piece goes to a push parser) with the same
// rules and the same verdicts, keeping only a few bytes of state between pieces.
// check_xml_shape is a pure function, any thread; an XmlShapeStream belongs to one thread.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/status.h"

namespace portier::xml {

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
  std::string rule;    // which rule refused it: "size", "doctype", "depth", ...
  std::string detail;  // for the Fault, e.g. "nesting deeper than 64 elements"
};

GuardVerdict check_xml_shape(std::string_view xml, const GuardLimits& limits);

// For XML from outside that a parser reads next (an APF answer, form data, a department's
// answer): OK, or kInvalidArgument naming `what`, the rule and the detail, e.g. "form data:
// refused by the XML shape guard (depth): nesting deeper than 64 elements".
Status check_untrusted_xml(std::string_view xml, const GuardLimits& limits, std::string_view what);

class XmlShapeStream {
 public:
  explicit XmlShapeStream(const GuardLimits& limits) : limits_(limits) {}

  // Judges the next piece. Once refused, the verdict stays and later pieces are ignored.
  const GuardVerdict& feed(std::string_view piece);
  // After the last piece: judges what the end of the document leaves open.
  const GuardVerdict& finish();
  const GuardVerdict& verdict() const { return verdict_; }

 private:
  enum class State {
    kText,         // outside markup
    kMarkupStart,  // after '<'
    kBang,         // after "<!": a comment, CDATA or a refused declaration
    kComment,      // until "-->"
    kCdata,        // until "]]>"
    kInstruction,  // "<?" until "?>"
    kEndTag,       // "</" until '>'
    kElementName,
    kInTag,  // between attributes
    kAttributeName,
    kAfterAttributeName,
    kAfterEquals,
    kAttributeValue,
  };

  void step(char c);
  void refuse(const char* rule, std::string detail);
  void end_element_name();
  void end_attribute_name();
  void end_start_tag();
  void end_instruction();

  GuardLimits limits_;
  GuardVerdict verdict_;
  State state_ = State::kText;
  uint64_t bytes_ = 0;
  uint32_t depth_ = 0;
  uint32_t namespaces_total_ = 0;
  // Within one construct:
  std::string bang_;         // what follows "<!" while it may still open a comment or CDATA
  uint32_t closing_ = 0;     // how much of "-->", "]]>" or "?>" has been seen
  std::string instruction_;  // the start of a processing instruction, for its encoding
  uint64_t name_length_ = 0;
  std::string name_start_;  // first characters of an attribute name ("xmlns:")
  uint32_t attributes_ = 0;
  uint32_t namespaces_ = 0;
  bool self_closing_ = false;
  char quote_ = 0;
};

}  // namespace portier::xml
