// <forms> in a mapping file: what the loader reads and every problem it reports with its line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/mapping/form_fields.h"
#include "core/mapping/loader.h"
#include "tests/core/mapping/mapping_test_support.h"

namespace portier::mapping {
namespace {

using testing::all_problems;
using ::testing::HasSubstr;
using testing::line_containing;

const std::string kHead =
    "<?xml version=\"1.0\"?>\n"
    "<mapping xmlns=\"urn:portier:mapping:1\" name=\"amt\" displayName=\"Amt\">\n"
    "  <authentication><clientCertificate subject=\"CN=amt,O=Kanton Solothurn,C=CH\"/>"
    "</authentication>\n"
    "  <services><service id=\"301\"/></services>\n"
    "  <endpoint name=\"formIntake\" kind=\"rest\" url=\"http://127.0.0.1:1/intake\">\n"
    "    <template name=\"order\">{\"n\":\"${field.name}\"}</template>\n"
    "  </endpoint>\n";

class FormsLoad : public ::testing::Test {
 protected:
  LoadResult load(const std::string& forms) {
    return load_files({folder_.write("amt.xml", kHead + forms + "</mapping>\n").string()});
  }
  testing::TempFolder folder_;
};

TEST_F(FormsLoad, ReadsFormsFieldsAndTables) {
  LoadResult r = load(
      "  <forms endpoint=\"formIntake\" template=\"order\">\n"
      "    <valueTable name=\"z\"><value from=\"1\" to=\"EINS\"/></valueTable>\n"
      "    <form id=\"F-1\" service=\"301\" title=\"Auszug\">\n"
      "      <namespace prefix=\"a\" uri=\"urn:a\"/>\n"
      "      <field name=\"name\" select=\"/a:x/a:name\" required=\"true\"/>\n"
      "      <field name=\"z\" select=\"/a:x/a:z\" table=\"z\"/>\n"
      "    </form>\n"
      "  </forms>\n");
  ASSERT_NE(r.set, nullptr) << all_problems(r);
  const DepartmentMapping& m = r.set->all().front();
  ASSERT_TRUE(m.forms.has_value());
  const FormRule* rule = nullptr;
  EXPECT_EQ(r.set->by_form("F-1", &rule), &m);
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->service_id, 301);
  ASSERT_EQ(rule->fields.size(), 2u);
  EXPECT_TRUE(rule->fields[0].required);
  EXPECT_EQ(rule->fields[1].table, "z");
  EXPECT_EQ(r.set->by_form("F-2", nullptr), nullptr);

  auto fields =
      map_form_fields(*m.forms, *rule, "<x xmlns='urn:a'><name> Muster </name><z>1</z></x>");
  ASSERT_TRUE(fields.is_ok()) << fields.status().to_string();
  EXPECT_EQ(fields->at("name"), "Muster");
  EXPECT_EQ(fields->at("z"), "EINS");

