#include "core/mapping/apply.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace portier::mapping {
namespace {

constexpr size_t kMaxFileNameBytes = 255;  // what every file system takes

// Decodes the next code point of `text` at `at` and advances `at`; invalid bytes give
// 0xFFFFFFFF (dropped by the caller).
uint32_t next_code_point(std::string_view text, size_t& at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  size_t length = 0;
  uint32_t cp = 0;
  if (lead < 0x80) {
    ++at;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    cp = lead & 0x07;
  } else {
    ++at;
    return 0xFFFFFFFF;
  }
  if (at + length > text.size()) {
    ++at;
    return 0xFFFFFFFF;
  }
  for (size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) {
      ++at;
      return 0xFFFFFFFF;
    }
    cp = (cp << 6) | (byte(at + i) & 0x3F);
  }
  at += length;
  return cp;
}

// Latin letters of the languages of Switzerland and its neighbours, as ASCII.
struct Transliteration {
  uint32_t code_point;
  const char* ascii;
};
// One line per group of letters reads better than one per letter.
// clang-format off
constexpr Transliteration kTransliterations[] = {
    // German: umlauts as they are written without the dots.
    {0xC4, "Ae"}, {0xD6, "Oe"}, {0xDC, "Ue"}, {0xE4, "ae"}, {0xF6, "oe"}, {0xFC, "ue"},
    {0xDF, "ss"}, {0x1E9E, "SS"},
    // French, Italian, Romansh and the neighbours' languages: the letter without its accent.
    {0xC0, "A"}, {0xC1, "A"}, {0xC2, "A"}, {0xC3, "A"}, {0xC5, "A"}, {0xC6, "AE"},
    {0xE0, "a"}, {0xE1, "a"}, {0xE2, "a"}, {0xE3, "a"}, {0xE5, "a"}, {0xE6, "ae"},
    {0xC7, "C"}, {0x106, "C"}, {0x10C, "C"}, {0xE7, "c"}, {0x107, "c"}, {0x10D, "c"},
    {0xC8, "E"}, {0xC9, "E"}, {0xCA, "E"}, {0xCB, "E"},
    {0xE8, "e"}, {0xE9, "e"}, {0xEA, "e"}, {0xEB, "e"},
    {0xCC, "I"}, {0xCD, "I"}, {0xCE, "I"}, {0xCF, "I"},
    {0xEC, "i"}, {0xED, "i"}, {0xEE, "i"}, {0xEF, "i"},
    {0xD2, "O"}, {0xD3, "O"}, {0xD4, "O"}, {0xD5, "O"}, {0xD8, "O"}, {0x152, "OE"},
    {0xF2, "o"}, {0xF3, "o"}, {0xF4, "o"}, {0xF5, "o"}, {0xF8, "o"}, {0x153, "oe"},
    {0xD9, "U"}, {0xDA, "U"}, {0xDB, "U"}, {0xF9, "u"}, {0xFA, "u"}, {0xFB, "u"},
    {0xDD, "Y"}, {0x178, "Y"}, {0xFD, "y"}, {0xFF, "y"},
    {0xD0, "D"}, {0xF0, "d"}, {0xD1, "N"}, {0xF1, "n"}, {0xDE, "Th"}, {0xFE, "th"},
    {0x160, "S"}, {0x161, "s"}, {0x17D, "Z"}, {0x17E, "z"}, {0x141, "L"}, {0x142, "l"},
};
// clang-format on

const char* transliterate(uint32_t cp) {
  for (const Transliteration& t : kTransliterations) {
    if (t.code_point == cp) return t.ascii;
  }
  return nullptr;
}

// Non-ASCII characters that separate words, like a space: no-break spaces, dashes.
bool is_separator(uint32_t cp) {
  return cp == 0xA0 || cp == 0x202F || (cp >= 0x2000 && cp <= 0x200A) ||
         (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212;
}

bool is_kept(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.';
}

// Collapses runs of "-", and removes "-" and "." at the ends and "-" next to a ".".
std::string tidy_file_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '-' && (out.empty() || out.back() == '-' || out.back() == '.')) continue;
    if (c == '.' && !out.empty() && out.back() == '-') out.pop_back();
    if (c == '.' && out.empty()) continue;
    out += c;
  }
  while (!out.empty() && (out.back() == '-' || out.back() == '.')) out.pop_back();
  return out;
}

