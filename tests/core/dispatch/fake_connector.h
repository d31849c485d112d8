#pragma once
// A scripted dispatch::Connector for tests. Each item is known by a key (a status update's
// businessCaseId); the results scripted for a key are handed out one per call, in order, and
// once they run out every further call is delivered. Every call is recorded, and the fake
// tracks how many calls run at once.
//
// Threads: deliver() from any number of threads; the other methods from the test thread.
#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/dispatch/connector.h"

namespace portier::dispatch::testing {

class FakeConnector final : public Connector {
 public:
  struct Call {
    std::string key;
    int64_t item_id = 0;
    std::string business_process_id;
    int32_t attempts = 0;
    std::chrono::steady_clock::time_point started;
    DeliveryResult::Kind outcome = DeliveryResult::Kind::kDelivered;
  };

  // How long every call takes, so that overlapping calls can be observed.
  explicit FakeConnector(std::chrono::milliseconds call_duration = std::chrono::milliseconds(0))
      : call_duration_(call_duration) {}

  static std::string key_of(const model::WorkItem& item) {
    return item.message.__isset.statusUpdate ? item.message.statusUpdate.businessCaseId : "";
  }

  // The results for the next calls of `key`, in order.
  void script(const std::string& key, std::vector<DeliveryResult> results) {
    std::lock_guard lock(mutex_);
    for (DeliveryResult& r : results) scripts_[key].push_back(std::move(r));
  }
  // Every call of `key` answers `result`, forever.
  void always(const std::string& key, DeliveryResult result) {
    std::lock_guard lock(mutex_);
    always_[key] = std::move(result);
  }

  DeliveryResult deliver(const model::WorkItem& item) override {
    const int now_in_flight = ++in_flight_;
    int seen = max_in_flight_.load();
    while (now_in_flight > seen && !max_in_flight_.compare_exchange_weak(seen, now_in_flight)) {
    }
    Call call{key_of(item),
              item.id,
              item.businessProcessId,
              item.attempts,
              std::chrono::steady_clock::now(),
              DeliveryResult::Kind::kDelivered};
    DeliveryResult result;
    {
      std::lock_guard lock(mutex_);
      if (auto it = always_.find(call.key); it != always_.end()) {
        result = it->second;
      } else if (auto s = scripts_.find(call.key); s != scripts_.end() && !s->second.empty()) {
        result = std::move(s->second.front());
        s->second.pop_front();
      }
      call.outcome = result.kind;
      calls_.push_back(call);
    }
    if (call_duration_.count() > 0) std::this_thread::sleep_for(call_duration_);
    --in_flight_;
    return result;
  }

  std::vector<Call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::vector<Call> calls_of(const std::string& key) const {
    std::vector<Call> out;
    for (const Call& c : calls()) {
      if (c.key == key) out.push_back(c);
    }
    return out;
  }
  int max_in_flight() const { return max_in_flight_.load(); }

 private:
  const std::chrono::milliseconds call_duration_;
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<DeliveryResult>> scripts_;
  std::map<std::string, DeliveryResult> always_;
  std::vector<Call> calls_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
};

}  // namespace portier::dispatch::testing
