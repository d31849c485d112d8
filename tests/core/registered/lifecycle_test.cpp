#include "core/registered/lifecycle.h"

#include <gtest/gtest.h>

#include "core/base/clock.h"

namespace portier::registered {
namespace {

ReceiptFact at(ReceiptKind kind, const char* instant) { return {kind, *parse_rfc3339(instant)}; }

std::string legal(const Standing& s) {
  return s.legal_delivery_day ? format_day(*s.legal_delivery_day) : "none";
}

TEST(Lifecycle, SubmittedUntilTheFirstReceipt) {
  Standing s = standing({}, {});
  EXPECT_EQ(s.state, State::kSubmitted);
  EXPECT_FALSE(s.legal_delivery_day);
}

TEST(Lifecycle, AcceptanceDeliversOnTheDayOfAcceptanceInSwissTime) {
  Standing s = standing({at(ReceiptKind::kSubmission, "2026-11-30T08:00:00Z"),
                         at(ReceiptKind::kAcceptance, "2026-12-02T23:15:00Z")},
                        {});
  EXPECT_EQ(s.state, State::kAccepted);
  EXPECT_EQ(legal(s), "2026-12-03");
}

TEST(Lifecycle, ExpiryDeliversOnTheSeventhDayAfterItWasMadeAvailable) {
  // Made available Monday 30 November; the platform expires it late on 7 December.
  Standing s = standing({at(ReceiptKind::kSubmission, "2026-11-30T08:00:00Z"),
                         at(ReceiptKind::kExpiry, "2026-12-07T09:00:01Z")},
                        {});
  EXPECT_EQ(s.state, State::kExpired);
  EXPECT_EQ(legal(s), "2026-12-07");
}

std::string deadline(const Standing& s) {
  return s.deadline_last_day ? format_day(*s.deadline_last_day) : "none";
}

LifecycleRule with_holidays(std::initializer_list<const char*> days) {
  LifecycleRule rule;
  for (const char* d : days) rule.calendar.holidays.insert(*parse_day(d));
  return rule;
}

TEST(Lifecycle, AcceptanceOnASaturdayDeliversOnThatSaturday) {
  // The delivery date never moves for a weekend (Art. 20 VwVG moves only a deadline's end).
  Standing s = standing({at(ReceiptKind::kSubmission, "2026-12-03T08:00:00Z"),
                         at(ReceiptKind::kAcceptance, "2026-12-05T10:00:00Z")},
                        with_holidays({}), 30);
  EXPECT_EQ(legal(s), "2026-12-05");
  // 30 days from Sunday 6 December: Monday 4 January 2027, a working day.
  EXPECT_EQ(deadline(s), "2027-01-04");
}

TEST(Lifecycle, TheSeventhDayOnASundayIsTheDeliveryDate) {
  // Made available Sunday 29 November; the seventh day is Sunday 6 December.
  Standing s = standing({at(ReceiptKind::kSubmission, "2026-11-29T10:00:00Z"),
                         at(ReceiptKind::kExpiry, "2026-12-06T10:00:01Z")},
                        with_holidays({"2026-12-07"}), 10);
  EXPECT_EQ(s.state, State::kExpired);
  EXPECT_EQ(legal(s), "2026-12-06");
  // The deadline starts on Monday 7 December; its tenth day is Wednesday 16 December.
  EXPECT_EQ(deadline(s), "2026-12-16");
}

TEST(Lifecycle, ADeadlineEndingOnAHolidayOrWeekendEndsOnTheNextWorkingDay) {
  std::vector<ReceiptFact> r = {at(ReceiptKind::kSubmission, "2026-11-30T08:00:00Z"),
                                at(ReceiptKind::kAcceptance, "2026-12-15T09:00:00Z")};
  // Ten days from Tuesday 15 December end on Friday 25 December; as a holiday, the weekend
  // after it moves the end on to Monday.
  EXPECT_EQ(deadline(standing(r, with_holidays({}), 10)), "2026-12-25");
  EXPECT_EQ(deadline(standing(r, with_holidays({"2026-12-25"}), 10)), "2026-12-28");
  EXPECT_EQ(deadline(standing(r, with_holidays({"2026-12-25", "2026-12-28"}), 10)), "2026-12-29");
  // Nine days end on Thursday 24 December unless that is a holiday too.
  EXPECT_EQ(deadline(standing(r, with_holidays({}), 9)), "2026-12-24");
  EXPECT_EQ(deadline(standing(r, with_holidays({"2026-12-24", "2026-12-25"}), 9)), "2026-12-28");
  // The delivery date itself is the same under every calendar, and no deadline is given
  // where the document sets none.
  EXPECT_EQ(legal(standing(r, with_holidays({"2026-12-15"}), 10)), "2026-12-15");
  EXPECT_EQ(deadline(standing(r, with_holidays({}))), "none");
}

TEST(Lifecycle, RefusalCountsAsDeliveredAndUndeliverableDoesNot) {
  Standing refused = standing({at(ReceiptKind::kSubmission, "2026-11-30T08:00:00Z"),
                               at(ReceiptKind::kRefusal, "2026-12-01T12:00:00Z")},
                              {});
  EXPECT_EQ(refused.state, State::kRefused);
  EXPECT_EQ(legal(refused), "2026-12-01");
  Standing lost = standing({at(ReceiptKind::kUndeliverable, "2026-11-30T08:00:01Z")}, {});
  EXPECT_EQ(lost.state, State::kUndeliverable);
  EXPECT_FALSE(lost.legal_delivery_day);
}

TEST(Lifecycle, TheEarliestFinalReceiptDecidesWhateverTheOrderOfArrival) {
  Standing s = standing({at(ReceiptKind::kExpiry, "2026-12-08T00:00:00Z"),
                         at(ReceiptKind::kAcceptance, "2026-12-01T10:00:00Z"),
                         at(ReceiptKind::kSubmission, "2026-11-30T08:00:00Z"),
                         at(ReceiptKind::kSubmission, "2026-11-30T09:00:00Z")},
                        {});
  EXPECT_EQ(s.state, State::kAccepted);
  EXPECT_EQ(*s.available_ms, *parse_rfc3339("2026-11-30T08:00:00Z"));
  EXPECT_EQ(legal(s), "2026-12-01");
}

TEST(Lifecycle, WarnsBeforeTheAcceptanceWindowCloses) {
  LifecycleRule rule;
  rule.warn_before_ms = 24 * 3'600'000;
  Standing s = standing({at(ReceiptKind::kSubmission, "2026-11-30T08:00:00Z")}, rule);
  EXPECT_EQ(*s.closes_ms, *parse_rfc3339("2026-12-07T08:00:00Z"));
  EXPECT_FALSE(expiry_warning_due(s, *parse_rfc3339("2026-12-06T07:59:59Z"), rule));
  EXPECT_TRUE(expiry_warning_due(s, *parse_rfc3339("2026-12-06T08:00:00Z"), rule));
  Standing done = standing({at(ReceiptKind::kSubmission, "2026-11-30T08:00:00Z"),
                            at(ReceiptKind::kAcceptance, "2026-12-01T08:00:00Z")},
                           rule);
  EXPECT_FALSE(expiry_warning_due(done, *parse_rfc3339("2026-12-06T09:00:00Z"), rule));
}

TEST(Lifecycle, ReceiptKindsRoundTrip) {
  for (auto k : {ReceiptKind::kSubmission, ReceiptKind::kAcceptance, ReceiptKind::kRefusal,
                 ReceiptKind::kExpiry, ReceiptKind::kUndeliverable}) {
    EXPECT_EQ(parse_receipt_kind(to_string(k)), k);
  }
  EXPECT_FALSE(parse_receipt_kind("Abholquittung"));
}

}  // namespace
}  // namespace portier::registered
