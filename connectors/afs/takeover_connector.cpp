#include "connectors/afs/takeover_connector.h"

#include "core/base/digest.h"

namespace portier::afs {
namespace {

dispatch::DeliveryResult from_status(const Status& s, const std::string& what) {
  switch (s.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
      return dispatch::DeliveryResult::retry(what + ": " + s.message());
    default:
      return dispatch::DeliveryResult::reject(what + ": " + s.message());
  }
}

}  // namespace

std::string intake_key_of(const std::string& item_key) {
  size_t last = item_key.rfind('/');
  if (last == std::string::npos || last == 0) return "";
  size_t before = item_key.rfind('/', last - 1);
  if (before == std::string::npos || before == 0) return "";
  return item_key.substr(0, before);
}

dispatch::DeliveryResult TakeoverConnector::deliver(const model::WorkItem& item) {
  if (!item.message.__isset.formSubmission) {
    return dispatch::DeliveryResult::reject("not a form submission");
  }
  const model::FormSubmission& f = item.message.formSubmission;
  // A department that pulls has the submission once it acknowledged its event; the
  // acknowledgement is what released this item, but an operator may have replayed it sooner.
  auto held = journal_.held_item(item.id);
  if (!held.is_ok()) return dispatch::DeliveryResult::retry(held.status().message());
  const bool pulled = held->has_value();
  if (pulled && !(*held)->acknowledged) {
    return dispatch::DeliveryResult::reject("not taken over: " + item.department +
                                            " has not acknowledged formSubmitted event " +
                                            std::to_string((*held)->event.seq));
  }
  auto siblings = journal_.items_of_intake(intake_key_of(item.idempotencyKey));
  if (!siblings.is_ok()) return dispatch::DeliveryResult::retry(siblings.status().message());
  bool handed_on = false;
  for (const journal::StoredItem& s : *siblings) {
    if (s.item.id == item.id) continue;
    if (s.state == journal::ItemState::kParked) {
      return dispatch::DeliveryResult::reject("not taken over: " + s.item.destination +
                                              " did not take the submission (" + s.last_error +
                                              ")");
    }
    if (s.state != journal::ItemState::kDone) {
      return dispatch::DeliveryResult::retry("waiting for " + s.item.destination);
    }
    handed_on = handed_on || s.item.destination != item.destination;
  }
  if (!handed_on && !pulled) {
    return dispatch::DeliveryResult::reject("not taken over: the submission went to no department");
  }
  const std::string reference = item.businessProcessId;
  dispatch::DeliveryResult result;
  result.request_sha256 = sha256_hex(f.submissionId + "\n" + reference);
  if (Status s = apf_->take_over(f.submissionId, reference); !s.is_ok()) {
    return from_status(s, "TakeOver " + f.submissionId);
  }
  if (Status s = apf_->set_status(f.submissionId, "IN_PROGRESS",
                                  "handed to " + item.department + " as " + reference);
      !s.is_ok()) {
    return from_status(s, "SetStatus " + f.submissionId);
  }
  result.detail = "taken over as " + reference;
  return result;
}

}  // namespace portier::afs
