#pragma once
// The seam between dispatch and the counterparts: one Connector per destination turns a work
// item into a call to its counterpart and reports how it went. Connectors live in connectors/;
// the core knows only this interface.
//
// Threads: deliver() is called on dispatch worker threads, possibly concurrently (up to the
// destination's concurrency limit); it may block for at most the configured attempt timeout.
#include <chrono>
#include <optional>
#include <string>

#include "core/model/codec.h"

namespace portier::dispatch {

struct DeliveryResult {
  enum class Kind {
    kDelivered,  // the counterpart has it
    kRetry,      // it may succeed later: transport error, 408/425/429, 5xx
    kReject,     // it never will: the counterpart refused the content (other 4xx)
  };
  Kind kind = Kind::kDelivered;
  std::string detail;                                // e.g. "HTTP 422: status is invalid"
  std::optional<std::chrono::milliseconds> retry_after;  // the counterpart asked for a pause
  std::string request_sha256;                        // hex digest of what was sent
  std::string response_sha256;                       // hex digest of what came back
  // The counterpart's own id for what it took (e.g. the RC adapter's deliveryId), kept with the
  // delivered item so its progress can be followed there.
  std::string counterpart_ref;

  static DeliveryResult retry(std::string why) {
    return {Kind::kRetry, std::move(why), {}, {}, {}, {}};
  }
  static DeliveryResult reject(std::string why) {
    return {Kind::kReject, std::move(why), {}, {}, {}, {}};
  }
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual DeliveryResult deliver(const model::WorkItem& item) = 0;
};

}  // namespace portier::dispatch
