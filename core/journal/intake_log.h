#pragma once
// Intake: what an adapter or poller accepted, committed with its idempotency key, its work
// items and its evidence record before anyone is told "yes".
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/journal/records.h"

namespace portier::journal {

// What an intake may do inside its transaction. Runs on the writer thread: keep it quick.
class IntakeTransaction {
 public:
  virtual ~IntakeTransaction() = default;
  virtual std::optional<BusinessCaseRecord> find_case(const std::string& business_process_id) = 0;
  virtual void open_case(const BusinessCaseRecord& record) = 0;
  // Adds one work item for `destination`. Its downstream idempotency key is derived from the
  // intake's key, so a replayed intake can never produce a second item.
  virtual void enqueue(const std::string& destination, const model::Message& message) = 0;
  // Adds one work item that is parked at once with `reason`: kept, listed and replayable by the
  // operator, but never delivered on its own (e.g. a form submission that cannot be handed on).
  virtual void enqueue_parked(const std::string& destination, const model::Message& message,
                              const std::string& reason) = 0;
  // A department event, stored with the intake (e.g. a registered delivery's new state).
  virtual void add_event(const DepartmentEvent& event) = 0;
  // Pull mode: a work item that waits (parked, with `reason`) until the department
  // acknowledges `event`, which is stored with it. The acknowledgement makes the item pending
  // in the same transaction, so a crash can neither lose nor repeat the release. `subject` names
  // what the event is about (e.g. an APF application id, unique per event kind), for held_item().
  virtual void hold_until_acknowledged(const std::string& destination,
                                       const model::Message& message, const std::string& reason,
                                       const DepartmentEvent& event,
                                       const std::string& subject) = 0;
  // A registered delivery's receipt; one already kept (the same receipt_id) is an error.
  virtual void record_receipt(const ReceiptRecord& receipt) = 0;
};

// A WS-Security nonce to remember with an intake, in the same transaction: a nonce seen before
// (from any instance sharing the database) fails the intake with kAlreadyExists.
struct Nonce {
  std::string value;
  int64_t expires_ms = 0;  // forgotten after this (the timestamp window has passed)
};

struct Intake {
  std::string idempotency_key;  // unique per department and message, e.g. "dept/messageId"
  std::optional<Nonce> nonce;
  std::string department;
  std::string business_process_id;
  std::string correlation_id;
  std::string operation;       // e.g. "reportStatus", recorded in the evidence log
  std::string request_sha256;  // digest of what came in
  // Builds the intake's work inside the transaction and returns the answer to keep for this key.
  // An error rolls back this intake alone and is handed to the callback.
  std::function<Result<std::string>(IntakeTransaction&)> build;
};

struct IntakeOutcome {
  bool duplicate = false;  // the key was known: nothing new was stored
  std::string answer;      // the answer stored with the key the first time
};

class IntakeLog {
 public:
  using IntakeCallback = std::function<void(Result<IntakeOutcome>)>;
  virtual ~IntakeLog() = default;

  // Commits the intake (group commit: concurrent intakes share one commit) and then calls
  // back. Never blocks; the callback runs on the journal's writer thread and must only post
  // work elsewhere.
  virtual void accept(Intake intake, IntakeCallback done) = 0;
  // Whether an intake with this idempotency key was committed.
  virtual Result<bool> knows_intake(const std::string& idempotency_key) = 0;
  // The work items one intake produced, in the order it enqueued them.
  virtual Result<std::vector<StoredItem>> items_of_intake(const std::string& idempotency_key) = 0;
  virtual Result<std::optional<BusinessCaseRecord>> find_case(const std::string& bpid) = 0;
};

// Accepts `intake` and waits for its outcome (blocking: worker threads only).
Result<IntakeOutcome> accept_and_wait(IntakeLog& journal, Intake intake);

}  // namespace portier::journal
