#pragma once
// How long Portier keeps the content of a department's finished work (docs/data-protection.md):
// each period counts from the day the work ended (delivered and, for registered mail, its final
// receipt recorded; a link rejected or revoked; an event acknowledged). Then the purge
// (core/retention) deletes the content and keeps its digest in the evidence chain. Written in
// mapping files as ISO 8601 durations in days, "P90D".
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace portier::mapping {

// What the purge deletes, by the retention period that applies to it.
enum class ContentKind {
  kDocuments,     // delivered documents (the PDF) and what their delivery said of them
  kSubmissions,   // web-form submissions (form data, PDF, attachments)
  kReceipts,      // receipts of registered deliveries (raw message, PDF, signature)
  kPersonalData,  // other messages' texts, identity links' person data, events' details
};
const char* to_string(ContentKind kind);  // "documents", "submissions", ...

struct Retention {
  // The defaults when a mapping says nothing: a gateway is no archive (the department keeps
  // the original), but receipts are proof of a legal delivery and are kept ten years.
  std::chrono::days documents{90};
  std::chrono::days submissions{90};
  std::chrono::days receipts{3650};
  std::chrono::days personal_data{365};

  std::chrono::days of(ContentKind kind) const;
};

// "P90D" -> 90 days; nothing for anything else (days only: months and years have no fixed
// length, and retention periods are counted in days). At most 99999 days.
std::optional<std::chrono::days> parse_days(std::string_view text);
std::string format_days(std::chrono::days days);  // 90 days -> "P90D"

}  // namespace portier::mapping
