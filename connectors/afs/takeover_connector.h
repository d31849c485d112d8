#pragma once
// The dispatch connector of an APF mailbox's "afs:<mailbox>" destination: takes a submission
// over in the APF (TakeOver with the Business Process ID as external reference) and sets it
// IN_PROGRESS, but only once every other work item of its intake is done: the business case is
// open in the portal and the department has the submission. If one of them was parked the
// take-over is refused (parked too), so the APF keeps the application as NEW for a person to
// look at. TakeOver is idempotent for the same reference, so a repeated attempt is harmless;
// ALREADY_TAKEN (someone else took it) is refused.
//
// Threads: deliver() on dispatch workers, concurrently.
#include <memory>

#include "connectors/afs/apf_client.h"
#include "core/dispatch/connector.h"
#include "core/journal/journal.h"

namespace portier::afs {

class TakeoverConnector final : public dispatch::Connector {
 public:
  TakeoverConnector(std::shared_ptr<const ApfClient> apf, journal::Journal& journal)
      : apf_(std::move(apf)), journal_(journal) {}
  dispatch::DeliveryResult deliver(const model::WorkItem& item) override;

 private:
  std::shared_ptr<const ApfClient> apf_;
  journal::Journal& journal_;
};

// The intake key of a work item's key "<intake>/<destination>/<n>"; "" if it has no such form.
std::string intake_key_of(const std::string& item_key);

}  // namespace portier::afs
