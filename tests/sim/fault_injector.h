#pragma once
// The fault plan every simulated counterpart shares (POST/GET/DELETE /_sim/faults):
//
//   {"status":503,"count":3,"pathPrefix":"/api/v9/businesscases","retryAfterSeconds":1}
//       the next 3 calls under the prefix are answered 503 (problem+json, Retry-After: 1)
//       without reaching the module; optional "body" and "contentType" replace the problem
//       body (e.g. to send a malformed one). Each POST appends a rule; a call uses the first
//       rule that matches it.
//   {"latencyMs":200}   every answer (injected or real) is sent 200 ms later; 0 turns it off.
//   {"hang":2}          the next 2 calls (optionally under "pathPrefix") never get an answer
//                       and never reach the module; their connections stay open until the
//                       plan is cleared (DELETE /_sim/faults, POST /_sim/reset), which answers
//                       them 503.
//
// Hang rules are consulted before failure rules. Thread-safe: decide() and hold() from any I/O
// thread; a Respond is never called while the lock is held.
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/http/message.h"
#include "core/base/status.h"

namespace portier::sim {

class FaultInjector {
 public:
  enum class Action { kPass, kFail, kHang };
  struct Decision {
    Action action = Action::kPass;
    http::Response response;               // the injected answer, for kFail
    std::chrono::milliseconds latency{0};  // delay for whatever answer is sent
  };

  // Adds what a POST /_sim/faults body asks for. kInvalidArgument naming the field if the body
  // is not a valid plan; nothing is added then.
  Status add(const boost::json::value& spec);
  // What to do with a call to `path`; consumes one count of the matching rule.
  Decision decide(const std::string& path);
  // Keeps the Respond of a hung call until clear().
  void hold(http::Respond respond);
  // Empties the plan and answers every held call with 503.
  void clear();
  size_t held() const;
  // The current plan: {failures:[...], hangs:[...], latencyMs, held}.
  boost::json::value describe() const;

 private:
  struct FailureRule {
    unsigned status = 503;
    uint64_t remaining = 1;
    std::string path_prefix;
    std::optional<uint64_t> retry_after_seconds;
    std::optional<std::string> body;
    std::string content_type;
  };
  struct HangRule {
    uint64_t remaining = 1;
    std::string path_prefix;
  };

  mutable std::mutex mutex_;
  std::vector<FailureRule> failures_;
  std::vector<HangRule> hangs_;
  std::chrono::milliseconds latency_{0};
  std::vector<http::Respond> held_;
};

}  // namespace portier::sim
