#include "core/registered/lifecycle.h"

#include <algorithm>

namespace portier::registered {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

struct Name {
  ReceiptKind kind;
  const char* text;
};
constexpr Name kKinds[] = {{ReceiptKind::kSubmission, "SUBMISSION"},
                           {ReceiptKind::kAcceptance, "ACCEPTANCE"},
                           {ReceiptKind::kRefusal, "REFUSAL"},
                           {ReceiptKind::kExpiry, "EXPIRY"},
                           {ReceiptKind::kUndeliverable, "UNDELIVERABLE"}};

State state_after(ReceiptKind kind) {
  switch (kind) {
    case ReceiptKind::kSubmission:
      return State::kAvailable;
    case ReceiptKind::kAcceptance:
      return State::kAccepted;
    case ReceiptKind::kRefusal:
      return State::kRefused;
    case ReceiptKind::kExpiry:
      return State::kExpired;
    case ReceiptKind::kUndeliverable:
      return State::kUndeliverable;
  }
  return State::kSubmitted;
}

}  // namespace

const char* to_string(ReceiptKind kind) {
  for (const Name& n : kKinds) {
    if (n.kind == kind) return n.text;
  }
  return "";
}

std::optional<ReceiptKind> parse_receipt_kind(std::string_view text) {
  for (const Name& n : kKinds) {
    if (text == n.text) return n.kind;
  }
  return std::nullopt;
}

bool is_final(ReceiptKind kind) { return kind != ReceiptKind::kSubmission; }

const char* to_string(State state) {
  switch (state) {
    case State::kSubmitted:
      return "SUBMITTED";
    case State::kAvailable:
      return "AVAILABLE";
    case State::kAccepted:
      return "ACCEPTED";
    case State::kRefused:
      return "REFUSED";
    case State::kExpired:
      return "EXPIRED";
    case State::kUndeliverable:
      return "UNDELIVERABLE";
  }
  return "";
}

Standing standing(const std::vector<ReceiptFact>& receipts, const LifecycleRule& rule,
                  std::optional<int> deadline_days) {
  std::vector<ReceiptFact> ordered = receipts;
  std::stable_sort(ordered.begin(), ordered.end(), [](const ReceiptFact& a, const ReceiptFact& b) {
    return a.event_ms < b.event_ms;
  });
  Standing s;
  for (const ReceiptFact& r : ordered) {
    if (r.kind == ReceiptKind::kSubmission) {
      if (s.available_ms) continue;
      s.available_ms = r.event_ms;
      s.closes_ms = r.event_ms + rule.acceptance_days * kMsPerDay;
      if (!s.final_kind) s.state = State::kAvailable;
    } else if (!s.final_kind) {
      s.final_kind = r.kind;
      s.final_ms = r.event_ms;
      s.state = state_after(r.kind);
    }
  }
  if (!s.final_kind || *s.final_kind == ReceiptKind::kUndeliverable) return s;
  Day day = swiss_day(*s.final_ms);
  if (*s.final_kind == ReceiptKind::kExpiry && s.available_ms) {
    day = swiss_day(*s.available_ms) + rule.acceptance_days;
  }
  s.legal_delivery_day = day;
  if (deadline_days) s.deadline_last_day = deadline_last_day(day, *deadline_days, rule.calendar);
  return s;
}

bool expiry_warning_due(const Standing& s, int64_t now_ms, const LifecycleRule& rule) {
  return s.state == State::kAvailable && s.closes_ms &&
         now_ms >= *s.closes_ms - rule.warn_before_ms;
}

}  // namespace portier::registered
