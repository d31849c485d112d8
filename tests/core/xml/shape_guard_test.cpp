#include "core/xml/shape_guard.h"

#include <gtest/gtest.h>

#include <string>

namespace portier::xml {
namespace {

constexpr char kEnvelope[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
                  xmlns:p="urn:portier:department:1">
  <soapenv:Header/>
  <soapenv:Body>
    <p:openBusinessCase>
      <p:header>
        <p:senderId>steueramt</p:senderId>
        <p:messageId>m-1</p:messageId>
      </p:header>
      <p:serviceId>42</p:serviceId>
      <p:ownerId>owner-7</p:ownerId>
      <p:title>Steuererklärung 2025</p:title>
    </p:openBusinessCase>
  </soapenv:Body>
</soapenv:Envelope>)";

GuardVerdict check(const std::string& xml, GuardLimits limits = {}) {
  return check_xml_shape(xml, limits);
}

// `depth` elements nested inside each other: <e><e>...</e></e>.
std::string nested(int depth) {
  std::string xml;
  for (int i = 0; i < depth; ++i) xml += "<e>";
  for (int i = 0; i < depth; ++i) xml += "</e>";
  return xml;
}

// One element with `count` attributes a0="v" a1="v" ...
std::string with_attributes(int count, const std::string& prefix = "a") {
  std::string xml = "<e";
  for (int i = 0; i < count; ++i) xml += " " + prefix + std::to_string(i) + "=\"v\"";
  return xml + "/>";
}

std::string with_namespaces(int count, int offset = 0) {
  std::string xml = "<e";
  for (int i = 0; i < count; ++i) {
    xml += " xmlns:n" + std::to_string(offset + i) + "=\"urn:n" + std::to_string(offset + i) + "\"";
  }
  return xml + ">";
}

TEST(XmlGuard, UntrustedXmlIsRefusedNamingWhatRuleAndDetail) {
  EXPECT_TRUE(check_untrusted_xml("<a><b/></a>", {}, "form data").is_ok());
  Status refused = check_untrusted_xml("<!DOCTYPE a><a/>", {}, "form data");
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.message(),
            "form data: refused by the XML shape guard (doctype): DTDs and entity declarations "
            "(<!DOCTYPE, <!ENTITY) are not allowed");
}

TEST(XmlGuard, AcceptsANormalSoapEnvelope) {
  GuardVerdict v = check(kEnvelope);
  EXPECT_TRUE(v.ok) << v.rule << ": " << v.detail;
  EXPECT_TRUE(v.rule.empty());
}

TEST(XmlGuard, RefusesDoctype) {
  GuardVerdict v = check(R"(<?xml version="1.0"?><!DOCTYPE foo [<!ELEMENT foo ANY>]><foo/>)");
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.rule, "doctype");
  EXPECT_FALSE(v.detail.empty());
}

TEST(XmlGuard, RefusesEntityDeclaration) {
  GuardVerdict v = check(R"(<!ENTITY xxe SYSTEM "file:///etc/passwd"><foo>&xxe;</foo>)");
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.rule, "doctype");
}

TEST(XmlGuard, RefusesDoctypeAfterTheRootHasStarted) {
  GuardVerdict v = check("<a><b>text</b><!DOCTYPE x></a>");
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.rule, "doctype");
}

TEST(XmlGuard, DepthAtTheLimitPassesOneMoreIsRefused) {
  GuardLimits limits;
  limits.max_depth = 64;
  EXPECT_TRUE(check(nested(64), limits).ok);
  GuardVerdict v = check(nested(65), limits);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.rule, "depth");
  EXPECT_NE(v.detail.find("64"), std::string::npos) << v.detail;
}

TEST(XmlGuard, ClosedSiblingsDoNotAddUpToDepth) {
  // 100 siblings at depth 2 each: depth never exceeds 2.
  std::string xml = "<root>";
  for (int i = 0; i < 100; ++i) xml += "<child><leaf>x</leaf></child>";
  xml += "</root>";
  GuardLimits limits;
  limits.max_depth = 3;
  EXPECT_TRUE(check(xml, limits).ok);
}

