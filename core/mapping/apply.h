#pragma once
// What a mapping does to a department's messages: pure functions over an immutable
// DepartmentMapping, shared by portierd (SOAP adapter, delivery) and the test vectors
// (`portierctl mapping test`), so that what a vector shows is what the daemon does.
// Errors are kInvalidArgument whose message names the field of the request that is wrong
// (departmentStatusCode, statusText, documentKind, date, title), so the adapter can pass it on
// as a SOAP Fault or problem+json. Thread-safe: nothing here has state.
#include <optional>
#include <string>
#include <string_view>

#include "core/base/status.h"
#include "core/mapping/mapping.h"

namespace portier::mapping {

// A department's status report after the status table.
struct StatusUpdateResult {
  model::CaseStatus::type status = model::CaseStatus::IN_PROGRESS;
  std::optional<std::string> status_text;  // none: the department sent none and the rule has none
};

// Maps the department's own status code to the portal status. The text is the rule's text
// unless that is empty, then the department's (at most limits.max_text_length characters).
// Unknown code: kInvalidArgument naming departmentStatusCode and the code.
Result<StatusUpdateResult> map_status(const DepartmentMapping& mapping,
                                      const std::string& department_code,
                                      const std::optional<std::string>& text);

// `utf8` as a speaking ASCII file name (whitepaper §3.8): ä ö ü Ä Ö Ü become ae oe ue Ae Oe
// Ue, ß ss, accented letters lose their accent (é è ê -> e, à â -> a, ç -> c, ...), other
// non-ASCII characters are dropped; spaces, slashes and other special characters become "-",
// runs of "-" collapse to one, and "-" or "." at either end are removed. Letters, digits, "_",
// "." and "-" stay. Invalid UTF-8 bytes are dropped.
std::string ascii_name(std::string_view utf8);

// A delivered document's file name and title.
struct DocumentName {
  std::string file_name;  // e.g. KantonSolothurn-Handelsregisterauszug-2019-12-04.pdf
  std::string title;      // e.g. Handelsregisterauszug - 2019-12-04
};

// Fills the kind's patterns: ${prefix} (the mapping's document prefix), ${kind}, ${date}
// (yyyy-mm-dd, a real date) and ${title} (the department's title for the document). In the
// file name every value goes through ascii_name(); in the title they are used as they are.
// Errors (kInvalidArgument): unknown kind (names documentKind), a date that is not yyyy-mm-dd
// (names date), ${title} in a pattern but no title given (names title).
Result<DocumentName> name_document(const DepartmentMapping& mapping, const std::string& kind,
                                   const std::string& date, const std::string& title);

// Whether `field` is personal data for this department (log it only as a digest).
bool is_personal(const DepartmentMapping& mapping, const std::string& field);

// The number of characters (UTF-8 code points) in `utf8`.
size_t character_count(std::string_view utf8);

}  // namespace portier::mapping
