#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/xml/shape_guard.h"

namespace portier::xml {
namespace {

// A document fed in pieces of `size` bytes.
GuardVerdict in_pieces(const std::string& xml, size_t size, const GuardLimits& limits) {
  XmlShapeStream stream(limits);
  for (size_t at = 0; at < xml.size(); at += size)
    stream.feed(std::string_view(xml).substr(at, size));
  return stream.finish();
}

std::string repeated(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// Every piece boundary, even inside "<!--", "<![CDATA[", "?>" or a name, gives the verdict the
// whole document gets.
TEST(XmlShapeStream, PiecesOfAnySizeGiveTheVerdictOfTheWholeDocument) {
  GuardLimits limits;
  limits.max_depth = 4;
  limits.max_attributes_per_element = 3;
  limits.max_namespaces_per_element = 2;
  limits.max_namespaces_total = 3;
  limits.max_name_length = 8;
  const std::vector<std::string> documents = {
      R"(<?xml version="1.0" encoding="UTF-8"?><a><b x="1">text</b></a>)",
      R"(<?xml version="1.0" encoding="ISO-8859-1"?><a/>)",
      "<?xml\nversion='1.0' encoding='utf-16'?><a/>",
      "<?>",
      "<?xml",
      "<",
      "<!",
      "<!-",
      "<!--",
      "<![CDATA",
      "<!-->",
      "<!--->",
      "<a><!-- <!DOCTYPE x> --><b/></a>",
      "<a><!-- x --><!DOCTYPE y></a>",
      "<a><![CDATA[<!DOCTYPE x> ]] ]]]></a>",
      "<a><![CDATA[x]]><b><c><d><e></e></d></c></b></a>",
      "<!DOCTYPE a><a/>",
      "<a><!ENTITY x 'y'></a>",
      "<a><b><c><d></d></c></b></a>",
      "<a><b><c><d><e>",
      "<a><b><c><d><e",
      "<a><b><c><d><e/></d></c></b></a>",
      R"(<a><b x="/>"><c><d><e></e></d></c></b></a>)",
      R"(<a x="1" y='2' z=3/>)",
      R"(<a w="1" x="2" y="3" z="4"/>)",
      R"(<a w x y z)",
      R"(<a xmlns="u" xmlns:b="v"/>)",
      R"(<a xmlns="u" xmlns:b="v" xmlns:c="w"/>)",
      R"(<a xmlns:b="v"><c xmlns:d="w"><e xmlns:f="x"/></c></a>)",
      R"(<a xmlnsx="1" xmlns:="2" xmlns="3"/>)",
      "<abcdefgh/>",
      "<abcdefghi/>",
      "<a abcdefgh='1'/>",
      "<a abcdefghi='1'/>",
      "<a abcdefghi",
      "< a>",
      "<a =\"x\" = = b>",
      "</a></b><c>",
      "text only",
      "",
      repeated("<a>", 5),
      repeated("<a/>", 100),
      repeated("<a></a>", 100),
  };
  for (const std::string& xml : documents) {
    const GuardVerdict whole = check_xml_shape(xml, limits);
    for (size_t size : {1, 2, 3, 5, 8, 64}) {
      SCOPED_TRACE("'" + xml + "' in pieces of " + std::to_string(size));
      const GuardVerdict pieces = in_pieces(xml, size, limits);
      EXPECT_EQ(pieces.ok, whole.ok);
      EXPECT_EQ(pieces.rule, whole.rule);
      EXPECT_EQ(pieces.detail, whole.detail);
    }
  }
}

TEST(XmlShapeStream, ARefusalStaysAndLaterPiecesAreIgnored) {
  XmlShapeStream stream(GuardLimits{});
  EXPECT_EQ(stream.feed("<a><!DOC").rule, "doctype");
  EXPECT_EQ(stream.feed("</a>").rule, "doctype");
  EXPECT_EQ(stream.finish().rule, "doctype");
}

TEST(XmlShapeStream, CountsBytesAcrossPieces) {
  GuardLimits limits;
  limits.max_bytes = 10;
  XmlShapeStream stream(limits);
  EXPECT_TRUE(stream.feed("<a>12").ok);
  EXPECT_TRUE(stream.feed("3</a>").ok);
  EXPECT_EQ(stream.feed("x").rule, "size");
}

}  // namespace
}  // namespace portier::xml