TEST(XmlGuard, SelfClosingElementsDoNotAddDepth) {
  std::string xml = "<root>";
  for (int i = 0; i < 1000; ++i) xml += "<empty/><spaced />";
  xml += "</root>";
  GuardLimits limits;
  limits.max_depth = 1;
  GuardVerdict v = check(xml, limits);
  EXPECT_TRUE(v.ok) << v.rule << ": " << v.detail;
  // ... but a non-self-closing one at the same place does.
  EXPECT_EQ(check("<root><open></open></root>", limits).rule, "depth");
}

TEST(XmlGuard, AttributeValuesWithClosingCharactersDoNotConfuseDepth) {
  GuardLimits limits;
  limits.max_depth = 2;
  // If '>' or '/>' inside a value ended the tag, the guard would miscount: "/>" would make
  // <b> look self-closing and the nesting of three would slip through, or '>' would start
  // counting attribute text as content.
  EXPECT_EQ(check(R"(<a><b x="/>"><c/></b></a>)", limits).rule, "");
  EXPECT_TRUE(check(R"(<a><b x="/>"><c/></b></a>)", limits).ok);
  GuardVerdict v = check(R"(<a><b x="/>" y='>'><c></c></b></a>)", limits);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.rule, "depth");
  GuardVerdict single = check(R"(<a><b x='a/>b'><c></c></b></a>)", limits);
  EXPECT_EQ(single.rule, "depth");
}

TEST(XmlGuard, AttributesAtTheLimitPassOneMoreIsRefused) {
  EXPECT_TRUE(check(with_attributes(64)).ok);
  GuardVerdict v = check(with_attributes(65));
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.rule, "attributes");
}

TEST(XmlGuard, NamespacesPerElementAreLimited) {
  EXPECT_TRUE(check(with_namespaces(32) + "</e>").ok);
  GuardVerdict v = check(with_namespaces(33) + "</e>");
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.rule, "namespaces");
}

TEST(XmlGuard, DefaultNamespaceDeclarationCountsToo) {
  GuardLimits limits;
  limits.max_namespaces_per_element = 1;
  EXPECT_TRUE(check(R"(<e xmlns="urn:a"/>)", limits).ok);
  EXPECT_EQ(check(R"(<e xmlns="urn:a" xmlns:b="urn:b"/>)", limits).rule, "namespaces");
}

TEST(XmlGuard, NamespacesInTheWholeDocumentAreLimited) {
  // 8 elements * 32 declarations = 256: at the limit; one more element with one more: 257.
  std::string xml = "<root>";
  for (int i = 0; i < 8; ++i) xml += with_namespaces(32, i * 32) + "</e>";
  EXPECT_TRUE(check(xml + "</root>").ok) << check(xml + "</root>").detail;
  GuardVerdict v = check(xml + with_namespaces(1, 1000) + "</e></root>");
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.rule, "namespaces");
}

TEST(XmlGuard, LongElementNameIsRefused) {
  std::string name(300, 'n');
  GuardVerdict v = check("<" + name + "/>");
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.rule, "name length");
  EXPECT_TRUE(check("<" + std::string(256, 'n') + "/>").ok);
}

TEST(XmlGuard, LongAttributeNameIsRefused) {
  std::string name(300, 'a');
  GuardVerdict v = check("<e " + name + "=\"1\"/>");
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.rule, "name length");
  EXPECT_TRUE(check("<e " + std::string(256, 'a') + "=\"1\"/>").ok);
}

TEST(XmlGuard, DocumentOverMaxBytesIsRefused) {
  GuardLimits limits;
  limits.max_bytes = 100;
  std::string at_limit = "<e>" + std::string(100 - 7, 'x') + "</e>";
  ASSERT_EQ(at_limit.size(), 100u);
  EXPECT_TRUE(check(at_limit, limits).ok);
  GuardVerdict v = check(at_limit + " ", limits);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.rule, "size");
}

