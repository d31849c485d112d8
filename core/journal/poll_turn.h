#pragma once
// Whose turn it is to poll a counterpart (a receipt mailbox, the portal's event feed, the inbox
// tracker's round): take() holds the poll lease `name` for this instance, taking it if it is
// free or expired and renewing it if it is ours, so that instances sharing the journal poll each
// one at a time. Another instance takes it over once `ttl` has passed without a renewal (the
// holder died). A journal error means "not now".
//
// Threads: blocking (the journal's lease calls); one polling thread.
#include <chrono>
#include <string>

#include "core/base/clock.h"
#include "core/journal/poll_state.h"

namespace portier::journal {

class PollTurn {
 public:
  PollTurn(PollState& state, std::string name, std::string holder, const Clock& clock,
           std::chrono::milliseconds ttl)
      : state_(state),
        name_(std::move(name)),
        holder_(std::move(holder)),
        clock_(clock),
        ttl_(ttl) {}

  bool take() {
    Result<bool> held = state_.hold_lease(name_, holder_, clock_.now_ms(), ttl_.count());
    return held.is_ok() && *held;
  }
  // At a clean stop, so another instance may take over at once. Best effort: a lease that
  // cannot be released expires by itself.
  void give_up() { state_.release_lease(name_, holder_).ignore(); }

 private:
  PollState& state_;
  const std::string name_;
  const std::string holder_;
  const Clock& clock_;
  const std::chrono::milliseconds ttl_;
};

}  // namespace portier::journal
