// apply.h: ascii_name, map_status, name_document, is_personal.
#include "core/mapping/apply.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace portier::mapping {
namespace {

using ::testing::HasSubstr;

TEST(AsciiName, Umlauts) {
  EXPECT_EQ(ascii_name("ä ö ü Ä Ö Ü ß"), "ae-oe-ue-Ae-Oe-Ue-ss");
  EXPECT_EQ(ascii_name("Müller"), "Mueller");
  EXPECT_EQ(ascii_name("Größe"), "Groesse");
  EXPECT_EQ(ascii_name("Übersicht"), "Uebersicht");
  EXPECT_EQ(ascii_name("Straße"), "Strasse");
}

TEST(AsciiName, Accents) {
  EXPECT_EQ(ascii_name("é è ê ë"), "e-e-e-e");
  EXPECT_EQ(ascii_name("à â á"), "a-a-a");
  EXPECT_EQ(ascii_name("Ça va, François"), "Ca-va-Francois");
  EXPECT_EQ(ascii_name("Zoë Noël"), "Zoe-Noel");
  EXPECT_EQ(ascii_name("Délémont Genève"), "Delemont-Geneve");
  EXPECT_EQ(ascii_name("Œuvre"), "OEuvre");
  EXPECT_EQ(ascii_name("Ñandú"), "Nandu");
}

TEST(AsciiName, SpacesSlashesAndSpecialCharactersBecomeOneDash) {
  EXPECT_EQ(ascii_name("Auszug für Müller"), "Auszug-fuer-Mueller");
  EXPECT_EQ(ascii_name("a/b\\c"), "a-b-c");
  EXPECT_EQ(ascii_name("Steuerjahr 2025 / Müller"), "Steuerjahr-2025-Mueller");
  EXPECT_EQ(ascii_name("  x  --  y  "), "x-y");
  EXPECT_EQ(ascii_name("A&B (Kopie) #2: \"neu\"?"), "A-B-Kopie-2-neu");
  EXPECT_EQ(ascii_name("Handelsregisterauszug – 2019-12-04"), "Handelsregisterauszug-2019-12-04");
  EXPECT_EQ(ascii_name("no\u00a0break"), "no-break");
}

TEST(AsciiName, KeepsWhatIsAllowedAndDropsOtherNonAscii) {
  EXPECT_EQ(ascii_name("KantonSolothurn-Handelsregisterauszug-2019-12-04.pdf"),
            "KantonSolothurn-Handelsregisterauszug-2019-12-04.pdf");
  EXPECT_EQ(ascii_name("snake_case.v2"), "snake_case.v2");
  EXPECT_EQ(ascii_name("日本 Auszug ✓"), "Auszug");
  EXPECT_EQ(ascii_name("..hidden"), "hidden");
  EXPECT_EQ(ascii_name("Auszug - .pdf"), "Auszug.pdf");
  EXPECT_EQ(ascii_name("bad\xff\xfe bytes\xc3"), "bad-bytes");
  EXPECT_EQ(ascii_name(""), "");
  EXPECT_EQ(ascii_name("ü"), "ue");
}

DepartmentMapping example() {
  DepartmentMapping m;
  m.name = "handelsregister";
  m.document_prefix = "KantonSolothurn";
  m.status_table = {{"EINGEGANGEN", model::CaseStatus::IN_PROGRESS, "Eingegangen"},
                    {"RUECKFRAGE", model::CaseStatus::WAITING_FOR_CUSTOMER, ""}};
  m.document_kinds = {{"Handelsregisterauszug",
                       "${prefix}-${kind}-${date}.pdf",
                       "${kind} - ${date}",
                       false,
                       0,
                       {},
                       std::nullopt},
                      {"Verfügung über Änderung",
                       "${prefix}-${kind}-${title}-${date}.pdf",
                       "${kind}: ${title} (${date})",
                       true,
                       0,
                       {},
                       std::nullopt}};
  m.personal_fields = {"ownerId"};
  m.limits.max_text_length = 10;
  return m;
}

TEST(MapStatus, TheRulesTextWinsUnlessItIsEmpty) {
  const DepartmentMapping m = example();
  auto eingegangen = map_status(m, "EINGEGANGEN", std::string("vom Amt"));
  ASSERT_TRUE(eingegangen.is_ok());
  EXPECT_EQ(eingegangen->status, model::CaseStatus::IN_PROGRESS);
  EXPECT_EQ(eingegangen->status_text, "Eingegangen");

  auto rueckfrage = map_status(m, "RUECKFRAGE", std::string("Ausweis"));
  ASSERT_TRUE(rueckfrage.is_ok());
  EXPECT_EQ(rueckfrage->status, model::CaseStatus::WAITING_FOR_CUSTOMER);
  EXPECT_EQ(rueckfrage->status_text, "Ausweis");

  auto without = map_status(m, "RUECKFRAGE", std::nullopt);
  ASSERT_TRUE(without.is_ok());
  EXPECT_FALSE(without->status_text.has_value());
  EXPECT_FALSE(map_status(m, "RUECKFRAGE", std::string())->status_text.has_value());
}

TEST(MapStatus, AnUnknownCodeNamesTheFieldAndTheCode) {
  auto unknown = map_status(example(), "VERANLAGT", std::nullopt);
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("departmentStatusCode"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("VERANLAGT"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("EINGEGANGEN, RUECKFRAGE"));
}

TEST(MapStatus, TheDepartmentsTextIsLimited) {
  auto too_long = map_status(example(), "RUECKFRAGE", std::string("Fünfzehn Zeichen"));
  ASSERT_FALSE(too_long.is_ok());
  EXPECT_THAT(too_long.status().message(), HasSubstr("statusText"));
  // Ten characters, twelve bytes.
  EXPECT_TRUE(map_status(example(), "RUECKFRAGE", std::string("Ärger über")).is_ok());
}

TEST(NameDocument, TheWhitepapersExample) {
  auto named = name_document(example(), "Handelsregisterauszug", "2019-12-04", "egal");
  ASSERT_TRUE(named.is_ok()) << named.status().to_string();
  EXPECT_EQ(named->file_name, "KantonSolothurn-Handelsregisterauszug-2019-12-04.pdf");
  EXPECT_EQ(named->title, "Handelsregisterauszug - 2019-12-04");
}

TEST(NameDocument, ValuesAreAsciiInFileNamesAndAsTheyAreInTitles) {
  auto named = name_document(example(), "Verfügung über Änderung", "2024-02-29", "Bau / Anbau");
  ASSERT_TRUE(named.is_ok()) << named.status().to_string();
  EXPECT_EQ(named->file_name,
            "KantonSolothurn-Verfuegung-ueber-Aenderung-Bau-Anbau-2024-02-29.pdf");
  EXPECT_EQ(named->title, "Verfügung über Änderung: Bau / Anbau (2024-02-29)");
}

TEST(NameDocument, ErrorsNameTheField) {
  const DepartmentMapping m = example();
  auto kind = name_document(m, "Fischereipatent", "2019-12-04", "");
  ASSERT_FALSE(kind.is_ok());
  EXPECT_EQ(kind.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(kind.status().message(), HasSubstr("documentKind"));
  EXPECT_THAT(kind.status().message(), HasSubstr("Fischereipatent"));
  for (const char* date : {"04.12.2019", "2019-13-01", "2023-02-29", "2019-12-4", ""}) {
    auto bad = name_document(m, "Handelsregisterauszug", date, "");
    ASSERT_FALSE(bad.is_ok()) << date;
    EXPECT_THAT(bad.status().message(), HasSubstr("date")) << date;
  }
  auto untitled = name_document(m, "Verfügung über Änderung", "2024-02-29", " ");
  ASSERT_FALSE(untitled.is_ok());
  EXPECT_THAT(untitled.status().message(), HasSubstr("title"));
  auto too_long = name_document(m, "Verfügung über Änderung", "2024-02-29", std::string(300, 'x'));
  ASSERT_FALSE(too_long.is_ok());
  EXPECT_THAT(too_long.status().message(), HasSubstr("title"));
}

TEST(IsPersonal, OnlyTheListedFields) {
  EXPECT_TRUE(is_personal(example(), "ownerId"));
  EXPECT_FALSE(is_personal(example(), "serviceId"));
  EXPECT_FALSE(is_personal(example(), "ownerid"));
}

TEST(NormalizeSubject, SpacesAndTypeCase) {
  EXPECT_EQ(normalize_subject(" cn = mfk , o=Kanton Solothurn,C = CH "),
            "CN=mfk,O=Kanton Solothurn,C=CH");
  EXPECT_EQ(normalize_subject("CN=Amt\\, Abteilung,C=CH"), "CN=Amt\\, Abteilung,C=CH");
}

}  // namespace
}  // namespace portier::mapping