TEST(XmlGuard, RefusesEncodingsOtherThanUtf8) {
  GuardVerdict v = check(R"(<?xml version="1.0" encoding="ISO-8859-1"?><e/>)");
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.rule, "encoding");
  EXPECT_EQ(check(R"(<?xml version='1.0' encoding='UTF-16'?><e/>)").rule, "encoding");
}

TEST(XmlGuard, RefusesOtherEncodingsWhateverWhitespaceFollowsXml) {
  // XML 1.0 allows any whitespace (space, tab, CR, LF) between "<?xml" and "version".
  EXPECT_EQ(check("<?xml\nversion=\"1.0\" encoding=\"ISO-8859-1\"?><e/>").rule, "encoding");
  EXPECT_EQ(check("<?xml\tversion=\"1.0\" encoding=\"ISO-8859-1\"?><e/>").rule, "encoding");
  EXPECT_EQ(check("<?xml\r\nversion=\"1.0\"\r\nencoding=\"ISO-8859-1\"?><e/>").rule, "encoding");
}

TEST(XmlGuard, AcceptsUtf8InAnySpellingAndNoDeclaration) {
  EXPECT_TRUE(check(R"(<?xml version="1.0" encoding="utf-8"?><e/>)").ok);
  EXPECT_TRUE(check(R"(<?xml version="1.0" encoding='UTF-8'?><e/>)").ok);
  EXPECT_TRUE(check(R"(<?xml version="1.0"?><e/>)").ok);
  EXPECT_TRUE(check("<e/>").ok);
}

TEST(XmlGuard, CommentsAndCdataAreNotInspected) {
  GuardLimits limits;
  limits.max_depth = 2;
  EXPECT_TRUE(check("<a><!-- <!DOCTYPE x> <b><c><d> --></a>", limits).ok);
  EXPECT_TRUE(check("<a><![CDATA[<!DOCTYPE x><!ENTITY y> <b><c><d> > ]]></a>", limits).ok);
  EXPECT_TRUE(check("<a><!-- a > b --><b>x</b></a>", limits).ok);
  // ... and the guard picks up again after them.
  EXPECT_EQ(check("<a><!-- x --><!DOCTYPE y></a>").rule, "doctype");
  EXPECT_EQ(check("<a><![CDATA[x]]><b><c></c></b></a>", limits).rule, "depth");
}

TEST(XmlGuard, TenThousandNestedElementsAreRefused) {
  GuardVerdict v = check(nested(10'000));
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.rule, "depth");
}

TEST(XmlGuard, FiftyThousandAttributesAreRefused) {
  std::string xml = with_attributes(50'000);
  GuardLimits limits;
  limits.max_bytes = xml.size();  // the attribute rule, not the size rule, must refuse it
  GuardVerdict v = check(xml, limits);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.rule, "attributes");
}

TEST(XmlGuard, OneMegabyteDocumentIsCheckedCorrectly) {
  // Just under the default max_bytes: many well-formed, shallow records.
  std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?><root xmlns="urn:r">)";
  const std::string record = R"(<record id="1" kind="a&gt;b"><name>x</name><v/></record>)";
  const std::string tail = "</root>";
  const size_t max_bytes = GuardLimits{}.max_bytes;
  while (xml.size() + record.size() + tail.size() <= max_bytes) xml += record;
  xml += tail;
  ASSERT_LE(xml.size(), max_bytes);
  ASSERT_GT(xml.size(), max_bytes - record.size() - tail.size() - 1);
  GuardVerdict v = check(xml);
  EXPECT_TRUE(v.ok) << v.rule << ": " << v.detail;

  // The same megabyte with one too-deep branch at its very end is refused.
  GuardLimits limits;
  limits.max_bytes = xml.size() + 1000;
  std::string deep = xml.substr(0, xml.size() - tail.size()) + nested(64) + tail;
  v = check(deep, limits);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.rule, "depth");
}

}  // namespace
}  // namespace portier::xml
