// run_vectors: a failing vector says what differs; broken vector files are reported.
#include "core/mapping/vectors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/core/mapping/mapping_test_support.h"

namespace portier::mapping {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempFolder;

DepartmentMapping example() {
  DepartmentMapping m;
  m.name = "amt";
  m.document_prefix = "KantonSolothurn";
  m.status_table = {{"FERTIG", model::CaseStatus::DECIDED, "Fertig"}};
  m.document_kinds = {
      {"Auszug", "${prefix}-${kind}-${date}.pdf", "${kind} - ${date}", false, 0, {}, std::nullopt}};
  return m;
}

const VectorResult& find(const VectorReport& report, const std::string& name) {
  for (const VectorResult& v : report.vectors) {
    if (v.name == name) return v;
  }
  throw std::runtime_error("no vector " + name);
}

TEST(Vectors, PassFailAndDifferences) {
  TempFolder folder;
  folder.write("ok.input.json", R"({"function":"status","departmentStatusCode":"FERTIG"})");
  folder.write("ok.expected.json", R"({"status":"DECIDED","statusText":"Fertig"})");
  folder.write("wrong.input.json",
               R"({"function":"documentName","kind":"Auszug","date":"2026-01-02","title":""})");
  folder.write("wrong.expected.json",
               R"({"fileName":"Auszug-2026-01-02.pdf","title":"Auszug - 2026-01-02","x":1})");
  folder.write("error.input.json", R"({"function":"status","departmentStatusCode":"NEU"})");
  folder.write("error.expected.json",
               R"({"error":"INVALID_ARGUMENT","messageContains":"departmentStatusCode"})");
  folder.write("error-missed.input.json",
               R"({"function":"status","departmentStatusCode":"FERTIG"})");
  folder.write("error-missed.expected.json", R"({"error":"INVALID_ARGUMENT"})");
  folder.write("bad-input.input.json", R"({"function":"guess"})");
  folder.write("bad-input.expected.json", R"({})");
  folder.write("not-json.input.json", "{");
  folder.write("not-json.expected.json", "{}");
  folder.write("alone.input.json", R"({"function":"asciiName","text":"x"})");
  folder.write("orphan.expected.json", "{}");

  const VectorReport report = run_vectors(example(), folder.path().string());
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.vectors.size(), 7u);
  EXPECT_EQ(report.failed(), 5u);
  EXPECT_TRUE(find(report, "ok").passed);
  EXPECT_TRUE(find(report, "error").passed) << find(report, "error").message;
  const std::string wrong = find(report, "wrong").message;
  EXPECT_THAT(wrong, HasSubstr("fileName: expected \"Auszug-2026-01-02.pdf\", got "
                               "\"KantonSolothurn-Auszug-2026-01-02.pdf\""));
  EXPECT_THAT(wrong, HasSubstr("x: expected 1, got nothing"));
  EXPECT_THAT(wrong, Not(HasSubstr("title")));
  EXPECT_THAT(find(report, "error-missed").message, HasSubstr("expected error"));
  EXPECT_THAT(find(report, "bad-input").message, HasSubstr("unknown function"));
  EXPECT_THAT(find(report, "not-json").message, HasSubstr("not JSON"));
  EXPECT_THAT(find(report, "alone").message, HasSubstr("no alone.expected.json"));
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_THAT(report.problems[0], HasSubstr("orphan.expected.json"));
}

TEST(Vectors, AFolderWithoutVectorsDoesNotPass) {
  TempFolder folder;
  EXPECT_FALSE(run_vectors(example(), folder.path().string()).passed());
  EXPECT_FALSE(run_vectors(example(), (folder.path() / "absent").string()).passed());
}

TEST(Vectors, TheFolderIsBesideTheMapping) {
  DepartmentMapping m = example();
  m.source_file = "/srv/portier/mappings/amt.xml";
  EXPECT_EQ(vectors_folder_of(m), "/srv/portier/mappings/tests/amt");
}

}  // namespace
}  // namespace portier::mapping
