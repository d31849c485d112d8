#include "connectors/department/request_template.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace portier::department {
namespace {

using Kind = mapping::Endpoint::Kind;

TEST(RequestTemplate, ValuesAreEscapedForTheBodyTheyLandIn) {
  std::map<std::string, std::string> values{{"field.name", "Müller \"&\" <Söhne>\n"}};
  auto rest = fill_template(R"({"name":"${field.name}"})", values, Kind::kRest);
  ASSERT_TRUE(rest.is_ok());
  EXPECT_EQ(boost::json::parse(*rest).at("name").as_string(), values["field.name"]);
  auto soap = fill_template("<name>${field.name}</name>", values, Kind::kSoap);
  ASSERT_TRUE(soap.is_ok());
  EXPECT_EQ(*soap, "<name>Müller &quot;&amp;&quot; &lt;Söhne&gt;\n</name>");
}

TEST(RequestTemplate, APlaceholderWithoutAValueIsAnErrorNamingIt) {
  auto filled = fill_template("a ${known} b ${field.typo}", {{"known", "1"}}, Kind::kRest);
  ASSERT_FALSE(filled.is_ok());
  EXPECT_NE(filled.status().message().find("${field.typo}"), std::string::npos);
  EXPECT_FALSE(fill_template("a ${open", {}, Kind::kRest).is_ok());
  EXPECT_EQ(*fill_template("no placeholders $ {x}", {}, Kind::kRest), "no placeholders $ {x}");
}

}  // namespace
}  // namespace portier::department
