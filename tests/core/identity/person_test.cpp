#include "core/identity/person.h"

#include <gtest/gtest.h>

namespace portier::identity {
namespace {

const DateOfBirth kToday{2026, 3, 15};

TEST(Vn, AcceptsOnlyAhvNumbersWithTheirEan13CheckDigit) {
  EXPECT_TRUE(is_valid_vn("7561234567897"));
  EXPECT_TRUE(is_valid_vn("7569876543217"));
  EXPECT_FALSE(is_valid_vn("7561234567898"));   // wrong check digit
  EXPECT_FALSE(is_valid_vn("7571234567896"));   // not 756
  EXPECT_FALSE(is_valid_vn("756123456789"));    // 12 digits
  EXPECT_FALSE(is_valid_vn("756.1234.5678.97"));
  EXPECT_FALSE(is_valid_vn(""));
}

TEST(DateOfBirthParse, AcceptsTheThreePrecisionsOfECH0044) {
  auto full = parse_date_of_birth("1980-04-12", DateKind::kYearMonthDay, kToday);
  ASSERT_TRUE(full.is_ok());
  EXPECT_EQ(full->to_string(), "1980-04-12");
  EXPECT_EQ(parse_date_of_birth("1975-11", DateKind::kYearMonth, kToday)->to_string(), "1975-11");
  EXPECT_EQ(parse_date_of_birth("1990", DateKind::kYear, kToday)->to_string(), "1990");
  EXPECT_TRUE(parse_date_of_birth("2024-02-29", DateKind::kYearMonthDay, kToday).is_ok());
}

TEST(DateOfBirthParse, RefusesImpossibleAndFutureDates) {
  for (const char* bad : {"2023-02-29", "2023-02-30", "1980-04-31", "1980-00-10", "1980-4-12",
                          "80-04-12", "1980-04-12T00:00", "1849-12-31", "2026-03-16"}) {
    EXPECT_FALSE(parse_date_of_birth(bad, DateKind::kYearMonthDay, kToday).is_ok()) << bad;
  }
  EXPECT_FALSE(parse_date_of_birth("1980-13", DateKind::kYearMonth, kToday).is_ok());
  EXPECT_FALSE(parse_date_of_birth("2026-04", DateKind::kYearMonth, kToday).is_ok());
  EXPECT_FALSE(parse_date_of_birth("2027", DateKind::kYear, kToday).is_ok());
  EXPECT_TRUE(parse_date_of_birth("2026-03", DateKind::kYearMonth, kToday).is_ok());
}

TEST(FoldName, FoldsCaseUmlautsAccentsAndSeparators) {
  EXPECT_EQ(fold_name("MÜLLER"), "mueller");
  EXPECT_EQ(fold_name("Müller"), fold_name("Mueller"));
  EXPECT_EQ(fold_name("Jérôme"), "jerome");
  EXPECT_EQ(fold_name("Meier-Suter"), fold_name("meier  suter"));
  EXPECT_EQ(fold_name("  Straße "), "strasse");
  EXPECT_EQ(fold_name("d'Alessandro"), "d alessandro");
}

TEST(CheckPerson, NamesTheFirstWrongField) {
  PersonIdentification p{"Müller", "Hans", {1980, 4, 12}, 1, "7561234567897", std::nullopt};
  EXPECT_FALSE(check_person(p));
  p.first_name = " - ";
  EXPECT_EQ(check_person(p)->field, "person.firstName");
  p.first_name = "Hans";
  p.vn = "7561234567890";
  EXPECT_EQ(check_person(p)->field, "person.vn");
  p.vn.reset();
  p.official_name = std::string(101, 'a');
  EXPECT_EQ(check_person(p)->field, "person.officialName");
  p.official_name = std::string(100, 'a');
  p.local_person_id = PersonId{"", "1"};
  EXPECT_EQ(check_person(p)->field, "person.localPersonId.personIdCategory");
}

TEST(CanonicalCoupling, IsTheSameForTheSamePersonHoweverSpelled) {
  PersonIdentification a{"MÜLLER", "hans", {1980, 4, 12}, std::nullopt, std::nullopt, std::nullopt};
  PersonIdentification b{"Mueller", "Hans", {1980, 4, 12}, std::nullopt, std::nullopt, std::nullopt};
  EXPECT_EQ(canonical_coupling(a), canonical_coupling(b));
  b.date_of_birth = {1980, 4, 0};
  EXPECT_NE(canonical_coupling(a), canonical_coupling(b));
}

}  // namespace
}  // namespace portier::identity
