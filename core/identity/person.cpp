#include "core/identity/person.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace portier::identity {
namespace {

constexpr size_t kMaxNameLength = 100;
constexpr size_t kMaxCategoryLength = 20;
constexpr size_t kMaxPersonIdLength = 36;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// UTF-8 length in code points; names are limited in characters, not bytes.
size_t code_points(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::optional<FieldProblem> check_name(const std::string& value, const char* field) {
  std::string trimmed = fold_name(value);
  if (trimmed.empty()) return FieldProblem{field, "must not be empty"};
  if (code_points(value) > kMaxNameLength) {
    return FieldProblem{field, "at most 100 characters"};
  }
  if (has_control(value)) return FieldProblem{field, "must not contain control characters"};
  return std::nullopt;
}

}  // namespace

std::string DateOfBirth::to_string() const {
  char buf[16];
  if (month == 0) {
    std::snprintf(buf, sizeof buf, "%04d", year);
  } else if (day == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  }
  return buf;
}

Result<DateOfBirth> parse_date_of_birth(std::string_view text, DateKind kind,
                                        const DateOfBirth& today) {
  const size_t expected = kind == DateKind::kYear ? 4 : kind == DateKind::kYearMonth ? 7 : 10;
  const char* shape = kind == DateKind::kYear        ? "yyyy"
                      : kind == DateKind::kYearMonth ? "yyyy-mm"
                                                     : "yyyy-mm-dd";
  if (text.size() != expected || !all_digits(text.substr(0, 4)) ||
      (expected >= 7 && (text[4] != '-' || !all_digits(text.substr(5, 2)))) ||
      (expected == 10 && (text[7] != '-' || !all_digits(text.substr(8, 2))))) {
    return invalid_argument(std::string("must have the form ") + shape);
  }
  DateOfBirth d;
  d.year = to_int(text.substr(0, 4));
  if (expected >= 7) d.month = to_int(text.substr(5, 2));
  if (expected == 10) d.day = to_int(text.substr(8, 2));
  if (d.year < 1850) return invalid_argument("the year is before 1850");
  if (expected >= 7 && (d.month < 1 || d.month > 12)) {
    return invalid_argument("there is no month " + std::to_string(d.month));
  }
  if (expected == 10 && (d.day < 1 || d.day > days_in_month(d.year, d.month))) {
    return invalid_argument("the date " + std::string(text) + " does not exist");
  }
  // Compared field by field; an unknown part compares as the earliest possible.
  auto key = [](const DateOfBirth& x) { return x.year * 10000 + x.month * 100 + x.day; };
  if (key(d) > key(today)) return invalid_argument("the date lies in the future");
  return d;
}

bool is_valid_vn(std::string_view vn) {
  if (vn.size() != 13 || !all_digits(vn) || !vn.starts_with("756")) return false;
  // EAN-13: weights 1 and 3 alternate from the left over the first twelve digits.
  int sum = 0;
  for (size_t i = 0; i < 12; ++i) sum += (vn[i] - '0') * (i % 2 == 0 ? 1 : 3);
  return (10 - sum % 10) % 10 == vn[12] - '0';
}

std::optional<FieldProblem> check_person(const PersonIdentification& person) {
  if (auto p = check_name(person.official_name, "person.officialName")) return p;
  if (auto p = check_name(person.first_name, "person.firstName")) return p;
  if (person.sex && (*person.sex < 1 || *person.sex > 3)) {
    return FieldProblem{"person.sex", "must be 1 (male), 2 (female) or 3 (unknown)"};
  }
  if (person.vn && !is_valid_vn(*person.vn)) {
    return FieldProblem{"person.vn",
                        "not an AHV number: 13 digits starting with 756 and a valid check digit"};
  }
  if (person.local_person_id) {
    const PersonId& id = *person.local_person_id;
    if (id.category.empty() || id.category.size() > kMaxCategoryLength || has_control(id.category)) {
      return FieldProblem{"person.localPersonId.personIdCategory", "1 to 20 characters"};
    }
    if (id.id.empty() || id.id.size() > kMaxPersonIdLength || has_control(id.id)) {
      return FieldProblem{"person.localPersonId.personId", "1 to 36 characters"};
    }
  }
  return std::nullopt;
}

std::string fold_name(std::string_view name) {
  std::string out;
  bool space = false;
  auto put = [&](std::string_view s) {
    if (space && !out.empty()) out += ' ';
    space = false;
    out += s;
  };
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c == ' ' || c == '-' || c == '\'' || c == '\t') {
      space = true;
    } else if (c < 0x80) {
      put(std::string(1, static_cast<char>(std::tolower(c))));
    } else if (c == 0xC3 && i + 1 < name.size()) {
      // Latin-1 supplement letters, the ones Swiss names carry.
      unsigned char raw = static_cast<unsigned char>(name[++i]);
      unsigned char d = raw | 0x20;  // upper -> lower
      switch (d) {
        case 0xA4: put("ae"); break;   // ä Ä
        case 0xB6: put("oe"); break;   // ö Ö
        case 0xBC: put("ue"); break;   // ü Ü
        case 0xBF: put(raw == 0x9F ? "ss" : "y"); break;  // ß, ÿ
        case 0xA0: case 0xA1: case 0xA2: case 0xA3: case 0xA5: put("a"); break;
        case 0xA7: put("c"); break;
        case 0xA8: case 0xA9: case 0xAA: case 0xAB: put("e"); break;
        case 0xAC: case 0xAD: case 0xAE: case 0xAF: put("i"); break;
        case 0xB1: put("n"); break;
        case 0xB2: case 0xB3: case 0xB4: case 0xB5: case 0xB8: put("o"); break;
        case 0xB9: case 0xBA: case 0xBB: put("u"); break;
        case 0xBD: put("y"); break;   // ý
        default: put(std::string{static_cast<char>(0xC3), static_cast<char>(d)}); break;
      }
    } else {
      put(std::string(1, static_cast<char>(c)));
    }
  }
  return out;
}

std::string canonical_coupling(const PersonIdentification& person) {
  std::string out = "officialName=" + fold_name(person.official_name) +
                    "\nfirstName=" + fold_name(person.first_name) +
                    "\ndateOfBirth=" + person.date_of_birth.to_string();
  if (person.sex) out += "\nsex=" + std::to_string(*person.sex);
  if (person.vn) out += "\nvn=" + *person.vn;
  if (person.local_person_id) {
    out += "\nlocalPersonId=" + person.local_person_id->category + ":" + person.local_person_id->id;
  }
  return out;
}

}  // namespace portier::identity
