// fill_template as the form intake uses it: values escaped for the body they land in.
#include "connectors/department/request_template.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace portier::department {
namespace {

TEST(RequestTemplate, FormValuesAreEscapedForTheBodyTheyLandIn) {
  std::map<std::string, std::string> values{{"field.name", "Müller \"&\" <Söhne>\n"}};
  std::string rest = fill_json_template(R"({"name":"${field.name}"})", values);
  EXPECT_EQ(boost::json::parse(rest).at("name").as_string(), values["field.name"]);
  auto soap = fill_xml_template("<name>${field.name}</name>", values, XmlFrame::kFragment);
  ASSERT_TRUE(soap.is_ok()) << soap.status().to_string();
  EXPECT_EQ(*soap, "<name>Müller \"&amp;\" &lt;Söhne&gt;\n</name>");
  EXPECT_EQ(fill_json_template("no placeholders $ {x}", {}), "no placeholders $ {x}");
}

// Before, a control character went into the request as it was, and the department received a
// document that is not XML. Now the value is refused, naming its placeholder.
TEST(RequestTemplate, AControlCharacterInAValueIsRefusedNamingThePlaceholder) {
  std::map<std::string, std::string> values{{"field.name", std::string("Max\x01Muster")},
                                            {"field.unused", std::string("\x02")}};
  auto refused = fill_xml_template("<name>${field.name}</name>", values, XmlFrame::kFragment);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("${field.name}"), std::string::npos);
  EXPECT_NE(refused.status().message().find("U+0001"), std::string::npos);
  // Tab, line feed and carriage return are XML characters; a value not in the template is
  // not looked at.
  values["field.name"] = "a\tb\nc\rd";
  EXPECT_TRUE(fill_xml_template("<n>${field.name}</n>", values, XmlFrame::kFragment).is_ok());
}

// The SOAP request is written by libxml2 around the filled template: a value cannot close the
// Body or add elements, whatever it holds.
TEST(RequestTemplate, SoapRequestsAreWrittenByLibxml2) {
  std::map<std::string, std::string> values{{"name", "</st:name></st:p></soap:Body><x>"},
                                            {"cdata", "a]]>b"}};
  auto soap = fill_xml_template(
      "<st:p "
      "xmlns:st=\"urn:st\"><st:name>${name}</st:name><st:c><![CDATA[${cdata}]]></st:c></st:p>",
      values, XmlFrame::kSoap11Body);
  ASSERT_TRUE(soap.is_ok()) << soap.status().to_string();
  EXPECT_EQ(soap->rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u) << *soap;
  EXPECT_NE(
      soap->find("<st:name>&lt;/st:name&gt;&lt;/st:p&gt;&lt;/soap:Body&gt;&lt;x&gt;</st:name>"),
      std::string::npos)
      << *soap;
  EXPECT_EQ(soap->find("a]]>b"), std::string::npos) << *soap;  // the CDATA is split, not closed
  EXPECT_FALSE(fill_xml_template("<st:p>${name}", values, XmlFrame::kSoap11Body).is_ok());
  EXPECT_FALSE(fill_xml_template("<!DOCTYPE x><p/>", values, XmlFrame::kFragment).is_ok());
}

}  // namespace
}  // namespace portier::department
