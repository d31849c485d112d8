#include "connectors/department/identity_caller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/department/answer_reader.h"
#include "connectors/department/request_template.h"

namespace portier::department {
namespace {

using ::testing::HasSubstr;

TEST(RequestTemplate, EscapesForWhereTheValueLands) {
  std::map<std::string, std::string> v = {{"name", "O'Brien & <Söhne> \"x\""}};
  auto xml = fill_xml_template("<n a=\"${name}\">${name}</n>${missing}", v, XmlFrame::kFragment);
  ASSERT_TRUE(xml.is_ok()) << xml.status().to_string();
  EXPECT_EQ(
      *xml,
      "<n a=\"O'Brien &amp; &lt;Söhne&gt; &quot;x&quot;\">O'Brien &amp; &lt;Söhne&gt; \"x\"</n>");
  EXPECT_EQ(fill_json_template(R"({"n":"${name}"})", v), R"({"n":"O'Brien & <Söhne> \"x\""})");
  EXPECT_EQ(fill_json_template("${name", v), "${name");
}

mapping::IdentityAnswer soap_rules() {
  mapping::IdentityAnswer a;
  a.result = "//st:ergebnis";
  a.person_id = "//st:nr";
  a.category = "CH.SO.STEUERNR";
  a.matched_on = "//st:abgeglichen";
  a.namespaces = {{"st", "urn:st"}};
  a.values = {{"TREFFER", "MATCH"}, {"PRUEFEN", "PARTIAL_MATCH"}};
  return a;
}

TEST(AnswerReader, ReadsASoapAnswerByXPath) {
  auto f = read_xml_answer(
      R"(<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:st="urn:st"><e:Body>)"
      R"(<st:r><st:ergebnis>TREFFER</st:ergebnis><st:nr>ST-1</st:nr><st:abgeglichen>vn</st:abgeglichen>)"
      R"(<st:abgeglichen>officialName</st:abgeglichen></st:r></e:Body></e:Envelope>)",
      soap_rules());
  ASSERT_TRUE(f.is_ok()) << f.status().to_string();
  auto a = interpret(f->result, f->person_id, f->person_id_category, f->matched_on, soap_rules());
  EXPECT_EQ(a.outcome, identity::Outcome::kMatch);
  EXPECT_EQ(a.person_ref.id, "ST-1");
  EXPECT_EQ(a.person_ref.category, "CH.SO.STEUERNR");
  EXPECT_EQ(a.matched_on, (std::vector<std::string>{"vn", "officialName"}));
}

TEST(AnswerReader, TheShapeGuardReadsTheAnswerFirst) {
  const std::string answer = R"(<r xmlns:st="urn:st"><st:ergebnis>TREFFER</st:ergebnis></r>)";
  EXPECT_TRUE(read_xml_answer(answer, soap_rules()).is_ok());
  xml::GuardLimits tight;
  tight.max_depth = 1;
  auto refused = read_xml_answer(answer, soap_rules(), tight);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_THAT(refused.status().message(),
              HasSubstr("the answer: refused by the XML shape guard (depth)"));
}

TEST(AnswerReader, RefusesDtdsAndGarbage) {
  EXPECT_FALSE(
      read_xml_answer(R"(<!DOCTYPE r [<!ENTITY x "boom">]><r>&x;</r>)", soap_rules()).is_ok());
  EXPECT_FALSE(read_xml_answer("<r>", soap_rules()).is_ok());
  auto bad = soap_rules();
  bad.result = "//[";
  EXPECT_FALSE(read_xml_answer("<r/>", bad).is_ok());
  EXPECT_FALSE(read_json_answer("{", {}).is_ok());
  EXPECT_FALSE(read_json_answer(std::string(100, '['), {}).is_ok());
}

TEST(AnswerReader, ReadsAJsonAnswerByPointer) {
  mapping::IdentityAnswer rules;
  rules.result = "/result";
  rules.person_id = "/ref/id";
  rules.person_id_category = "/ref/cat";
  rules.matched_on = "/matched";
  auto f =
      read_json_answer(R"({"result":"NO_MATCH","ref":{"id":7,"cat":"X"},"matched":["a"]})", rules);
  ASSERT_TRUE(f.is_ok());
  EXPECT_EQ(f->person_id, "7");
  auto a = interpret(f->result, f->person_id, f->person_id_category, f->matched_on, rules);
  EXPECT_EQ(a.outcome, identity::Outcome::kNoMatch);
  EXPECT_TRUE(a.person_ref.id.empty());
}

TEST(Interpret, PartialMatchMeansReviewAndUnknownValuesAreTemporary) {
  auto rules = soap_rules();
  auto review = interpret("PRUEFEN", "ST-2", "", {}, rules);
  EXPECT_EQ(review.outcome, identity::Outcome::kPendingReview);
  EXPECT_TRUE(review.review);
  EXPECT_EQ(review.person_ref.id, "ST-2");
  EXPECT_EQ(interpret("VIELLEICHT", "", "", {}, rules).outcome, identity::Outcome::kTemporaryError);
  EXPECT_EQ(interpret("AMBIGUOUS", "", "", {}, rules).outcome, identity::Outcome::kAmbiguous);
}

TEST(IdentityCaller, AnUnreachableDepartmentIsATemporaryError) {
  mapping::DepartmentMapping m;
  m.name = "d";
  mapping::Endpoint e;
  e.name = "identity";
  e.kind = mapping::Endpoint::Kind::kRest;
  e.url = "http://127.0.0.1:1/identity";
  e.templates = {{"t", "{}"}};
  m.endpoints.push_back(e);
  m.identity_check = mapping::IdentityCheckRule{};
  m.identity_check->endpoint = "identity";
  m.identity_check->template_name = "t";
  IdentityCaller caller;
  auto a = caller.ask(m, identity::CheckRequest{}, std::chrono::milliseconds(500));
  EXPECT_EQ(a.outcome, identity::Outcome::kTemporaryError);
}

}  // namespace
}  // namespace portier::department
