#pragma once
// The life of a registered delivery as its receipts tell it, and the legal delivery date that
// follows from them (docs/contracts/delivery-platform.md §2, §4):
//
//   SUBMITTED ─> AVAILABLE ─> ACCEPTED | REFUSED | EXPIRED | UNDELIVERABLE
//
// - ACCEPTANCE: delivered on the day it was accepted (VeÜ-VwV Art. 10(1)).
// - EXPIRY: delivered on the 7th day after it was made available (the collection fiction of
//   VwVG Art. 20 para. 2bis / BGG Art. 44 para. 2).
// - REFUSAL: delivered on the day of the refusal. UNDELIVERABLE: not delivered.
// - The legal delivery date never moves for a weekend or holiday; only the last day of a
//   deadline that runs from it does (swiss_calendar.h, deadline_last_day).
// Pure functions: the journal keeps the receipts, this says what they mean.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/registered/swiss_calendar.h"

namespace portier::registered {

enum class ReceiptKind { kSubmission, kAcceptance, kRefusal, kExpiry, kUndeliverable };
const char* to_string(ReceiptKind kind);  // SUBMISSION, ACCEPTANCE, ...
std::optional<ReceiptKind> parse_receipt_kind(std::string_view text);
// Ends the delivery's life (every kind but SUBMISSION).
bool is_final(ReceiptKind kind);

enum class State { kSubmitted, kAvailable, kAccepted, kRefused, kExpired, kUndeliverable };
const char* to_string(State state);  // SUBMITTED, AVAILABLE, ...

struct ReceiptFact {
  ReceiptKind kind = ReceiptKind::kSubmission;
  int64_t event_ms = 0;  // on the platform's clock
};

struct LifecycleRule {
  int acceptance_days = 7;
  int64_t warn_before_ms = 24 * 3'600'000;  // warn this long before the window closes
  CalendarRule calendar;
};

struct Standing {
  State state = State::kSubmitted;
  std::optional<int64_t> available_ms;  // the SUBMISSION receipt's time
  std::optional<int64_t> closes_ms;     // when the acceptance window ends
  std::optional<ReceiptKind> final_kind;
  std::optional<int64_t> final_ms;
  std::optional<Day> legal_delivery_day;
  std::optional<Day> deadline_last_day;  // where the document sets a deadline of so many days
};

// The standing of a submitted delivery after `receipts` (in any order; the earliest final one
// decides, a platform repeating itself changes nothing). `deadline_days`: the deadline the
// document sets, counted from its delivery.
Standing standing(const std::vector<ReceiptFact>& receipts, const LifecycleRule& rule,
                  std::optional<int> deadline_days = std::nullopt);

// Whether the department should be warned now that the acceptance window is closing.
bool expiry_warning_due(const Standing& s, int64_t now_ms, const LifecycleRule& rule);

}  // namespace portier::registered
