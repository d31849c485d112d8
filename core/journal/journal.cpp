#include "core/journal/journal.h"

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

}  // namespace portier::journal
