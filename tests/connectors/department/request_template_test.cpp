// fill_template as the form intake uses it: values escaped for the body they land in.
#include "connectors/department/request_template.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace portier::department {
namespace {

TEST(RequestTemplate, FormValuesAreEscapedForTheBodyTheyLandIn) {
  std::map<std::string, std::string> values{{"field.name", "Müller \"&\" <Söhne>\n"}};
  std::string rest = fill_template(R"({"name":"${field.name}"})", values, Escaping::kJson);
  EXPECT_EQ(boost::json::parse(rest).at("name").as_string(), values["field.name"]);
  std::string soap = fill_template("<name>${field.name}</name>", values, Escaping::kXml);
  EXPECT_EQ(soap, "<name>Müller &quot;&amp;&quot; &lt;Söhne&gt;\n</name>");
  EXPECT_EQ(fill_template("no placeholders $ {x}", {}, Escaping::kJson), "no placeholders $ {x}");
}

}  // namespace
}  // namespace portier::department
