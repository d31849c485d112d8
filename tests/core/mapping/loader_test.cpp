// load_files() / load_folder(): the example mappings load and their vectors pass; every problem
// of an invalid mapping is reported with its file:line; names, subjects, users and services are
// unique across files; secrets are never repeated.
#include "core/mapping/loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/mapping/vectors.h"
#include "tests/core/mapping/mapping_test_support.h"

namespace portier::mapping {
namespace {

namespace fs = std::filesystem;
using testing::all_problems;
using ::testing::HasSubstr;
using testing::line_containing;
using testing::minimal_mapping;
using ::testing::Not;
using testing::TempFolder;

class MappingLoad : public ::testing::Test {
 protected:
  void SetUp() override { testing::set_example_secrets(); }

  LoadResult load_text(const std::string& text, const std::string& name = "test.xml") {
    return load_files({folder_.write(name, text).string()});
  }

  TempFolder folder_;
};

// --- the checked-in examples ------------------------------------------------------------------

TEST_F(MappingLoad, ExampleFolderLoads) {
  LoadResult result = load_folder((testing::source_dir() / "mappings").string());
  ASSERT_NE(result.set, nullptr) << all_problems(result);
  ASSERT_EQ(result.set->all().size(), 3u);

  const DepartmentMapping* steueramt = result.set->by_name("steueramt");
  ASSERT_NE(steueramt, nullptr);
  EXPECT_EQ(steueramt->authentication.username, "steueramt");
  EXPECT_EQ(steueramt->authentication.password, "steueramt-s3cr3t");
  EXPECT_EQ(steueramt->service_ids, (std::set<int32_t>{101, 102}));
  ASSERT_EQ(steueramt->endpoints.size(), 1u);
  EXPECT_EQ(steueramt->endpoints[0].kind, Endpoint::Kind::kSoap);
  EXPECT_THAT(steueramt->endpoints[0].templates.at("checkIdentity"), HasSubstr("${personId}"));
  ASSERT_NE(steueramt->document_kind("Veranlagungsverfuegung"), nullptr);
  EXPECT_TRUE(steueramt->document_kind("Veranlagungsverfuegung")->registered);
  EXPECT_TRUE(steueramt->personal_fields.contains("ownerId"));

  EXPECT_EQ(result.set->by_certificate_subject("CN=mfk, O=Kanton Solothurn, C=CH"),
            result.set->by_name("mfk"));
  EXPECT_EQ(result.set->by_username("betreibungsamt"), result.set->by_name("betreibungsamt"));
  EXPECT_EQ(result.set->by_username("nobody"), nullptr);
  EXPECT_EQ(result.set->by_name("betreibungsamt")->limits.max_requests_per_minute, 300u);
  EXPECT_EQ(result.set->by_name("betreibungsamt")->document_kind("Zahlungsbefehl")->deadline_days,
            10);
  EXPECT_EQ(steueramt->document_kind("Veranlagungsverfuegung")->deadline_days, 0);
}

TEST_F(MappingLoad, ExampleVectorsPass) {
  for (const char* name : {"steueramt", "mfk", "betreibungsamt"}) {
    const fs::path file = testing::source_dir() / "mappings" / (std::string(name) + ".xml");
    LoadResult result = load_files({file.string()});
    ASSERT_NE(result.set, nullptr) << all_problems(result);
    const DepartmentMapping& mapping = result.set->all().front();
    VectorReport report = run_vectors(mapping, vectors_folder_of(mapping));
    EXPECT_GE(report.vectors.size(), 5u) << name;
    EXPECT_TRUE(report.problems.empty()) << name;
    for (const VectorResult& vector : report.vectors) {
      EXPECT_TRUE(vector.passed) << name << "/" << vector.name << ": " << vector.message;
    }
  }
}

TEST_F(MappingLoad, ExampleWithoutItsSecretNamesTheVariable) {
  ::unsetenv("PORTIER_STEUERAMT_SECRET");
  const fs::path file = testing::source_dir() / "mappings" / "steueramt.xml";
  LoadResult result = load_files({file.string()});
  ASSERT_EQ(result.set, nullptr);
  ASSERT_EQ(result.problems.size(), 1u) << all_problems(result);
  EXPECT_EQ(result.problems[0].line,
            line_containing(testing::read_file(file), "env:PORTIER_STEUERAMT_SECRET"));
  EXPECT_THAT(result.problems[0].message, HasSubstr("PORTIER_STEUERAMT_SECRET is not set"));
}

// --- every problem, with its line -------------------------------------------------------------

TEST_F(MappingLoad, ReportsEveryProblemWithItsLine) {
  const std::string text =
      "<?xml version=\"1.0\"?>\n"                                                     // 1
      "<mapping xmlns=\"urn:portier:mapping:1\" name=\"bad\" displayName=\"Bad\">\n"  // 2
      "  <authentication>\n"                                                          // 3
      "    <usernameToken user=\"bad\" password=\"hunter2-inline\"/>\n"               // 4
      "  </authentication>\n"                                                         // 5
      "  <services><service id=\"901\"/></services>\n"                                // 6
      "  <colour value=\"red\"/>\n"                                                   // 7
      "  <statusTable>\n"                                                             // 8
      "    <status code=\"A\" portal=\"FINISHED\"/>\n"                                // 9
      "    <status code=\"B\" portal=\"DECIDED\"/>\n"                                 // 10
      "    <status code=\"B\" portal=\"CLOSED\"/>\n"                                  // 11
      "  </statusTable>\n"                                                            // 12
      "  <documents prefix=\"KantonSolothurn\">\n"                                    // 13
      "    <kind name=\"Auszug\" fileName=\"${prefix}-${kind}-${datum}.pdf\"/>\n"     // 14
      "    <kind name=\"Verfuegung\" fileName=\"${prefix} ${kind}.pdf\"/>\n"          // 15
      "  </documents>\n"                                                              // 16
      "</mapping>\n";                                                                 // 17
  LoadResult result = load_text(text);
  EXPECT_EQ(result.set, nullptr);
  ASSERT_EQ(result.problems.size(), 6u) << all_problems(result);

  const std::string file = (folder_.path() / "test.xml").string();
  const auto& p = result.problems;
  EXPECT_EQ(p[0].to_string().rfind(file + ":4: ", 0), 0u) << p[0].to_string();
  EXPECT_THAT(p[0].message, HasSubstr("env:NAME or file:PATH"));
  EXPECT_EQ(p[1].line, 7);
  EXPECT_THAT(p[1].message, HasSubstr("colour"));
  EXPECT_EQ(p[2].line, 9);
  EXPECT_THAT(p[2].message, HasSubstr("FINISHED"));
  EXPECT_THAT(p[2].message, HasSubstr("WAITING_FOR_CUSTOMER"));
  EXPECT_EQ(p[3].line, 11);
  EXPECT_THAT(p[3].message, HasSubstr("already in the status table on line 10"));
  EXPECT_EQ(p[4].line, 14);
  EXPECT_THAT(p[4].message, HasSubstr("unknown placeholder ${datum}"));
  EXPECT_THAT(p[4].message, HasSubstr("${prefix} ${kind} ${date} ${title}"));
  EXPECT_EQ(p[5].line, 15);
  EXPECT_THAT(p[5].message, HasSubstr("no spaces"));
  EXPECT_THAT(all_problems(result), Not(HasSubstr("hunter2")));
}

TEST_F(MappingLoad, PointsAtTheAttributeInALongElement) {
  const std::string text =
      "<?xml version=\"1.0\"?>\n"
      "<mapping xmlns=\"urn:portier:mapping:1\"\n"
      "         name=\"long\"\n"
      "         displayName=\"Long\">\n"
      "  <authentication><usernameToken user=\"long\"\n"
      "                                 password=\"env:PORTIER_TEST_MAPPING_SECRET\"/>\n"
      "  </authentication>\n"
      "  <services><service id=\"902\"/></services>\n"
      "  <documents prefix=\"KantonSolothurn\">\n"
      "    <kind name=\"Auszug\"\n"
      "          title=\"${kind} - ${date}\"\n"
      "          fileName=\"${prefix}-Auszug für ${title}.pdf\"\n"
      "          registered=\"maybe\"/>\n"
      "  </documents>\n"
      "</mapping>\n";
  LoadResult result = load_text(text);
  ASSERT_EQ(result.problems.size(), 2u) << all_problems(result);
  EXPECT_EQ(result.problems[0].line, 12);
  EXPECT_THAT(result.problems[0].message, HasSubstr("no spaces"));
  EXPECT_THAT(result.problems[0].message, HasSubstr("ASCII"));
  EXPECT_EQ(result.problems[1].line, 13);
  EXPECT_THAT(result.problems[1].message, HasSubstr("registered"));
}

TEST_F(MappingLoad, FileNamesAreAsciiWithoutSpecialCharactersAndEndInPdf) {
  const std::string base =
      "<?xml version=\"1.0\"?>\n"
      "<mapping xmlns=\"urn:portier:mapping:1\" name=\"d\" displayName=\"D\">\n"
      "  <authentication><clientCertificate subject=\"CN=d\"/></authentication>\n"
      "  <services><service id=\"903\"/></services>\n"
      "  <documents prefix=\"P\">\n";
  struct Case {
    const char* pattern;
    const char* says;
  } cases[] = {{"${kind}/${date}.pdf", "\"/\""},
               {"${kind}-${date}.txt", "ends in .pdf"},
               {"${kind}-${date.pdf", "without a closing"},
               {"Auszug:${date}.pdf", "\":\""}};
  for (const Case& c : cases) {
    LoadResult result = load_text(base + "    <kind name=\"K\" fileName=\"" + c.pattern +
                                  "\"/>\n  </documents>\n</mapping>\n");
    ASSERT_EQ(result.problems.size(), 1u) << c.pattern << "\n" << all_problems(result);
    EXPECT_EQ(result.problems[0].line, 6) << c.pattern;
    EXPECT_THAT(result.problems[0].message, HasSubstr(c.says)) << c.pattern;
  }
  LoadResult deadline = load_text(base +
                                  "    <kind name=\"K\" deadlineDays=\"0\"/>\n"
                                  "  </documents>\n</mapping>\n");
  ASSERT_EQ(deadline.problems.size(), 1u) << all_problems(deadline);
  EXPECT_EQ(deadline.problems[0].line, 6);
  EXPECT_THAT(deadline.problems[0].message, HasSubstr("deadlineDays"));
  LoadResult titles = load_text(base +
                                "    <kind name=\"K\" title=\"${kind} am ${datum}\"/>\n"
                                "  </documents>\n</mapping>\n");
  ASSERT_EQ(titles.problems.size(), 1u) << all_problems(titles);
  EXPECT_THAT(titles.problems[0].message, HasSubstr("unknown placeholder ${datum}"));
}

TEST_F(MappingLoad, RetentionHasDefaultsADepartmentsOwnAndADocumentKindsOverride) {
  const std::string head =
      "<?xml version=\"1.0\"?>\n"
      "<mapping xmlns=\"urn:portier:mapping:1\" name=\"d\" displayName=\"D\">\n"
      "  <authentication><clientCertificate subject=\"CN=d\"/></authentication>\n"
      "  <services><service id=\"905\"/></services>\n"
      "  <documents prefix=\"P\">\n"
      "    <kind name=\"Verfuegung\" registered=\"true\" retention=\"P30D\"/>\n"
      "    <kind name=\"Auszug\"/>\n"
      "  </documents>\n";
  LoadResult defaults = load_text(head + "</mapping>\n");
  ASSERT_TRUE(defaults.set) << all_problems(defaults);
  const DepartmentMapping& plain = defaults.set->all().at(0);
  EXPECT_EQ(plain.retention.documents, std::chrono::days(90));
  EXPECT_EQ(plain.retention.submissions, std::chrono::days(90));
  EXPECT_EQ(plain.retention.receipts, std::chrono::days(3650));
  EXPECT_EQ(plain.retention.personal_data, std::chrono::days(365));
  EXPECT_EQ(plain.document_kind("Verfuegung")->retention, std::chrono::days(30));
  EXPECT_FALSE(plain.document_kind("Auszug")->retention.has_value());

  LoadResult own =
      load_text(head +
                "  <retention documents=\"P7D\" receipts=\"P0D\" personalData=\" P30D \"/>\n"
                "</mapping>\n");
  ASSERT_TRUE(own.set) << all_problems(own);
  const Retention& r = own.set->all().at(0).retention;
  EXPECT_EQ(r.documents, std::chrono::days(7));
  EXPECT_EQ(r.submissions, std::chrono::days(90)) << "not given: the default";
  EXPECT_EQ(r.receipts, std::chrono::days(0));
  EXPECT_EQ(r.personal_data, std::chrono::days(30));

  for (const char* bad : {"90", "P90", "P-1D", "P1Y", "P1.5D", "PT90D", "P100000D"}) {
    const std::string text = head + "  <retention documents=\"P7D\"\n             receipts=\"" +
                             bad + "\"/>\n</mapping>\n";
    LoadResult result = load_text(text);
    EXPECT_FALSE(result.set) << bad;
    ASSERT_FALSE(result.problems.empty()) << bad;
    EXPECT_EQ(result.problems[0].line, line_containing(text, "receipts=")) << bad;
    EXPECT_THAT(result.problems[0].message, HasSubstr("receipts")) << bad;
    EXPECT_THAT(result.problems[0].file, HasSubstr("test.xml")) << bad;
  }
  LoadResult bad_kind = load_text(
      "<?xml version=\"1.0\"?>\n"
      "<mapping xmlns=\"urn:portier:mapping:1\" name=\"d\" displayName=\"D\">\n"
      "  <authentication><clientCertificate subject=\"CN=d\"/></authentication>\n"
      "  <services><service id=\"905\"/></services>\n"
      "  <documents prefix=\"P\"><kind name=\"K\" retention=\"ten years\"/></documents>\n"
      "</mapping>\n");
  ASSERT_FALSE(bad_kind.problems.empty());
  EXPECT_EQ(bad_kind.problems[0].line, 5);
  EXPECT_THAT(bad_kind.problems[0].message, HasSubstr("retention"));
}

TEST(RetentionPeriods, AreIsoDaysBothWays) {
  EXPECT_EQ(parse_days("P90D"), std::chrono::days(90));
  EXPECT_EQ(parse_days("P0D"), std::chrono::days(0));
  EXPECT_EQ(parse_days("P99999D"), std::chrono::days(99999));
  EXPECT_FALSE(parse_days("P100000D"));
  EXPECT_FALSE(parse_days("P1M"));
  EXPECT_FALSE(parse_days("PD"));
  EXPECT_FALSE(parse_days("p90d"));
  EXPECT_EQ(format_days(std::chrono::days(3650)), "P3650D");
}

TEST_F(MappingLoad, AuthenticationNeedsAtLeastOneWay) {
  const std::string text =
      "<?xml version=\"1.0\"?>\n"
      "<mapping xmlns=\"urn:portier:mapping:1\" name=\"anon\" displayName=\"Anon\">\n"
      "  <authentication/>\n"
      "  <services><service id=\"904\"/></services>\n"
      "</mapping>\n";
  LoadResult result = load_text(text);
  ASSERT_EQ(result.problems.size(), 1u) << all_problems(result);
  EXPECT_EQ(result.problems[0].line, 3);
}

TEST_F(MappingLoad, CertificateSubjectNeedsACommonName) {
  LoadResult result = load_text(
      "<?xml version=\"1.0\"?>\n"
      "<mapping xmlns=\"urn:portier:mapping:1\" name=\"x\" displayName=\"X\">\n"
      "  <authentication><clientCertificate subject=\"O=Kanton Solothurn,C=CH\"/>"
      "</authentication>\n"
      "  <services><service id=\"905\"/></services>\n"
      "</mapping>\n");
  ASSERT_EQ(result.problems.size(), 1u) << all_problems(result);
  EXPECT_EQ(result.problems[0].line, 3);
  EXPECT_THAT(result.problems[0].message, HasSubstr("CN"));
}

TEST_F(MappingLoad, TemplatePlaceholdersMustBeWellFormed) {
  LoadResult result = load_text(
      "<?xml version=\"1.0\"?>\n"
      "<mapping xmlns=\"urn:portier:mapping:1\" name=\"t\" displayName=\"T\">\n"
      "  <authentication><clientCertificate subject=\"CN=t\"/></authentication>\n"
      "  <services><service id=\"906\"/></services>\n"
      "  <endpoint name=\"check\" kind=\"rest\" url=\"http://127.0.0.1:1/x\">\n"
      "    <template name=\"a\"><![CDATA[{\n"
      "  \"name\": \"${name}\",\n"
      "  \"id\": \"${1st}\"\n"
      "}]]></template>\n"
      "  </endpoint>\n"
      "</mapping>\n");
  ASSERT_EQ(result.problems.size(), 1u) << all_problems(result);
  EXPECT_EQ(result.problems[0].line, 8);
  EXPECT_THAT(result.problems[0].message, HasSubstr("${1st}"));
}

// An endpoint pins its CA and presents a client certificate; a key of another certificate is
// refused with the element, the files and the line.
TEST_F(MappingLoad, EndpointClientCertificateIsLoadedAndChecked) {
  const std::filesystem::path& dir = folder_.path();
  ASSERT_TRUE(config::testing::make_ca(dir, "ca") &&
              config::testing::make_certificate(dir, "ca", "portier") &&
              config::testing::make_certificate(dir, "ca", "another"))
      << "openssl could not make the test certificates";
  const auto mapping = [](const std::string& key) {
    return "<?xml version=\"1.0\"?>\n"
           "<mapping xmlns=\"urn:portier:mapping:1\" name=\"t\" displayName=\"T\">\n"
           "  <authentication><clientCertificate subject=\"CN=t\"/></authentication>\n"
           "  <services><service id=\"908\"/></services>\n"
           "  <endpoint name=\"check\" kind=\"rest\" url=\"https://127.0.0.1:1/x\" "
           "caFile=\"ca.pem\">\n"
           "    <clientCertificate certificate=\"portier.pem\" privateKey=\"" +
           key +
           "\"/>\n"
           "  </endpoint>\n"
           "</mapping>\n";
  };
  LoadResult good = load_text(mapping("portier.key"));
  ASSERT_NE(good.set, nullptr) << all_problems(good);
  const Endpoint* endpoint = good.set->by_name("t")->endpoint("check");
  ASSERT_NE(endpoint, nullptr);
  EXPECT_EQ(endpoint->tls.ca_file, (dir / "ca.pem").string());
  EXPECT_EQ(endpoint->tls.certificate_file, (dir / "portier.pem").string());
  EXPECT_EQ(endpoint->tls.private_key_file, (dir / "portier.key").string());

  LoadResult bad = load_text(mapping("another.key"));
  EXPECT_EQ(bad.set, nullptr);
  ASSERT_EQ(bad.problems.size(), 1u) << all_problems(bad);
  EXPECT_EQ(bad.problems[0].line, 6);
  EXPECT_THAT(bad.problems[0].message, HasSubstr("<endpoint><clientCertificate>"));
  EXPECT_THAT(bad.problems[0].message, HasSubstr((dir / "another.key").string() +
                                                 " is not the private key of the certificate in " +
                                                 (dir / "portier.pem").string()));
}

TEST_F(MappingLoad, EndpointUserAndPasswordGoTogether) {
  LoadResult result = load_text(
      "<?xml version=\"1.0\"?>\n"
      "<mapping xmlns=\"urn:portier:mapping:1\" name=\"t\" displayName=\"T\">\n"
      "  <authentication><clientCertificate subject=\"CN=t\"/></authentication>\n"
      "  <services><service id=\"907\"/></services>\n"
      "  <endpoint name=\"a\" kind=\"rest\" url=\"http://127.0.0.1:1/a\" user=\"portier\"/>\n"
      "  <endpoint name=\"a\" kind=\"ftp\" url=\"http://127.0.0.1:1/b\"\n"
      "            password=\"env:PORTIER_TEST_MAPPING_SECRET\"/>\n"
      "</mapping>\n");
  ASSERT_EQ(result.problems.size(), 4u) << all_problems(result);
  EXPECT_EQ(result.problems[0].line, 5);
  EXPECT_THAT(result.problems[0].message, HasSubstr("needs password"));
  EXPECT_EQ(result.problems[1].line, 6);  // kind
  EXPECT_EQ(result.problems[2].line, 6);  // the name again
  EXPECT_THAT(result.problems[1].message + result.problems[2].message,
              HasSubstr("already used by the endpoint on line 5"));
  EXPECT_EQ(result.problems[3].line, 7);
  EXPECT_THAT(result.problems[3].message, HasSubstr("needs user"));
}

TEST_F(MappingLoad, ADoctypeIsRefused) {
  LoadResult result = load_text(
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE mapping [<!ENTITY x \"y\">]>\n"
      "<mapping xmlns=\"urn:portier:mapping:1\" name=\"t\" displayName=\"&x;\"/>\n");
  ASSERT_FALSE(result.problems.empty());
  EXPECT_THAT(result.problems[0].message, HasSubstr("DOCTYPE is not allowed in a mapping file"));
}

TEST_F(MappingLoad, AConfigurationIsNotAMapping) {
  LoadResult result =
      load_text("<?xml version=\"1.0\"?>\n<portier xmlns=\"urn:portier:config:1\"/>\n");
  ASSERT_FALSE(result.problems.empty());
  EXPECT_EQ(result.set, nullptr);
}

// --- across files -----------------------------------------------------------------------------

TEST_F(MappingLoad, NamesSubjectsUsersAndServicesAreUniqueAcrossFiles) {
  const std::string first = minimal_mapping("amt", "amt", 500);
  const std::string second = minimal_mapping("amt", "amt", 500);
  folder_.write("a.xml", first);
  folder_.write("b.xml", second);
  LoadResult result = load_folder(folder_.path().string());
  EXPECT_EQ(result.set, nullptr);
  ASSERT_EQ(result.problems.size(), 3u) << all_problems(result);
  const std::string a = (folder_.path() / "a.xml").string();
  const std::string b = (folder_.path() / "b.xml").string();
  for (const config::Problem& p : result.problems) EXPECT_EQ(p.file, b) << p.to_string();
  EXPECT_EQ(result.problems[0].line, line_containing(second, "name=\"amt\""));
  EXPECT_THAT(result.problems[0].message,
              HasSubstr(a + ":" + std::to_string(line_containing(first, "name=\"amt\""))));
  EXPECT_EQ(result.problems[1].line, line_containing(second, "subject="));
  EXPECT_THAT(result.problems[1].message, HasSubstr("CN=amt,O=Kanton Solothurn,C=CH"));
  EXPECT_THAT(result.problems[1].message,
              HasSubstr(a + ":" + std::to_string(line_containing(first, "subject="))));
  EXPECT_EQ(result.problems[2].line, line_containing(second, "service id"));
  EXPECT_THAT(result.problems[2].message, HasSubstr("500"));
}

TEST_F(MappingLoad, SubjectsAreComparedAfterNormalising) {
  folder_.write("a.xml", minimal_mapping("a", "same", 1));
  std::string second = minimal_mapping("b", "same", 2);
  second.replace(second.find("CN=same,O=Kanton Solothurn,C=CH"), 31,
                 "cn = same, O=Kanton Solothurn, C=CH");
  folder_.write("b.xml", second);
  LoadResult result = load_folder(folder_.path().string());
  ASSERT_EQ(result.problems.size(), 1u) << all_problems(result);
  EXPECT_THAT(result.problems[0].message, HasSubstr("already used by mapping \"a\""));
}

TEST_F(MappingLoad, UsersAreUniqueAcrossFiles) {
  const std::string token =
      "    <usernameToken user=\"shared\" password=\"env:PORTIER_TEST_MAPPING_SECRET\"/>\n";
  std::string first = minimal_mapping("a", "a", 1);
  std::string second = minimal_mapping("b", "b", 2);
  first.insert(first.find("  </authentication>"), token);
  second.insert(second.find("  </authentication>"), token);
  folder_.write("a.xml", first);
  folder_.write("b.xml", second);
  LoadResult result = load_folder(folder_.path().string());
  ASSERT_EQ(result.problems.size(), 1u) << all_problems(result);
  EXPECT_EQ(result.problems[0].line, line_containing(second, "usernameToken"));
  EXPECT_THAT(result.problems[0].message, HasSubstr("user=\"shared\""));
}

TEST_F(MappingLoad, FolderReadsOnlyXmlFilesDirectlyInIt) {
  folder_.write("a.xml", minimal_mapping("a", "a", 1));
  folder_.write("notes.txt", "not a mapping");
  folder_.write(".#a.xml", "editor lock");
  folder_.write("tests/a/x.xml", "<not-a-mapping/>");
  LoadResult result = load_folder(folder_.path().string());
  ASSERT_NE(result.set, nullptr) << all_problems(result);
  EXPECT_EQ(result.set->all().size(), 1u);

  TempFolder empty;
  LoadResult none = load_folder(empty.path().string());
  ASSERT_NE(none.set, nullptr);
  EXPECT_TRUE(none.set->all().empty());

  LoadResult missing = load_folder((empty.path() / "absent").string());
  EXPECT_EQ(missing.set, nullptr);
  ASSERT_EQ(missing.problems.size(), 1u);
  EXPECT_THAT(missing.problems[0].message, HasSubstr("does not exist"));
}

TEST_F(MappingLoad, TellsMappingFilesFromConfigurations) {
  EXPECT_TRUE(is_mapping_file((testing::source_dir() / "mappings/mfk.xml").string()));
  EXPECT_FALSE(is_mapping_file((testing::source_dir() / "config/sandbox.xml").string()));
  EXPECT_TRUE(is_mapping_file(
      folder_.write("x.xml", "<?xml version=\"1.0\"?>\n<!-- c -->\n<mapping/>\n").string()));
  EXPECT_TRUE(is_mapping_file(folder_.write("mappings/broken.xml", "not xml").string()));
  EXPECT_FALSE(is_mapping_file(folder_.write("broken.xml", "not xml").string()));
}

}  // namespace
}  // namespace portier::mapping