  // Form data comes from outside: the shape guard reads it first, with the configured limits.
  xml::GuardLimits tight;
  tight.max_depth = 2;
  auto deep = map_form_fields(*m.forms, *rule,
                              "<x xmlns='urn:a'><name><b>Muster</b></name><z>1</z></x>", tight);
  ASSERT_FALSE(deep.is_ok());
  EXPECT_THAT(deep.status().message(),
              HasSubstr("form data: refused by the XML shape guard (depth)"));
}

TEST_F(FormsLoad, PullNeedsNoEndpointAndRefusesOne) {
  const std::string form =
      "    <form id=\"F-1\" service=\"301\" title=\"Auszug\">\n"
      "      <field name=\"name\" select=\"/x/name\"/>\n"
      "    </form>\n  </forms>\n";
  LoadResult r = load("  <forms delivery=\"pull\">\n" + form);
  ASSERT_NE(r.set, nullptr) << all_problems(r);
  EXPECT_EQ(r.set->all().front().forms->delivery, Forms::Delivery::kPull);

  r = load("  <forms endpoint=\"formIntake\" template=\"order\">\n" + form);
  ASSERT_NE(r.set, nullptr) << all_problems(r);
  EXPECT_EQ(r.set->all().front().forms->delivery, Forms::Delivery::kPush) << "the default";

  r = load("  <forms delivery=\"pull\" endpoint=\"formIntake\">\n" + form);
  EXPECT_EQ(r.set, nullptr);
  EXPECT_THAT(all_problems(r), HasSubstr("not used with delivery=\"pull\""));
  r = load("  <forms delivery=\"push\">\n" + form);
  EXPECT_EQ(r.set, nullptr);
  EXPECT_THAT(all_problems(r), HasSubstr("endpoint"));
}

TEST_F(FormsLoad, ReportsEachProblemOnItsLine) {
  const std::string forms =
      "  <forms endpoint=\"formIntake\" template=\"nope\">\n"
      "    <form id=\"F-1\" service=\"999\" title=\"Auszug\">\n"
      "      <field name=\"name\" select=\"/a:x/[\"/>\n"
      "      <field name=\"z\" select=\"/x/z\" table=\"missing\"/>\n"
      "      <field name=\"z\" select=\"/x/y\"/>\n"
      "    </form>\n"
      "  </forms>\n";
  LoadResult r = load(forms);
  ASSERT_EQ(r.set, nullptr);
  const std::string text = kHead + forms;
  const std::string all = all_problems(r);
  struct Expected {
    const char* on_line_with;
    const char* says;
  };
  for (const Expected& e : {Expected{"template=\"nope\"", "has no <template> of that name"},
                            Expected{"service=\"999\"", "not one of this mapping's <services>"},
                            Expected{"/a:x/[", "not a valid XPath 1.0 expression"},
                            Expected{"table=\"missing\"", "no <valueTable> of that name"},
                            Expected{"select=\"/x/y\"", "already a field of this form"}}) {
    const std::string where =
        "amt.xml:" + std::to_string(line_containing(text, e.on_line_with)) + ":";
    bool found = false;
    for (const auto& p : r.problems) {
      if (p.to_string().find(where) != std::string::npos &&
          p.message.find(e.says) != std::string::npos) {
        found = true;
      }
    }
    EXPECT_TRUE(found) << e.says << " at " << where << "\n" << all;
  }
}

TEST_F(FormsLoad, APlaceholderTheIntakeDoesNotFillIsNamed) {
  LoadResult r = load(
      "  <forms endpoint=\"formIntake\" template=\"order\">\n"
      "    <form id=\"F\" service=\"301\" title=\"T\"><field name=\"nom\" select=\"/x\"/></form>\n"
      "  </forms>\n");
  ASSERT_EQ(r.set, nullptr);  // the template says ${field.name}
  EXPECT_THAT(all_problems(r), HasSubstr("${field.name} is neither a field of a <form>"));
}

TEST_F(FormsLoad, TheLinkedPersonReferenceIsAPlaceholderTheIntakeFills) {
  std::string head = kHead;
  const std::string plain = "{\"n\":\"${field.name}\"}";
  head.replace(head.find(plain), plain.size(),
               "{\"n\":\"${field.name}\",\"p\":\"${personIdCategory}:${personId}\"}");
  const std::string forms =
      "  <forms endpoint=\"formIntake\" template=\"order\">\n"
      "    <form id=\"F\" service=\"301\" title=\"T\"><field name=\"name\" select=\"/x\"/></form>\n"
      "  </forms>\n";
  LoadResult r = load_files({folder_.write("amt.xml", head + forms + "</mapping>\n").string()});
  EXPECT_NE(r.set, nullptr) << all_problems(r);
  // A near miss is still a typo.
  head.replace(head.find("${personId}"), 11, "${personID}");
  r = load_files({folder_.write("amt.xml", head + forms + "</mapping>\n").string()});
  ASSERT_EQ(r.set, nullptr);
  EXPECT_THAT(all_problems(r), HasSubstr("${personID} is neither a field of a <form>"));
}

TEST_F(FormsLoad, AnEndpointThatDoesNotExistIsNamed) {
  LoadResult r = load(
      "  <forms endpoint=\"elsewhere\" template=\"order\">\n"
      "    <form id=\"F\" service=\"301\" title=\"T\"><field name=\"n\" select=\"/x\"/></form>\n"
      "  </forms>\n");
  ASSERT_EQ(r.set, nullptr);
  EXPECT_THAT(all_problems(r), HasSubstr("endpoint=\"elsewhere\": no <endpoint> of that name"));
}

}  // namespace
}  // namespace portier::mapping