bool is_date(const std::string& date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (date[i] < '0' || date[i] > '9') return false;
  }
  const int year = std::stoi(date.substr(0, 4));
  const int month = std::stoi(date.substr(5, 2));
  const int day = std::stoi(date.substr(8, 2));
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

// Replaces the four placeholders; the loader has refused any other.
std::string fill(std::string_view pattern,
                 const std::pair<std::string_view, std::string> (&values)[4]) {
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    if (pattern.compare(i, 2, "${") == 0) {
      const size_t close = pattern.find('}', i + 2);
      if (close != std::string_view::npos) {
        const std::string_view name = pattern.substr(i + 2, close - i - 2);
        for (const auto& [placeholder, value] : values) {
          if (placeholder == name) out += value;
        }
        i = close + 1;
        continue;
      }
    }
    out += pattern[i++];
  }
  return out;
}

bool uses_title(std::string_view pattern) {
  return pattern.find("${title}") != std::string_view::npos;
}

}  // namespace

size_t character_count(std::string_view utf8) {
  size_t count = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

Result<StatusUpdateResult> map_status(const DepartmentMapping& mapping,
                                      const std::string& department_code,
                                      const std::optional<std::string>& text) {
  const StatusRule* rule = mapping.status_rule(department_code);
  if (rule == nullptr) {
    std::string known;
    for (const StatusRule& r : mapping.status_table) {
      known += (known.empty() ? "" : ", ") + r.department_code;
    }
    return invalid_argument("departmentStatusCode \"" + department_code +
                            "\" is not in the status table of " + mapping.name +
                            (known.empty() ? " (the table is empty)" : "; known: " + known));
  }
  StatusUpdateResult result;
  result.status = rule->portal_status;
  if (!rule->text.empty()) {
    result.status_text = rule->text;
  } else if (text && !text->empty()) {
    if (character_count(*text) > mapping.limits.max_text_length) {
      return invalid_argument("statusText is longer than " +
                              std::to_string(mapping.limits.max_text_length) + " characters");
    }
    result.status_text = *text;
  }
  return result;
}

std::string ascii_name(std::string_view utf8) {
  std::string out;
  for (size_t at = 0; at < utf8.size();) {
    const uint32_t cp = next_code_point(utf8, at);
    if (cp < 0x80) {
      const char c = static_cast<char>(cp);
      out += is_kept(c) ? c : '-';
    } else if (const char* ascii = transliterate(cp)) {
      out += ascii;
    } else if (is_separator(cp)) {
      out += '-';
    }
    // Anything else (other scripts, symbols, invalid bytes) is dropped.
  }
  return tidy_file_name(out);
}

Result<DocumentName> name_document(const DepartmentMapping& mapping, const std::string& kind,
                                   const std::string& date, const std::string& title) {
  const DocumentKind* document = mapping.document_kind(kind);
  if (document == nullptr) {
    std::string known;
    for (const DocumentKind& k : mapping.document_kinds) {
      known += (known.empty() ? "" : ", ") + k.kind;
    }
    return invalid_argument("documentKind \"" + kind + "\" is not a document kind of " +
                            mapping.name +
                            (known.empty() ? " (it has none)" : "; known: " + known));
  }
  if (!is_date(date)) {
    return invalid_argument("date \"" + date + "\": expected a date as yyyy-mm-dd");
  }
  if (title.find_first_not_of(" \t\r\n") == std::string::npos &&
      (uses_title(document->file_name_pattern) || uses_title(document->title_pattern))) {
    return invalid_argument("title is required: the document kind " + kind +
                            " names its documents after their title");
  }
  const std::pair<std::string_view, std::string> ascii[4] = {
      {"prefix", ascii_name(mapping.document_prefix)},
      {"kind", ascii_name(document->kind)},
      {"date", date},
      {"title", ascii_name(title)}};
  const std::pair<std::string_view, std::string> plain[4] = {{"prefix", mapping.document_prefix},
                                                             {"kind", document->kind},
                                                             {"date", date},
                                                             {"title", title}};
  DocumentName name;
  name.file_name = tidy_file_name(fill(document->file_name_pattern, ascii));
  name.title = fill(document->title_pattern, plain);
  if (name.file_name.size() > kMaxFileNameBytes) {
    return invalid_argument("title is too long: the file name would have " +
                            std::to_string(name.file_name.size()) + " characters, at most " +
                            std::to_string(kMaxFileNameBytes) + " are allowed");
  }
  return name;
}

bool is_personal(const DepartmentMapping& mapping, const std::string& field) {
  return mapping.personal_fields.contains(field);
}

}  // namespace portier::mapping
