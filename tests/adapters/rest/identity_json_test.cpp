#include "adapters/rest/identity_json.h"

#include <gtest/gtest.h>

namespace portier::rest_adapter {
namespace {

const identity::DateOfBirth kToday{2026, 3, 15};

std::string field_of(const std::string& body) {
  auto r = read_check_request(body, kToday);
  auto* p = std::get_if<BodyProblem>(&r);
  return p ? p->field : "";
}

TEST(IdentityJson, ReadsAFullRequest) {
  auto r = read_check_request(
      R"({"requestId":"r1","portal":{"accountId":"a","profileId":"p","identificationLevel":2},
          "serviceId":101,"person":{"officialName":"Müller","firstName":"Hans",
          "dateOfBirth":{"yearMonth":"1980-04"},"sex":1,"vn":"7561234567897",
          "localPersonId":{"personIdCategory":"CH.SO","personId":"42"}},
          "representation":{"organisationUid":"CHE-123.456.789"}})",
      kToday);
  ASSERT_TRUE(std::holds_alternative<identity::CheckRequest>(r)) << std::get<BodyProblem>(r).reason;
  const auto& c = std::get<identity::CheckRequest>(r);
  EXPECT_EQ(c.profile_id, "p");
  EXPECT_EQ(c.person.date_of_birth.to_string(), "1980-04");
  EXPECT_EQ(c.person.local_person_id->id, "42");
  EXPECT_EQ(c.representation->organisation_uid, "CHE-123.456.789");
}

TEST(IdentityJson, NamesTheWrongField) {
  const std::string ok_portal = R"("portal":{"accountId":"a","identificationLevel":2},"serviceId":1)";
  auto with_person = [&](const std::string& person) {
    return "{" + ok_portal + ",\"person\":" + person + "}";
  };
  EXPECT_EQ(field_of("[1]"), "(body)");
  EXPECT_EQ(field_of("{"), "(body)");
  EXPECT_EQ(field_of(R"({"serviceId":1})"), "portal");
  EXPECT_EQ(field_of("{" + ok_portal + "}"), "person");
  EXPECT_EQ(field_of(with_person(R"({"firstName":"H","dateOfBirth":{"year":"1980"}})")),
            "person.officialName");
  EXPECT_EQ(field_of(with_person(
                R"({"officialName":"M","firstName":"H","dateOfBirth":{"year":"1980","yearMonth":"1980-01"}})")),
            "person.dateOfBirth");
  EXPECT_EQ(field_of(with_person(
                R"({"officialName":"M","firstName":"H","dateOfBirth":{"yearMonthDay":"1980-02-30"}})")),
            "person.dateOfBirth.yearMonthDay");
  EXPECT_EQ(field_of(with_person(
                R"({"officialName":"M","firstName":"H","dateOfBirth":{"year":"1980"},"vn":"7561234567890"})")),
            "person.vn");
  EXPECT_EQ(field_of(with_person(
                R"({"officialName":"M","firstName":"H","dateOfBirth":{"year":"1980"},"nick":"x"})")),
            "person.nick");
  EXPECT_EQ(field_of(R"({"portal":{"accountId":"a","identificationLevel":"2"},"serviceId":1})"),
            "portal.identificationLevel");
  std::string deep(100, '[');
  EXPECT_EQ(field_of(deep), "(body)");
}

}  // namespace
}  // namespace portier::rest_adapter
