#include "core/journal/journal.h"

#include <future>

namespace portier::journal {

// These spellings are stored in the work_items.state column: never change them.
const char* to_string(ItemState state) {
  switch (state) {
    case ItemState::kPending:
      return "pending";
    case ItemState::kInFlight:
      return "inflight";
    case ItemState::kDone:
      return "done";
    case ItemState::kParked:
      return "parked";
  }
  return "pending";
}

std::optional<ItemState> parse_item_state(const std::string& text) {
  for (ItemState s :
       {ItemState::kPending, ItemState::kInFlight, ItemState::kDone, ItemState::kParked}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

Result<IntakeOutcome> accept_and_wait(IntakeLog& journal, Intake intake) {
  std::promise<Result<IntakeOutcome>> done;
  auto answer = done.get_future();
  journal.accept(std::move(intake),
                 [&done](Result<IntakeOutcome> r) { done.set_value(std::move(r)); });
  return answer.get();
}

}  // namespace portier::journal
