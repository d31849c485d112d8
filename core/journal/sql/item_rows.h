#pragma once
// Work-item rows as the journal stores them, and the statements every concern shares about
// them: reading one, changing its state (keeping each case's queue order), building evidence.
// Internal to the journal's relational logic.
#include <cstdint>
#include <optional>
#include <string>

#include "core/base/status.h"
#include "core/evidence/record.h"
#include "core/journal/records.h"
#include "core/journal/sql/connection.h"

namespace portier::journal::sql {

// One work_items row as stored.
struct ItemRow {
  int64_t id = 0;
  std::string idempotency_key;
  std::string department;
  std::string business_process_id;
  std::string destination;
  std::string kind;
  std::optional<std::string> correlation_id;
  std::string payload;
  std::string payload_sha256;
  ItemState state = ItemState::kPending;
  int32_t attempts = 0;
  int64_t next_attempt_ms = 0;
  std::string last_error;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t lease_token = 0;
  int64_t purged_ms = 0;  // 0: the payload is the message as accepted
};

extern const char* const kItemColumns;  // the columns read_item() reads, in its order

ItemRow read_item(const Statement& st);
model::WorkItem to_work_item(const ItemRow& row);
// The stored message, if its bytes are still the ones that were hashed at intake; a purged
// item's is what the purge kept of it (its digest is the accepted message's, so not checked).
Result<model::Message> intact_message(const ItemRow& row);
StoredItem to_stored(const ItemRow& row);
Result<ItemRow> load_item(Connection& db, int64_t item_id);

// A change of a work item's state; unset fields keep their value.
struct Change {
  explicit Change(ItemState s) : state(s) {}
  ItemState state;
  std::optional<int64_t> next_attempt_ms;
  std::optional<int64_t> lease_until_ms;
  std::optional<std::string> lease_owner;  // set with a new lease (the token then counts up)
  std::optional<std::string> last_error;
  bool count_attempt = false;
  bool reset_attempts = false;
};
Status apply_change(Connection& db, int64_t id, const Change& c, int64_t now_ms);

evidence::Record item_evidence(const ItemRow& row, std::string hop, std::string detail);

// Shared small helpers.
int64_t page_size(int limit);
std::string join(const std::string& a, const std::string& b);
Status with_context(const Status& s, const std::string& context);

}  // namespace portier::journal::sql
