#include "core/mapping/retention.h"

#include <charconv>

namespace portier::mapping {

const char* to_string(ContentKind kind) {
  switch (kind) {
    case ContentKind::kDocuments:
      return "documents";
    case ContentKind::kSubmissions:
      return "submissions";
    case ContentKind::kReceipts:
      return "receipts";
    case ContentKind::kPersonalData:
      return "personalData";
  }
  return "?";
}

std::chrono::days Retention::of(ContentKind kind) const {
  switch (kind) {
    case ContentKind::kDocuments:
      return documents;
    case ContentKind::kSubmissions:
      return submissions;
    case ContentKind::kReceipts:
      return receipts;
    case ContentKind::kPersonalData:
      return personal_data;
  }
  return personal_data;
}

std::optional<std::chrono::days> parse_days(std::string_view text) {
  if (text.size() < 3 || text.size() > 7 || text.front() != 'P' || text.back() != 'D') {
    return std::nullopt;
  }
  const std::string_view digits = text.substr(1, text.size() - 2);
  int value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || value < 0) {
    return std::nullopt;
  }
  return std::chrono::days(value);
}

std::string format_days(std::chrono::days days) { return "P" + std::to_string(days.count()) + "D"; }

}  // namespace portier::mapping
