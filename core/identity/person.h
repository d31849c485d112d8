#pragma once
// Who the portal says the citizen is: eCH-0044 v4 personIdentification (the coupling parameters
// of the identity check), and the checks every such value must pass before anyone is asked.
// Pure functions and value types; any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/status.h"

namespace portier::identity {

// eCH-0044 dateOfBirth: a choice of yearMonthDay, yearMonth or year, for partially known dates.
struct DateOfBirth {
  int year = 0;
  int month = 0;  // 0: unknown
  int day = 0;    // 0: unknown
  // "yyyy", "yyyy-mm" or "yyyy-mm-dd", as given.
  std::string to_string() const;
};

// eCH-0044 localPersonId / otherPersonId.
struct PersonId {
  std::string category;  // personIdCategory, at most 20 characters
  std::string id;        // personId, at most 36 characters
};

struct PersonIdentification {
  std::string official_name;           // required, 1..100
  std::string first_name;              // required, 1..100
  DateOfBirth date_of_birth;           // required
  std::optional<int> sex;              // 1 male, 2 female, 3 unknown
  std::optional<std::string> vn;       // AHVN13, 756 and ten digits, EAN-13 check digit
  std::optional<PersonId> local_person_id;
};

// A field that is wrong, and why: `field` is the path in the portal's request, e.g.
// "person.dateOfBirth.yearMonthDay".
struct FieldProblem {
  std::string field;
  std::string reason;
};

// The value as a date of birth that exists and is not in the future (relative to `today`,
// yyyy-mm-dd), or the reason it is not one. Accepts "yyyy-mm-dd" for `kind` yearMonthDay,
// "yyyy-mm" for yearMonth and "yyyy" for year.
enum class DateKind { kYearMonthDay, kYearMonth, kYear };
Result<DateOfBirth> parse_date_of_birth(std::string_view text, DateKind kind,
                                        const DateOfBirth& today);

// True if `vn` is an AHVN13 (756, then ten digits; the last is the EAN-13 check digit).
bool is_valid_vn(std::string_view vn);

// The problem with a whole person identification (names, sex, person id lengths), if any.
std::optional<FieldProblem> check_person(const PersonIdentification& person);

// The coupling parameters in one canonical text: names folded (case, umlauts, accents, spaces
// and hyphens), the date as given, vn and person id as sent. Its SHA-256 is what the journal
// keeps instead of the values, so two checks of the same person have the same digest.
std::string canonical_coupling(const PersonIdentification& person);

// A name folded for comparison: lower case, ä/ö/ü -> ae/oe/ue, other Latin-1 accents dropped,
// ß -> ss, runs of spaces, hyphens and apostrophes become one space, trimmed.
std::string fold_name(std::string_view name);

}  // namespace portier::identity
